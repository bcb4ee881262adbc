// Held-out evaluation over a range: N positions excluded and counted, record starts unscored,
// and the order-k Markov baseline through the same code (a periodic genome is nearly free).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { MarkovModel, markovSequences } from '../../extension/core/runs/markov-baseline';
import { parseRange } from '../../extension/core/runs/data-range';
import { evaluateSegments } from '../../extension/core/runs/range-eval';
import { loadTokenData } from '../../extension/core/runs/token-data';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

test('evaluation counts exactly the scored positions of the range; N is excluded and reported', async () => {
  const dir = tempDir('eval');
  const file = writeFasta(join(dir, 'g.fa'), {
    a: randomBases(500),
    b: randomBases(100) + 'NNNNNNNNNN' + randomBases(90),
  });
  const data = await loadTokenData([file], parseRange('50%-100%'));
  const score = await evaluateSegments(data, async (tokens) => new Float64Array(tokens.length).fill(2));
  assert.equal(score.positions, 350); // half of 500 + 200
  assert.equal(score.excluded, 10);
  assert.equal(score.files[0].segmentStarts, 2, 'each record part starts unscored');
  assert.equal(score.scored, 350 - 10 - 2);
  assert.equal(score.bitsPerToken, 2);
});

test('Markov baseline: a periodic genome costs almost nothing at k >= period, random bases about 2 bits', async () => {
  const dir = tempDir('markov');
  const periodic = 'ACGGTCATTG'.repeat(400);
  const file = writeFasta(join(dir, 'p.fa'), { p: periodic });
  const train = await loadTokenData([file], parseRange('0%-80%')),
    held = await loadTokenData([file], parseRange('80%-100%'));
  const seqs = markovSequences(train, false);
  const k10 = await evaluateSegments(held, new MarkovModel(10, train.scored, seqs).score);
  assert.ok(k10.bitsPerToken < 0.01, `order 10 on a period-10 sequence: ${k10.bitsPerToken} bits/base`);
  const k1 = await evaluateSegments(held, new MarkovModel(1, train.scored, seqs).score);
  assert.ok(k1.bitsPerToken > 0.5, `order 1 cannot see the period: ${k1.bitsPerToken}`);

  const rnd = writeFasta(join(dir, 'r.fa'), { r: randomBases(20000) });
  const rt = await loadTokenData([rnd], parseRange('0%-80%')),
    rh = await loadTokenData([rnd], parseRange('80%-100%'));
  const r2 = await evaluateSegments(rh, new MarkovModel(2, rt.scored, markovSequences(rt, true)).score);
  assert.ok(Math.abs(r2.bitsPerToken - 2) < 0.05, `random bases: ${r2.bitsPerToken} bits/base`);
  assert.throws(() => new MarkovModel(30, rt.scored, []), /beyond 2\^53/);
});
