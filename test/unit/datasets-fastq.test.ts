// FASTQ reading: the lambda phage reads of bowtie2-examples against python's count, and the
// layouts the format allows (wrapped lines, CRLF, '+' repeating the title, empty reads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFastq, type FastqRecord } from '../../extension/core/datasets/fastq';
import { DataFormatError } from '../../extension/core/datasets/errors';
import { memorySource, withFileSource } from '../../extension/core/datasets/source';
import { pythonFastqSummary } from '../support/python-counts';
import { REAL, realFile } from '../support/real-data';

async function all(text: string | Uint8Array, chunkSize?: number): Promise<FastqRecord[]> {
  const out: FastqRecord[] = [];
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for await (const r of readFastq(memorySource('t.fq', bytes), chunkSize ? { chunkSize } : {})) out.push(r);
  return out;
}

const show = (r: FastqRecord) => [
  r.name,
  r.description,
  Buffer.from(r.bases).toString(),
  Buffer.from(r.quality).toString(),
  r.line,
];

test('lambda reads (plain gzip) equal python: count, bases, qualities', async () => {
  for (const f of [REAL.lambdaReads1, REAL.lambdaLongReads]) {
    const path = realFile(f);
    const want = pythonFastqSummary(path);
    const h = createHash('sha1');
    let reads = 0,
      bases = 0,
      qsum = 0;
    await withFileSource(path, async (src) => {
      for await (const r of readFastq(src)) {
        h.update(r.bases);
        h.update('\n');
        reads++;
        bases += r.bases.length;
        for (const q of r.quality) qsum += q - 33;
        assert.equal(r.quality.length, r.bases.length);
      }
    });
    assert.deepEqual({ reads, bases, sha1: h.digest('hex'), qsum }, want, path);
  }
});

test('wrapped sequence and quality lines, CRLF, a repeated title, an empty read, any chunking', async () => {
  const text =
    '@r1 first read\r\nACGTN\r\nacg\r\n+r1 first read\r\nIIIII\r\n@@@\r\n\n@r2\nACGT\n+\n@@@@\n@empty\n\n+\n\n@r3\nA\n+\n!';
  const want = [
    ['r1', 'first read', 'ACGTNacg', 'IIIII@@@', 1],
    ['r2', '', 'ACGT', '@@@@', 8],
    ['empty', '', '', '', 12],
    ['r3', '', 'A', '!', 16],
  ];
  for (const cs of [1, 5, 1 << 20]) assert.deepEqual((await all(text, cs)).map(show), want, `chunk ${cs}`);
  assert.deepEqual((await all(gzipSync(Buffer.from(text)))).map(show), want, 'gzip');
});

test('malformed FASTQ names the file, line and byte', async () => {
  const cases: Array<[string, RegExp]> = [
    ['ACGT\n+\nIIII\n', /t\.fq: line 1 \(byte 0\): expected a '@' title line, found 'A'/],
    ['@r\nACGT\n+x\nIIII\n', /line 3 \(byte 8\): '\+' line repeats "x", not the title "r"/],
    ['@r\nACGT\n+\nIIIII\n', /line 4 \(byte 10\): record "r" has more quality values than its 4 bases/],
    ['@r\nACGT\n+\nII', /file ends inside record "r": 2 quality values for 4 bases/],
    ['@r\nACGT\n', /file ends inside record "r" before its '\+' line/],
    ['@r\nAC#T\n+\nIIII\n', /line 2 \(byte 5\): '#' \(0x23\) is not a nucleotide code/],
    ['@r\nACGT\n+\nII I\n', /line 4 \(byte 12\): quality byte 0x20 outside/],
    ['@r\x00x\nA\n+\nI\n', /line 1 \(byte 2\): control byte 0x00 in a title line/],
  ];
  for (const [text, message] of cases) {
    await assert.rejects(
      all(text),
      (err: unknown) => err instanceof DataFormatError && message.test(err.message),
      JSON.stringify(text),
    );
  }
  await assert.rejects(async () => {
    for await (const _ of readFastq(memorySource('t.fq', Buffer.from('@r\n' + 'A'.repeat(100) + '\n')), {
      maxReadLength: 50,
    }))
      void _;
  }, /read "r" longer than 50 bases/);
});
