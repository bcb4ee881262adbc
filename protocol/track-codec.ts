// The binary item of an analysis output (ANALYSIS_MIME): the OutputSummary plus its blocks of numbers
// (float32 tracks, uint8 sequence letters), packed so that the renderer gets typed arrays without
// parsing numbers out of JSON. Pure: imported by the host (writes) and the renderer (reads).
//
// Layout, little-endian:  'SQLB' | u32 version | u32 H | H bytes of JSON {summary, blocks} | pad to 4 |
//                         each block's bytes, in the JSON's order, each padded to 4.
// blocks[i] = { key, dtype: 'f32' | 'u8', length } (elements, not bytes).
import { VARIANT_BLOCKS, type OutputSummary, type VariantScoresSummary } from './notebook-output';

export const CODEC_VERSION = 1;
const MAGIC = 0x424c5153; // 'SQLB' read as a little-endian u32

export type Block = Float32Array | Uint8Array;
type DType = 'f32' | 'u8';
interface BlockEntry {
  key: string;
  dtype: DType;
  length: number;
}

export class CodecError extends Error {
  override name = 'CodecError';
}

const pad4 = (n: number): number => (n + 3) & ~3;
const dtypeOf = (b: Block): DType => (b instanceof Float32Array ? 'f32' : 'u8');

/** Packs a summary and its blocks. Every track in the summary must name a block of rows*length values. */
export function encodeOutput(summary: OutputSummary, blocks: ReadonlyMap<string, Block>): Uint8Array {
  checkTracks(summary, blocks);
  if (summary.kind === 'variant-scores') checkVariants(summary, blocks);
  const entries: BlockEntry[] = [...blocks].map(([key, b]) => ({ key, dtype: dtypeOf(b), length: b.length }));
  const json = new TextEncoder().encode(JSON.stringify({ summary, blocks: entries }));
  let size = pad4(12 + json.length);
  for (const b of blocks.values()) size += pad4(b.byteLength);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, CODEC_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let at = pad4(12 + json.length);
  for (const b of blocks.values()) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), at);
    at += pad4(b.byteLength);
  }
  return out;
}

/** Unpacks what encodeOutput wrote; throws CodecError saying what is wrong with the bytes. */
export function decodeOutput(bytes: Uint8Array): { summary: OutputSummary; blocks: Map<string, Block> } {
  if (bytes.byteLength < 12)
    throw new CodecError(`analysis output: ${bytes.byteLength} bytes, too short for the header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new CodecError('analysis output: bad magic (not a SeqLab analysis)');
  const version = view.getUint32(4, true);
  if (version !== CODEC_VERSION)
    throw new CodecError(`analysis output: version ${version}, this build reads ${CODEC_VERSION}`);
  const jsonLength = view.getUint32(8, true);
  if (12 + jsonLength > bytes.byteLength)
    throw new CodecError(`analysis output: header of ${jsonLength} bytes runs past the end (${bytes.byteLength})`);
  let header: { summary: OutputSummary; blocks: BlockEntry[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as typeof header;
  } catch (e) {
    throw new CodecError(`analysis output: header is not JSON (${(e as Error).message})`);
  }
  if (
    typeof header !== 'object' ||
    header === null ||
    !Array.isArray(header.blocks) ||
    typeof header.summary !== 'object' ||
    header.summary === null
  ) {
    throw new CodecError('analysis output: header lacks summary or blocks');
  }
  if (header.summary.schema !== 1)
    throw new CodecError(`analysis output: summary schema ${String(header.summary.schema)}, expected 1`);
  const blocks = new Map<string, Block>();
  let at = pad4(12 + jsonLength);
  for (const e of header.blocks) {
    if (
      typeof e.key !== 'string' ||
      (e.dtype !== 'f32' && e.dtype !== 'u8') ||
      !Number.isInteger(e.length) ||
      e.length < 0
    ) {
      throw new CodecError(`analysis output: bad block entry ${JSON.stringify(e)}`);
    }
    const byteLength = e.length * (e.dtype === 'f32' ? 4 : 1);
    if (at + byteLength > bytes.byteLength)
      throw new CodecError(
        `analysis output: block "${e.key}" (${byteLength} bytes at ${at}) runs past the end (${bytes.byteLength})`,
      );
    // Copy: the input may sit at an offset that a Float32Array view cannot start at (and a Node
    // Buffer's slice() would be a view into its pool, not a copy).
    const raw = new Uint8Array(byteLength);
    raw.set(bytes.subarray(at, at + byteLength));
    blocks.set(e.key, e.dtype === 'f32' ? new Float32Array(raw.buffer, 0, e.length) : raw);
    at += pad4(byteLength);
  }
  checkTracks(header.summary, blocks);
  if (header.summary.kind === 'variant-scores') checkVariants(header.summary, blocks);
  return { summary: header.summary, blocks };
}

function checkTracks(summary: OutputSummary, blocks: ReadonlyMap<string, Block>): void {
  for (const t of summary.tracks) {
    const b = blocks.get(t.block);
    if (!b) throw new CodecError(`analysis output: track "${t.label}" names missing block "${t.block}"`);
    if (b.length !== t.rows * t.length) {
      throw new CodecError(
        `analysis output: track "${t.label}" needs ${t.rows}x${t.length} values, block "${t.block}" has ${b.length}`,
      );
    }
    if ((t.kind === 'sequence') !== b instanceof Uint8Array)
      throw new CodecError(`analysis output: track "${t.label}" has the wrong element type`);
  }
}

/** A variants table's columns as long as each other, its LLR blocks one float per row, its letters where they say. */
function checkVariants(summary: VariantScoresSummary, blocks: ReadonlyMap<string, Block>): void {
  const v = summary.variants;
  const rows = v.line?.length;
  for (const key of ['line', 'chrom', 'record', 'pos', 'ref', 'alt', 'status'] as const)
    if (!Array.isArray(v[key]) || v[key].length !== rows)
      throw new CodecError(`variants output: column "${key}" is not a list of ${rows} rows`);
  if (!Array.isArray(v.chroms) || v.chrom.some((c) => !(c >= 0 && c < v.chroms.length)))
    throw new CodecError('variants output: a row names a CHROM not in "chroms"');
  if (!Array.isArray(summary.records) || v.record.some((r) => !(r >= -1 && r < summary.records.length)))
    throw new CodecError('variants output: a row names a record the output does not have');
  for (const key of [VARIANT_BLOCKS.llr, VARIANT_BLOCKS.llrForward, VARIANT_BLOCKS.llrReverse]) {
    const b = blocks.get(key);
    if (!(b instanceof Float32Array) || b.length !== rows)
      throw new CodecError(`variants output: block "${key}" is not ${rows} float32 values`);
  }
  for (const r of summary.records) {
    const b = blocks.get(r.letters.block);
    const total = r.letters.starts.reduce((sum, s, i) => sum + (r.letters.ends[i] - s), 0);
    if (!(b instanceof Uint8Array) || b.length !== total)
      throw new CodecError(
        `variants output: record "${r.name}" has ${total} letters, block "${r.letters.block}" does not`,
      );
  }
}
