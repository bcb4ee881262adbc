// DNA statistics: the streaming accumulator against a slow string-and-Map reference on random
// sequences cut at random places; real genomes' lengths and GC % against python's own count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnaStatsAccumulator } from '../../extension/core/datasets/dna-stats';
import { dnaFileStats } from '../../extension/core/datasets/dna-file-stats';
import { withFileSource } from '../../extension/core/datasets/source';
import { pythonFastaSummary, pythonFastqSummary } from '../support/python-counts';
import { REAL, realFile } from '../support/real-data';

function referenceStats(seq: string, k: number, top: number) {
  const up = seq.toUpperCase().replace(/U/g, 'T');
  const count = (re: RegExp) => (up.match(re) ?? []).length;
  const a = count(/A/g),
    c = count(/C/g),
    g = count(/G/g),
    t = count(/T/g);
  const kmers = new Map<string, number>();
  for (let i = 0; i + k <= up.length; i++) {
    const w = up.slice(i, i + k);
    if (/^[ACGT]+$/.test(w)) kmers.set(w, (kmers.get(w) ?? 0) + 1);
  }
  const longestN = Math.max(0, ...(up.match(/N+/g) ?? []).map((r) => r.length));
  return {
    length: seq.length,
    a,
    c,
    g,
    t,
    n: count(/N/g),
    otherIupac: count(/[RYSWKMBDHV]/g),
    gaps: count(/[-.]/g),
    softMasked: (seq.match(/[a-z]/g) ?? []).length,
    longestNRun: longestN,
    gcPercent: a + c + g + t ? ((g + c) / (a + c + g + t)) * 100 : null,
    topKmers: [...kmers]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, top)
      .map(([kmer, n]) => ({ kmer, count: n })),
  };
}

test('accumulator equals the reference per record and in total, for any chunking', () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const letters = 'AAACCCGGGTTTacgtNNNNNnRYswkmBDHV-.uU';
  const records = [0, 1, 3, 127, 129, 1000, 5000].map((len) =>
    Array.from({ length: len }, () => letters[Math.floor(rand() * letters.length)]).join(''),
  );
  for (const k of [1, 3, 6]) {
    const acc = new DnaStatsAccumulator({ k, top: 4 });
    records.forEach((seq, i) => {
      acc.start(`r${i}`);
      for (let at = 0; at < seq.length;) {
        const n = 1 + Math.floor(rand() * 300);
        acc.add(Buffer.from(seq.slice(at, at + n), 'latin1'));
        at += n;
      }
      const { name, description, records: count, softMaskedPercent, ...got } = acc.end();
      assert.deepEqual(got, referenceStats(seq, k, 4), `record ${i}, k ${k}`);
      assert.deepEqual([name, description, count], [`r${i}`, '', 1]);
      assert.equal(softMaskedPercent, seq.length ? (got.softMasked / seq.length) * 100 : null);
    });
    // The total is not the concatenation: k-mers never span two records.
    const total = acc.total();
    const sums = records.map((s) => referenceStats(s, k, 1 << 20));
    assert.equal(total.records, records.length);
    assert.equal(
      total.length,
      records.reduce((s, r) => s + r.length, 0),
    );
    assert.equal(total.longestNRun, Math.max(...sums.map((s) => s.longestNRun)));
    const merged = new Map<string, number>();
    for (const s of sums) for (const { kmer, count } of s.topKmers) merged.set(kmer, (merged.get(kmer) ?? 0) + count);
    assert.deepEqual(
      total.topKmers,
      [...merged]
        .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
        .slice(0, 4)
        .map(([kmer, count]) => ({ kmer, count })),
    );
  }
  assert.throws(() => new DnaStatsAccumulator({ k: 11 }), /k-mer length must be 1\.\.10/);
});

test('real genomes: lengths, GC %, N and soft-masked counts equal python (lambda, S. aureus, H. pylori, pyfaidx)', async () => {
  const files = [
    REAL.lambdaGenome,
    REAL.staphylococcus,
    REAL.staphContigs,
    REAL.helicobacter,
    REAL.pyfaidxChr17,
    REAL.pyfaidxGenesBgzf,
  ].map(realFile);
  const want = pythonFastaSummary(files);
  for (const path of files) {
    const stats = await withFileSource(path, (src) => dnaFileStats(src, { k: 4 }));
    const expected = want.filter((r) => r.file === path);
    assert.equal(stats.format, 'fasta');
    assert.deepEqual(
      stats.records.map((r) => [r.name, r.length, r.n, r.softMasked]),
      expected.map((r) => [r.name, r.length, r.n, r.lower]),
      path,
    );
    stats.records.forEach((r, i) =>
      assert.ok(
        Math.abs((r.gcPercent ?? NaN) - (expected[i].gc ?? NaN)) < 1e-9,
        `${path} ${r.name}: GC ${r.gcPercent} vs python ${expected[i].gc}`,
      ),
    );
  }
  // Published figures, as a sanity check of the python count itself: lambda is 48,502 bp with 49.9 % GC.
  const lambda = want.find((r) => r.file === realFile(REAL.lambdaGenome))!;
  assert.equal(lambda.length, 48502);
  assert.equal(lambda.gc!.toFixed(1), '49.9');
});

test('FASTQ file statistics: reads, bases and mean quality equal python', async () => {
  const path = realFile(REAL.lambdaReads1);
  const want = pythonFastqSummary(path);
  const stats = await withFileSource(path, (src) => dnaFileStats(src, { maxRecords: 10 }));
  assert.equal(stats.format, 'fastq');
  assert.equal(stats.recordCount, want.reads);
  assert.equal(stats.records.length, 10);
  assert.equal(stats.total.length, want.bases);
  assert.ok(Math.abs(stats.reads!.meanQuality! - want.qsum / want.bases) < 1e-9);
});
