// Data files as token segments for training and evaluation: FASTA (plain or gzip) through the
// DNA tokenizer, one segment per record part inside the requested range; WAV mixed down to one
// channel, resampled to the model's rate and mu-law quantized to 256 tokens, one segment per
// file. Each file also gets a manifest entry (size, SHA-256) so a run records exactly what it
// was trained on.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DnaTokenizer, type DnaTokenizerJson } from '../datasets/dna-tokenizer';
import { fastaTokenChunks } from '../datasets/fasta-tokens';
import { MULAW_TOKENS, mulawEncode } from '../datasets/mulaw';
import { resample } from '../datasets/resample';
import { readChunks, withFileSource } from '../datasets/source';
import { WavReader } from '../datasets/wav';
import { rangeBounds, recordMatches, type DataRange } from './data-range';

export type DataKind = 'dna' | 'audio';

/** A stretch of one record, in token ids. */
export interface Segment {
  file: string;
  record: string;
  /** Position of tokens[0] in its record. */
  start: number;
  tokens: Uint8Array;
}

export interface ManifestEntry {
  path: string;
  bytes: number;
  sha256: string;
  kind: DataKind;
  totalTokens: number;
  rangeTokens: number;
}

/** tokenizer.json of an audio model: 8-bit mu-law at a fixed sample rate, channels mixed down. */
export interface MulawTokenizerJson {
  type: 'seqlab-mulaw';
  version: 1;
  tokens: number;
  sampleRate: number;
  channels: 'mix';
}

/** The rate audio models hear (Hz): WAV files are resampled to it. */
export const AUDIO_MODEL_RATE = 16000;

export interface TokenData {
  kind: DataKind;
  vocabSize: number;
  /** Saved beside the model as tokenizer.json. */
  tokenizer: DnaTokenizerJson | MulawTokenizerJson;
  /** Token ids that the model is trained and scored on (others, like N, split windows and are excluded from scores). */
  scored: Uint8Array; // scored[id] = 1
  segments: Segment[];
  manifest: ManifestEntry[];
}

export function dataKindOf(path: string): DataKind {
  const name = basename(path)
    .toLowerCase()
    .replace(/\.(gz|bgz)$/, '');
  if (/\.(fa|fasta|fna|ffn|fas|seq)$/.test(name)) return 'dna';
  if (name.endsWith('.wav')) return 'audio';
  throw new Error(`${path}: not a FASTA (.fa, .fasta, .fna, optionally .gz) or WAV (.wav) file`);
}

export async function sha256File(path: string): Promise<string> {
  // Through the datasets' file source: regular files only, every read time-bounded.
  const hash = createHash('sha256');
  await withFileSource(path, async (src) => {
    for await (const chunk of readChunks(src, 0, src.size)) hash.update(chunk);
  });
  return hash.digest('hex');
}

interface RecordTokens {
  name: string;
  tokens: Uint8Array;
}

async function readFastaRecords(path: string, tokenizer: DnaTokenizer): Promise<RecordTokens[]> {
  const records: { name: string; parts: Int32Array[]; length: number }[] = [];
  await withFileSource(path, async (src) => {
    for await (const chunk of fastaTokenChunks(src, tokenizer, 1 << 20)) {
      let cur = records[records.length - 1];
      if (!cur || chunk.start === 0) records.push((cur = { name: chunk.record.name, parts: [], length: 0 }));
      cur.parts.push(chunk.tokens);
      cur.length += chunk.tokens.length;
    }
  });
  return records.map((r) => {
    const tokens = new Uint8Array(r.length);
    let at = 0;
    for (const p of r.parts) {
      tokens.set(p, at);
      at += p.length;
    }
    return { name: r.name, tokens };
  });
}

/** The records `range.records` names (all when it names none); each name must match a record. */
function selectRecords(file: string, records: RecordTokens[], range: DataRange): RecordTokens[] {
  if (!range.records) return records;
  for (const want of range.records) {
    if (!records.some((r) => recordMatches(r.name, want))) {
      const names =
        records
          .slice(0, 5)
          .map((r) => r.name)
          .join(', ') + (records.length > 5 ? `, … (${records.length} records)` : '');
      throw new Error(`${file}: no record named "${want}" (records: ${names})`);
    }
  }
  return records.filter((r) => range.records!.some((want) => recordMatches(r.name, want)));
}

/** Cuts the selected records to the range of positions over all of them. */
function segmentsInRange(
  file: string,
  allRecords: RecordTokens[],
  range: DataRange,
): { segments: Segment[]; total: number; inRange: number } {
  const records = selectRecords(file, allRecords, range);
  const total = records.reduce((s, r) => s + r.tokens.length, 0);
  const [lo, hi] = rangeBounds(range, total);
  const segments: Segment[] = [];
  let offset = 0;
  for (const r of records) {
    const s = Math.max(lo, offset) - offset,
      e = Math.min(hi, offset + r.tokens.length) - offset;
    if (e > s) segments.push({ file, record: r.name, start: s, tokens: r.tokens.subarray(s, e) });
    offset += r.tokens.length;
  }
  return { segments, total, inRange: hi - lo };
}

async function readWavTokens(path: string, rate: number): Promise<RecordTokens[]> {
  const wav = await WavReader.open(path);
  try {
    const mixed = await wav.readFrames(0, wav.info.frames, 'mix');
    const atRate = wav.format.sampleRate === rate ? mixed : resample(mixed, wav.format.sampleRate, rate);
    return [{ name: basename(path), tokens: Uint8Array.from(mulawEncode(atRate)) }];
  } finally {
    await wav.close();
  }
}

/** Loads every file's part in `range`. All files must be of one kind. */
export async function loadTokenData(files: readonly string[], range: DataRange): Promise<TokenData> {
  if (files.length === 0) throw new Error('no data files given');
  const kinds = new Set(files.map(dataKindOf));
  if (kinds.size > 1) throw new Error(`data files mix DNA and audio: ${files.join(', ')}`);
  const kind = [...kinds][0];
  if (range.records && kind !== 'dna')
    throw new Error(`records (${range.records.join(', ')}) select FASTA records; ${files[0]} is a WAV file`);
  const dna = DnaTokenizer.default();
  const tokenizer =
    kind === 'dna'
      ? dna.toJSON()
      : ({
          type: 'seqlab-mulaw',
          version: 1,
          tokens: MULAW_TOKENS,
          sampleRate: AUDIO_MODEL_RATE,
          channels: 'mix',
        } as const);
  const vocabSize = kind === 'dna' ? dna.vocabSize : MULAW_TOKENS;
  const scored = new Uint8Array(vocabSize);
  if (kind === 'dna') for (const ch of 'ACGT') scored[dna.encodeString(ch)[0]] = 1;
  else scored.fill(1);
  const segments: Segment[] = [],
    manifest: ManifestEntry[] = [];
  for (const file of files) {
    const records = kind === 'dna' ? await readFastaRecords(file, dna) : await readWavTokens(file, AUDIO_MODEL_RATE);
    const cut = segmentsInRange(file, records, range);
    if (cut.inRange === 0) throw new Error(`${file}: the range selects no positions (${cut.total} in the file)`);
    segments.push(...cut.segments);
    manifest.push({
      path: file,
      bytes: (await stat(file)).size,
      sha256: await sha256File(file),
      kind,
      totalTokens: cut.total,
      rangeTokens: cut.inRange,
    });
  }
  return { kind, vocabSize, tokenizer, scored, segments, manifest };
}
