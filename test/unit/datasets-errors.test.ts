// Malformed input: each case gives a DataFormatError naming the file and the byte (and line, for
// text), never a crash, a hang or an unbounded allocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DataFormatError } from '../../extension/core/datasets/errors';
import { readFasta } from '../../extension/core/datasets/fasta';
import { memorySource } from '../../extension/core/datasets/source';
import { readWavInfo } from '../../extension/core/datasets/wav';
import { REAL, realFile } from '../support/real-data';

async function fastaError(bytes: Uint8Array, opts = {}): Promise<DataFormatError> {
  try {
    for await (const _ of readFasta(memorySource('bad.fa', bytes), opts)) void _;
  } catch (err) {
    if (err instanceof DataFormatError) return err;
    throw err;
  }
  return assert.fail('no error');
}

test('malformed FASTA: file, line and byte in every message', async () => {
  const cases: Array<[string | Uint8Array, RegExp, object?]> = [
    ['ACGT\n>a\nAC\n', /^bad\.fa: line 1 \(byte 0\): sequence data 'A' \(0x41\) before any '>' header$/],
    ['>a\nAC\x00GT\n', /^bad\.fa: line 2 \(byte 5\): 0x00 is not a nucleotide code$/],
    ['>a\nACGT\nAC>GT\n', /^bad\.fa: line 3 \(byte 10\): '>' inside a sequence line$/],
    ['>a\nAC\n>\nGG\n', /^bad\.fa: line 3 \(byte 6\): header without a name$/],
    ['>a b\x01c\nAC\n', /^bad\.fa: line 1 \(byte 4\): control byte 0x01 in a header line \(binary data\?\)$/],
    [
      '>' + 'x'.repeat(100) + '\nA\n',
      /^bad\.fa: line 1 \(byte 65\): header line longer than 64 bytes$/,
      { maxHeaderBytes: 64 },
    ],
    [
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]),
      /^bad\.fa: line 1 \(byte 0\): 0x7f is not a nucleotide code \(and no header yet\)$/,
    ],
    ['>a\nACGT\nACQT\n', /^bad\.fa: line 3 \(byte 10\): 'Q' \(0x51\) is not a nucleotide code$/],
  ];
  for (const [text, message, opts] of cases) {
    const err = await fastaError(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, opts);
    assert.match(err.message, message);
    assert.equal(err.file, 'bad.fa');
  }
});

test('malformed gzip and BGZF: the compressed byte offset', async () => {
  const gz = readFileSync(realFile(REAL.lambdaGenome));
  let err = await fastaError(gz.subarray(0, 9000));
  assert.match(err.message, /^bad\.fa: compressed byte \d+: gzip: unexpected end of file$/);
  err = await fastaError(Buffer.concat([gz, Buffer.from('trailing junk')]));
  assert.match(err.message, /^bad\.fa: compressed byte \d+: gzip: /);
  const flipped = Buffer.from(gz);
  flipped[5000] ^= 0x10;
  err = await fastaError(flipped);
  assert.match(err.message, /^bad\.fa: compressed byte \d+: gzip: /);
  const bgzf = readFileSync(realFile(REAL.pyfaidxGenesBgzf));
  err = await fastaError(bgzf.subarray(0, bgzf.length - 100));
  assert.match(err.message, /^bad\.fa: compressed byte (\d+): BGZF block of \d+ bytes runs past the end of the file/);
  const badCrc = Buffer.from(bgzf);
  badCrc[badCrc.readUInt16LE(16) - 7] ^= 1; // inside the first block's CRC32
  err = await fastaError(badCrc);
  assert.match(err.message, /^bad\.fa: compressed byte 0: BGZF block: /);
  // A gzip member holding binary junk fails in the FASTA parser, at its decompressed offset.
  err = await fastaError(gzipSync(Buffer.from('>ok\nACGT\n\x89PNG', 'latin1')));
  assert.match(err.message, /^bad\.fa: line 3 \(byte 9\): 0x89 is not a nucleotide code$/);
});

test('gzip: trailing garbage, a bad CRC or length: the byte where it is, after any number of members', async () => {
  const gz = gzipSync(Buffer.from(`>a\n${'ACGT'.repeat(50000)}\n`));
  const junk = Buffer.from('trailing junk');
  let err = await fastaError(Buffer.concat([gz, junk]));
  assert.equal(err.message, `bad.fa: compressed byte ${gz.length}: gzip: trailing garbage after the last gzip member`);
  err = await fastaError(Buffer.concat([gz, gz, junk]), { chunkSize: 4096 });
  assert.equal(err.position.offset, 2 * gz.length);
  err = await fastaError(Buffer.concat([gz, Buffer.alloc(100), junk]));
  assert.equal(err.message, `bad.fa: compressed byte ${gz.length + 100}: gzip: trailing garbage after zero padding`);
  let records = 0;
  for await (const ev of readFasta(memorySource('padded.fa.gz', Buffer.concat([gz, Buffer.alloc(100)]))))
    if (ev.type === 'header') records++;
  assert.equal(records, 1, 'zero padding after the last member is read as gzip(1) reads it');
  const badCrc = Buffer.from(gz);
  badCrc[gz.length - 8] ^= 1;
  err = await fastaError(badCrc);
  assert.equal(err.message, `bad.fa: compressed byte ${gz.length - 8}: gzip: incorrect data check`);
  const badSize = Buffer.from(gz);
  badSize[gz.length - 4] ^= 1;
  err = await fastaError(badSize);
  assert.equal(err.message, `bad.fa: compressed byte ${gz.length - 4}: gzip: incorrect length check`);
});

test('malformed WAV: wrong magic, impossible formats and sizes, with the byte offset', async () => {
  // fmt fields: tag, channels, rate (two 16-bit words), byte rate (two words), block align, bits.
  const fmt = (tag: number, ch: number, rate: number, align: number, bits: number) => [
    tag,
    ch,
    rate & 0xffff,
    rate >>> 16,
    (rate * align) & 0xffff,
    (rate * align) >>> 16,
    align,
    bits,
  ];
  const asFmt = (f: number[]) => {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(f[0], 0);
    b.writeUInt16LE(f[1], 2);
    b.writeUInt32LE(f[2] | (f[3] << 16), 4);
    b.writeUInt32LE(f[4] | (f[5] << 16), 8);
    b.writeUInt16LE(f[6], 12);
    b.writeUInt16LE(f[7], 14);
    return b;
  };
  const build = (fmtBytes: Buffer, opts: { riff?: string; wave?: string; dataSize?: number; tail?: Buffer } = {}) => {
    const h = (id: string, n: number) => {
      const b = Buffer.alloc(8);
      b.write(id, 'latin1');
      b.writeUInt32LE(n, 4);
      return b;
    };
    const data = Buffer.from([0, 0, 1, 0]);
    const body = Buffer.concat([
      Buffer.from(opts.wave ?? 'WAVE'),
      h('fmt ', fmtBytes.length),
      fmtBytes,
      h('data', opts.dataSize ?? data.length),
      data,
      opts.tail ?? Buffer.alloc(0),
    ]);
    return Buffer.concat([h(opts.riff ?? 'RIFF', body.length), body]);
  };
  const good = asFmt(fmt(1, 1, 8000, 2, 16));
  const cases: Array<[Uint8Array, RegExp]> = [
    [Buffer.from('RIFF\0\0'), /^x\.wav: byte 6: file of 6 bytes is too short for a RIFF WAVE header$/],
    [build(good, { riff: 'FORM' }), /^x\.wav: byte 0: not a RIFF file \(starts with "FORM"\)$/],
    [build(good, { riff: 'RIFX' }), /^x\.wav: byte 0: RIFX \(big-endian\) WAVE files are not supported$/],
    [build(good, { wave: 'AVI ' }), /^x\.wav: byte 8: RIFF form type is "AVI ", not "WAVE"$/],
    [build(asFmt(fmt(1, 0, 8000, 2, 16))), /^x\.wav: byte 22: 0 channels \(1 to 1024 are read\)$/],
    [build(asFmt(fmt(1, 1, 0, 2, 16))), /^x\.wav: byte 24: sample rate 0$/],
    [build(asFmt(fmt(1, 2, 8000, 3, 16))), /^x\.wav: byte 32: block align 3 for 2 channels gives 12-bit pcm samples/],
    [build(asFmt(fmt(0x55, 1, 8000, 2, 16))), /^x\.wav: byte 20: unsupported WAVE format tag 0x55/],
    [
      build(asFmt(fmt(1, 1, 8000, 2, 40))),
      /^x\.wav: byte 34: 40 bits per sample \(40 valid\) do not fit 16-bit samples$/,
    ],
    [
      build(asFmt(fmt(3, 1, 8000, 2, 16))),
      /^x\.wav: byte 32: block align 2 for 1 channels gives 16-bit float samples \(readable: 32, 64 bits\)$/,
    ],
    [build(good.subarray(0, 8)), /^x\.wav: byte 12: fmt chunk of 8 bytes \(expected 16 to 65536\)$/],
    [
      Buffer.concat([Buffer.from('RIFF\x10\0\0\0WAVEjunk\xff\xff\xff\x7f', 'latin1')]),
      /^x\.wav: byte 12: chunk "junk" claims 2147483647 bytes, past the end of the 20-byte file$/,
    ],
    [Buffer.from('RIFF\x04\0\0\0WAVE', 'latin1'), /^x\.wav: byte 12: no "fmt " chunk before the end of the file$/],
    [
      Buffer.concat([Buffer.from('RIFF\x04\0\0\0WAVEfmt \x10\0\0\0', 'latin1'), good]),
      /^x\.wav: byte 36: no "data" chunk before the end of the file$/,
    ],
    [
      Buffer.concat([Buffer.from('RIFF\x04\0\0\0WAVE\x00\x01\x02\x03\0\0\0\0', 'latin1')]),
      /^x\.wav: byte 12: chunk id is not four ASCII characters/,
    ],
  ];
  for (const [bytes, message] of cases) {
    await assert.rejects(readWavInfo(memorySource('x.wav', bytes)), (err: unknown) =>
      err instanceof DataFormatError && message.test(err.message) ? true : assert.fail(`${String(err)} !~ ${message}`),
    );
  }
  // The same header with a good fmt reads.
  assert.equal((await readWavInfo(memorySource('x.wav', build(good)))).frames, 2);
});
