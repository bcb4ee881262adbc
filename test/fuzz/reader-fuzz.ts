// Fuzzing the readers with mutated real files (bit flips, byte stamps, truncations, splices,
// huge length fields, inserted junk, cut and doubled slices). Every input must either read or
// fail with a DataFormatError; anything else (a TypeError, RangeError, a hang) is a crash. Reads
// that succeed are checked for consistency: ranged reads through the index must equal the stream.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataFormatError } from '../../extension/core/datasets/errors';
import { readFasta } from '../../extension/core/datasets/fasta';
import { buildFastaIndex, IndexedFasta } from '../../extension/core/datasets/fasta-index';
import { readFastq } from '../../extension/core/datasets/fastq';
import { memorySource } from '../../extension/core/datasets/source';
import { readWavInfo, WavReader } from '../../extension/core/datasets/wav';
import { wavStats } from '../../extension/core/datasets/wav-stats';
import { REAL, realFile, requireTool } from '../support/real-data';

export type FuzzFormat = 'fasta' | 'fasta-gz' | 'fastq' | 'wav';
export const FUZZ_FORMATS: FuzzFormat[] = ['fasta', 'fasta-gz', 'fastq', 'wav'];

export type Rand = () => number;
export function makeRand(seed: number): Rand {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
export const int = (rand: Rand, n: number) => Math.floor(rand() * n);

/** Seed files per format: real data (slices of it, to keep each input fast). */
export function loadSeeds(): { seeds: Record<FuzzFormat, Uint8Array[]>; cleanup: () => void } {
  requireTool('sox', 'sox');
  requireTool('espeak-ng', 'espeak-ng');
  const lambda = gunzipSync(readFileSync(realFile(REAL.lambdaGenome)));
  const lines = (gz: string, n: number) =>
    Buffer.from(gunzipSync(readFileSync(gz)).toString('latin1').split('\n').slice(0, n).join('\n') + '\n', 'latin1');
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-fuzz-'));
  execFileSync('espeak-ng', ['-w', join(dir, 'speech.wav'), 'seven']);
  const wavArgs = [
    ['-b', '8', '-e', 'unsigned'],
    ['-b', '16'],
    ['-b', '24'],
    ['-b', '32'],
    ['-e', 'floating-point', '-b', '32'],
    ['-e', 'floating-point', '-b', '64'],
    ['-e', 'u-law'],
    ['-e', 'a-law'],
    ['-t', 'wavpcm', '-b', '24'],
    ['-b', '16', '-c', '3'],
  ];
  const wavs = wavArgs.map((args, i) => {
    const out = join(dir, `s${i}.wav`);
    execFileSync('sox', [join(dir, 'speech.wav'), ...args, out, 'trim', '0', '0.05']);
    return readFileSync(out);
  });
  return {
    seeds: {
      fasta: [
        lambda.subarray(0, 12000),
        readFileSync(realFile(REAL.pyfaidxCrlf)).subarray(0, 9000),
        readFileSync(realFile(REAL.pyfaidxGenesLower)).subarray(0, 9000),
        readFileSync(realFile(REAL.pyfaidxBlankLine)),
        readFileSync(realFile(REAL.pyfaidxBed12)),
      ],
      'fasta-gz': [readFileSync(realFile(REAL.lambdaGenome)), readFileSync(realFile(REAL.pyfaidxGenesBgzf))],
      fastq: [lines(realFile(REAL.lambdaReads1), 80), lines(realFile(REAL.lambdaLongReads), 8)],
      wav: [...wavs, rf64(wavs[1])],
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The canonical 44-byte-header 16-bit WAV as RF64: sizes 0xFFFFFFFF, the data size in ds64. */
function rf64(canonical: Uint8Array): Uint8Array {
  const wav = Buffer.from(canonical);
  if (wav.toString('latin1', 36, 40) !== 'data') throw new Error('expected the data chunk at byte 36');
  const samples = wav.subarray(44, 44 + wav.readUInt32LE(40));
  const ds64 = Buffer.alloc(36);
  ds64.write('ds64', 0, 'latin1');
  ds64.writeUInt32LE(28, 4);
  ds64.writeUInt32LE(samples.length, 16);
  const head = Buffer.from('RF64\xff\xff\xff\xffWAVE', 'latin1');
  return Buffer.concat([head, ds64, wav.subarray(12, 36), Buffer.from('data\xff\xff\xff\xff', 'latin1'), samples]);
}

const INTERESTING = [0, 0xff, 0x7f, 0x80, 0x3e, 0x40, 0x0a, 0x0d, 0x2b, 0x20];
const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 0xfffffffe];

/** One to three mutations of `seed`; `other` feeds splices. */
export function mutate(seed: Uint8Array, other: Uint8Array, rand: Rand): { bytes: Uint8Array; how: string[] } {
  let b = Buffer.from(seed);
  const how: string[] = [];
  for (let m = 1 + int(rand, 3); m > 0; m--) {
    const kind = int(rand, 8),
      at = int(rand, b.length + 1);
    switch (kind) {
      case 0:
        for (let k = 1 + int(rand, 8); k > 0 && b.length; k--) {
          const i = int(rand, b.length);
          b[i] ^= 1 << int(rand, 8);
        }
        how.push('bitflip');
        break;
      case 1:
        for (let k = 1 + int(rand, 4); k > 0 && b.length; k--) b[int(rand, b.length)] = pick(rand, INTERESTING);
        how.push('stamp');
        break;
      case 2:
        b = b.subarray(0, at);
        how.push(`truncate@${at}`);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(other).subarray(int(rand, other.length + 1))]);
        how.push(`splice@${at}`);
        break;
      case 4: {
        // A length field: RIFF/chunk sizes sit at 4-aligned offsets in WAV, gzip's at 2-aligned ones.
        const pos =
          rand() < 0.5
            ? pick(
                rand,
                [4, 16, 36, 40, 56, 64].filter((p) => p + 4 <= b.length),
              )
            : int(rand, Math.max(0, b.length - 3));
        if (pos !== undefined && pos + 4 <= b.length)
          b.writeUInt32LE(rand() < 0.8 ? pick(rand, HUGE) : int(rand, 2 ** 32), pos);
        how.push('huge-length');
        break;
      }
      case 5:
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.from(Array.from({ length: 1 + int(rand, 64) }, () => int(rand, 256))),
          b.subarray(at),
        ]);
        how.push('junk');
        break;
      case 6:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rand, 200)))]);
        how.push('cut');
        break;
      default: {
        const end = Math.min(b.length, at + 1 + int(rand, 200));
        b = Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)]);
        how.push('double');
      }
    }
  }
  return { bytes: b, how };
}

export class ConsistencyError extends Error {
  override name = 'ConsistencyError';
}

/** Reads one input fully. Resolves 'ok' or 'rejected' (a DataFormatError); anything else throws. */
export async function readOne(format: FuzzFormat, bytes: Uint8Array, rand: Rand): Promise<'ok' | 'rejected'> {
  const src = memorySource(`fuzz.${format}`, bytes);
  try {
    if (format === 'fasta' || format === 'fasta-gz') {
      const seqs: number[][] = [];
      for await (const ev of readFasta(src, { chunkSize: 16 + int(rand, 1 << 14) })) {
        if (ev.type === 'header') seqs.push([]);
        else if (ev.type === 'bases' && ev.record < 3) for (const x of ev.bases) seqs[ev.record].push(x);
      }
      const fa = new IndexedFasta(src, await buildFastaIndex(src), 'built');
      for (let i = 0; i < Math.min(3, seqs.length); i++) {
        const len = fa.records.get(i).length;
        if (len !== seqs[i].length)
          throw new ConsistencyError(`record ${i}: index length ${len}, stream ${seqs[i].length}`);
        const a = int(rand, len + 1),
          e = a + int(rand, len - a + 1);
        const got = await fa.readBases(i, a, e);
        if (!got.every((x, j) => x === seqs[i][a + j]))
          throw new ConsistencyError(`record ${i} [${a}, ${e}): indexed read differs from the stream`);
      }
    } else if (format === 'fastq') {
      for await (const r of readFastq(src, { chunkSize: 16 + int(rand, 1 << 14) })) {
        if (r.bases.length !== r.quality.length)
          throw new ConsistencyError(`read ${r.name}: ${r.bases.length} bases, ${r.quality.length} qualities`);
      }
    } else {
      const reader = new WavReader(src, await readWavInfo(src));
      const { frames, format: f } = reader.info;
      if (frames * f.blockAlign > bytes.length)
        throw new ConsistencyError(`${frames} frames do not fit ${bytes.length} bytes`);
      await reader.readFrames(0, frames, rand() < 0.5 ? 'mix' : 'all');
      await wavStats(reader);
    }
    return 'ok';
  } catch (err) {
    if (err instanceof DataFormatError) return 'rejected';
    throw err;
  }
}

export interface FuzzReport {
  format: FuzzFormat;
  inputs: number;
  ok: number;
  rejected: number;
  crashes: Array<{ how: string[]; error: string; input: string }>;
  maxMs: number;
  seconds: number;
}

/** Runs until `inputs` inputs or `deadline` (ms since epoch) for one format. */
export async function fuzzFormat(
  format: FuzzFormat,
  seeds: Uint8Array[],
  inputs: number,
  deadline: number,
  seed: number,
): Promise<FuzzReport> {
  const rand = makeRand(seed);
  const report: FuzzReport = { format, inputs: 0, ok: 0, rejected: 0, crashes: [], maxMs: 0, seconds: 0 };
  const t0 = performance.now();
  while (report.inputs < inputs && Date.now() < deadline) {
    const { bytes, how } = mutate(pick(rand, seeds), pick(rand, seeds), rand);
    const t = performance.now();
    try {
      report[await readOne(format, bytes, rand)]++;
    } catch (err) {
      if (report.crashes.length < 20)
        report.crashes.push({
          how,
          error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
          input: Buffer.from(bytes).toString('base64'),
        });
      else report.crashes.length++;
    }
    report.maxMs = Math.max(report.maxMs, performance.now() - t);
    report.inputs++;
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}
