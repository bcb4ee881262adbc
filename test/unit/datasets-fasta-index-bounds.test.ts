// The FASTA index of a file of very many records: compact (no object per record), yielding to the
// event loop while it is built, cancellable, refused past its memory bound with a message naming
// the file and the record; a saved index round-trips, and one that is a FIFO is not waited on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DataFormatError, ReadAbortedError } from '../../extension/core/datasets/errors';
import {
  buildFastaIndex,
  fastaIndexToJson,
  IndexedFasta,
  indexPathFor,
  parseFastaIndex,
} from '../../extension/core/datasets/fasta-index';
import { memorySource } from '../../extension/core/datasets/source';

/** `n` records of 30 bases, named r0, r1, …; every 1000th with a description holding a tab. */
function manyRecords(n: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < n; i++)
    parts.push(`>r${i}${i % 1000 === 0 ? ' note\twith tab' : ''}\n${'ACGTTGCA'.repeat(4).slice(0, 30)}\n`);
  return Buffer.from(parts.join(''));
}

const RECORDS = 100_000;
const bytes = manyRecords(RECORDS);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const used = (): number => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

test('an index of 100,000 records keeps under 80 bytes a record and finds every name', async () => {
  const src = memorySource('many.fa', bytes);
  const before = used();
  const index = await buildFastaIndex(src);
  const kept = used() - before;
  assert.ok(kept < 80 * RECORDS, `${(kept / RECORDS).toFixed(0)} bytes per record`);
  const fa = new IndexedFasta(src, index, 'built');
  assert.equal(fa.records.count, RECORDS);
  assert.equal(fa.records.totalBases, 30 * RECORDS);
  assert.deepEqual(fa.records.get(1000), {
    name: 'r1000',
    description: 'note\twith tab',
    length: 30,
    headerOffset: index.records.get(999).endOffset,
    seqOffset: index.records.get(1000).headerOffset + '>r1000 note\twith tab\n'.length,
    endOffset: index.records.get(1001).headerOffset,
    lineBases: 30,
    lineBytes: 31,
  });
  for (const i of [0, 1, 10, 999, 1000, 12_345, RECORDS - 1]) assert.equal(fa.recordNamed(`r${i}`), i);
  for (const missing of ['r', `r${RECORDS}`, 'note', 'with tab', '']) assert.equal(fa.recordNamed(missing), -1);
  assert.equal(Buffer.from(await fa.readBases(RECORDS - 1, 0, 30)).toString(), 'ACGTTGCA'.repeat(4).slice(0, 30));
  const back = parseFastaIndex(JSON.parse(JSON.stringify(fastaIndexToJson(index))));
  assert.ok(back);
  assert.deepEqual(back.records.get(12_345), index.records.get(12_345));
  assert.equal(back.records.find('r1000'), 1000);
  const json = fastaIndexToJson(index) as { records: Record<string, unknown> };
  for (const [field, value] of [
    ['seqOffset', 5],
    ['text', 42],
    ['lineEnd', [3]],
    ['textStart', json.records.headerOffset],
    ['headerOffset', json.records.seqOffset],
    ['checkpoints', [1]],
  ] as const) {
    const bad = { ...json, records: { ...json.records, [field]: value } };
    assert.equal(parseFastaIndex(bad), undefined, `a saved index with a bad ${field} is not used`);
  }
});

test('building yields to the event loop: no stretch of 200 ms without a turn, and an abort stops it', async () => {
  let last = performance.now(),
    longest = 0,
    ticking = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  await buildFastaIndex(memorySource('many.fa', bytes)); // memory reads resolve at once: no I/O turns
  ticking = false;
  assert.ok(longest < 200, `the event loop waited ${longest.toFixed(0)} ms`);

  const abort = new AbortController();
  setTimeout(() => abort.abort(), 5);
  await assert.rejects(buildFastaIndex(memorySource('many.fa', bytes), { signal: abort.signal }), ReadAbortedError);
});

test('past its memory bound the index is refused, naming the file, the record and its byte', async () => {
  await assert.rejects(buildFastaIndex(memorySource('many.fa', bytes), { maxIndexBytes: 1 << 20 }), (err) => {
    assert.ok(err instanceof DataFormatError);
    assert.match(
      err.message,
      /^many\.fa: line (\d+) \(byte (\d+)\): record (\d+) would take the index past 1048576 bytes; a file of this many records cannot be indexed/,
    );
    const [, line, byte, record] = /line (\d+) \(byte (\d+)\): record (\d+)/.exec(err.message)!.map(Number);
    assert.equal(bytes[byte], 0x3e, 'the byte is the record\'s ">"');
    assert.equal(line, 2 * (record - 1) + 1);
    return true;
  });
});

test('a saved index that is a FIFO is not waited on: the index is built', { timeout: 5000 }, async (t) => {
  if (process.platform === 'win32') return t.skip('no FIFOs');
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-index-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.fa');
  writeFileSync(path, '>a\nACGT\n');
  execFileSync('mkfifo', [indexPathFor(path)]);
  const fa = await IndexedFasta.open(path);
  assert.equal(fa.indexOrigin, 'built');
  await fa.close();
});
