// Training data: ranges by position over whole files, the validation split that never meets
// training data, windows that skip N runs, reverse-complement augmentation.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../kernels/train/rng';
import { parseRange, rangeBounds, rangeText, recordMatches, withRecords } from '../../extension/core/runs/data-range';
import { loadTokenData } from '../../extension/core/runs/token-data';
import { evenWindows, scoredRuns, splitTrainVal, WindowSampler } from '../../extension/core/runs/window-sampler';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

test('ranges parse, reject nonsense, and split a file without overlap', () => {
  assert.deepEqual(parseRange('0%-80%'), { startPct: 0, endPct: 80 });
  assert.deepEqual(parseRange('80%-100%'), { startPct: 80, endPct: 100 });
  for (const bad of ['80%-20%', '0-120%', 'half', '10%'])
    assert.throws(() => parseRange(bad), /START%-END%|0 <= START/);
  for (const total of [1, 7, 1001]) {
    const [, a] = rangeBounds(parseRange('0%-80%'), total),
      [b, c] = rangeBounds(parseRange('80%-100%'), total);
    assert.equal(a, b, 'the two ranges meet exactly');
    assert.equal(c, total);
  }
});

test('a range spans records in file order; validation is the tail and never overlaps training', async () => {
  const dir = tempDir('data');
  const r1 = randomBases(300),
    r2 = randomBases(150) + 'N'.repeat(40) + randomBases(210);
  const file = writeFasta(join(dir, 'g.fa'), { one: r1, two: r2 });
  const data = await loadTokenData([file], parseRange('10%-90%'));
  const total = r1.length + r2.length;
  assert.equal(data.manifest[0].totalTokens, total);
  assert.equal(data.manifest[0].sha256.length, 64);
  const [lo, hi] = rangeBounds(parseRange('10%-90%'), total);
  assert.equal(
    data.segments.reduce((a, s) => a + s.tokens.length, 0),
    hi - lo,
  );
  assert.deepEqual(
    data.segments.map((s) => [s.record, s.start]),
    [
      ['one', lo],
      ['two', 0],
    ],
  );

  const { train, val } = splitTrainVal(data.segments, 0.25);
  const pos = (segs: typeof train) =>
    segs.flatMap((s) => Array.from({ length: s.tokens.length }, (_, i) => `${s.record}:${s.start + i}`));
  const trainPos = new Set(pos(train)),
    valPos = pos(val);
  assert.ok(
    valPos.length > 0 && valPos.every((p) => !trainPos.has(p)),
    'no validation position is a training position',
  );
  assert.equal(trainPos.size + valPos.length, hi - lo);

  const runs = scoredRuns(data.segments, data.scored, 33);
  for (const r of runs)
    assert.ok(
      r.tokens.every((t) => data.scored[t] === 1),
      'runs hold only A, C, G, T',
    );
  assert.equal(runs.filter((r) => r.record === 'two').length, 2, 'the N run splits record two');
  assert.equal(
    evenWindows(runs, 32, 1000).length,
    runs.reduce((a, r) => a + Math.floor(r.tokens.length / 33), 0),
  );
});

test('records narrow a file to some genomes; the range is then over those records only', async () => {
  const dir = tempDir('records');
  const a = randomBases(120),
    b = randomBases(200),
    c = randomBases(80);
  const file = writeFasta(join(dir, 'strains.fa'), {
    'gi|111|ref|NC_000001.1|': a,
    'gi|222|ref|NC_000002.1|': b,
    plasmid_3: c,
  });
  assert.ok(recordMatches('gi|222|ref|NC_000002.1|', 'NC_000002.1') && recordMatches('gi|222|ref|NC_000002.1|', '222'));
  assert.ok(
    !recordMatches('gi|222|ref|NC_000002.1|', 'ref') && !recordMatches('gi|222|ref|NC_000002.1|', 'NC_000002'),
    'a database tag or a prefix names no record',
  );

  const head = await loadTokenData([file], withRecords(parseRange('0%-80%'), ['NC_000002.1'])),
    tail = await loadTokenData([file], withRecords(parseRange('80%-100%'), ['NC_000002.1']));
  assert.deepEqual(
    head.segments.map((s) => [s.record, s.start, s.tokens.length]),
    [['gi|222|ref|NC_000002.1|', 0, 160]],
  );
  assert.deepEqual(
    tail.segments.map((s) => [s.record, s.start, s.tokens.length]),
    [['gi|222|ref|NC_000002.1|', 160, 40]],
  );
  assert.equal(head.manifest[0].totalTokens, 200, 'the total counts the chosen record only');

  const two = await loadTokenData([file], withRecords(parseRange('0%-100%'), ['plasmid_3', '111']));
  assert.deepEqual(
    two.segments.map((s) => s.record),
    ['gi|111|ref|NC_000001.1|', 'plasmid_3'],
    'file order, not the order asked',
  );
  assert.equal(rangeText(withRecords(parseRange('0%-80%'), ['NC_000002.1'])), 'records NC_000002.1, 0%-80%');

  await assert.rejects(
    loadTokenData([file], withRecords(parseRange('0%-100%'), ['NC_999999.1'])),
    (e: Error) =>
      e.message.includes('strains.fa') &&
      e.message.includes('no record named "NC_999999.1"') &&
      e.message.includes('plasmid_3'),
  );
  assert.throws(() => withRecords(parseRange('0%-100%'), ['two words']), /one word/);
});

test('windows come from inside the runs, targets are ids shifted by one, reverse complement is used', async () => {
  const dir = tempDir('win');
  const seq = randomBases(500);
  const data = await loadTokenData([writeFasta(join(dir, 'w.fa'), { r: seq })], parseRange('0%-100%'));
  const runs = scoredRuns(data.segments, data.scored, 9);
  const complement = Int32Array.from({ length: 16 }, (_, i) => i);
  complement[1] = 4;
  complement[4] = 1;
  complement[2] = 3;
  complement[3] = 2;
  const sampler = new WindowSampler(runs, 8, complement);
  const ids = new Int32Array(5 * 8),
    targets = new Int32Array(5 * 8),
    rng = new Rng(3);
  const text = seq,
    rcText = [...seq]
      .reverse()
      .map((c) => ({ A: 'T', C: 'G', G: 'C', T: 'A' })[c])
      .join('');
  let flipped = 0;
  for (let round = 0; round < 40; round++) {
    sampler.fill(rng, 5, ids, targets);
    for (let r = 0; r < 5; r++) {
      const w = [...ids.subarray(r * 8, r * 8 + 8), targets[r * 8 + 7]].map((id) => 'ACGT'[id - 1]).join('');
      for (let t = 0; t < 7; t++) assert.equal(targets[r * 8 + t], ids[r * 8 + t + 1]);
      const fwd = text.includes(w),
        rev = rcText.includes(w);
      assert.ok(fwd || rev, `window ${w} is from the sequence or its reverse complement`);
      if (!fwd) flipped++;
    }
  }
  assert.ok(flipped > 40 && flipped < 160, `about half the windows are reverse-complemented (${flipped} of 200)`);
});

test('the same seed draws the same windows; a saved RNG state continues the same stream', () => {
  const a = new Rng(42),
    b = new Rng(42);
  for (let i = 0; i < 10; i++) a.uniform();
  const saved = Rng.fromState(a.state());
  for (let i = 0; i < 10; i++) b.uniform();
  for (let i = 0; i < 5; i++) assert.equal(saved.uniform(), b.uniform());
  assert.notEqual(new Rng(1).uniform(), new Rng(2).uniform());
});
