// safetensors (https://github.com/huggingface/safetensors) reader and writer over bytes, no fs.
// Layout: u64 little-endian header length N, N bytes of JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}},
// then the data section; offsets are relative to its start. The reader converts F32, F16 and
// BF16 to float32 and checks the header the way the reference implementation does: offsets in
// range, contiguous and non-overlapping, bytes equal to numel * dtype size. Every error names
// the file and the byte offset in the file. A file on disk is read in steps (length, header,
// data), so a bad length is refused before the rest is read. The writer writes F32.
import { showJson } from './show-json';

/** A float32 tensor on the host, row-major. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface SafetensorsFile {
  readonly tensors: Map<string, HostTensor>;
  readonly metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2 } as const;
type SupportedDtype = keyof typeof DTYPE_BYTES;
/** The header may not be larger than this (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

interface HeaderEntry {
  name: string;
  dtype: SupportedDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A checked header: its tensors (sorted by offset), metadata, and where the data section starts. */
export interface SafetensorsHeader {
  readonly entries: readonly HeaderEntry[];
  readonly metadata: Record<string, string>;
  readonly dataStart: number;
}

function fail(source: string, byte: number, what: string): never {
  throw new SafetensorsError(`${source}: ${what} (byte ${byte})`);
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * The header length from a file's first 8 bytes, checked against the limit and the file size
 * before anything more is read: a reader of a file on disk reads only this, then the header.
 */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize: number, source: string): number {
  if (first8.byteLength < 8 || fileSize < 8)
    fail(source, fileSize, `truncated: ${fileSize} bytes, the 8-byte header length is missing`);
  const headerLength = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    fail(source, 0, `header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES}`);
  if (headerLength > BigInt(fileSize - 8))
    fail(source, 0, `header length ${headerLength} runs past the end of the file (${fileSize} bytes)`);
  return Number(headerLength);
}

/** Parses and checks the header (the `header` bytes after the length) of a file of `fileSize` bytes. */
export function parseSafetensorsHeader(header: Uint8Array, fileSize: number, source: string): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header));
  } catch (err) {
    fail(source, 8, `header is not valid UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(source, 8, 'header is not a JSON object');
  const dataStart = 8 + header.byteLength;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        fail(source, 8, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(source, 8, `__metadata__ value "${k}" is not a string`);
        // Defined, not assigned: `metadata["__proto__"] = v` would drop the key.
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null) fail(source, 8, `tensor "${name}": entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    // An own property: "toString" is in every object.
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
      fail(
        source,
        8,
        `tensor "${name}": unsupported dtype ${showJson(dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt))
      fail(source, 8, `tensor "${name}": shape ${showJson(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
      fail(source, 8, `tensor "${name}": data_offsets ${showJson(offsets)} is not a pair of non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin)
      fail(source, dataStart + begin, `tensor "${name}": data_offsets [${begin}, ${end}] end before they begin`);
    const numel = (shape as number[]).reduce((a, s) => a * s, 1);
    const want = numel * DTYPE_BYTES[dtype as SupportedDtype];
    if (end - begin !== want) {
      fail(
        source,
        dataStart + begin,
        `tensor "${name}": ${end - begin} bytes for ${dtype} shape [${(shape as number[]).join(', ')}], expected ${want}`,
      );
    }
    entries.push({ name, dtype: dtype as SupportedDtype, shape: shape as number[], begin, end });
  }
  const dataLength = fileSize - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const e of entries) {
    if (e.end > dataLength) {
      fail(
        source,
        dataStart + e.begin,
        `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] run past the end of the data (${dataLength} bytes)`,
      );
    }
    if (e.begin < expectedBegin)
      fail(
        source,
        dataStart + e.begin,
        `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (ends at ${expectedBegin})`,
      );
    if (e.begin > expectedBegin)
      fail(
        source,
        dataStart + expectedBegin,
        `tensor "${e.name}": gap in the data before offset ${e.begin} (previous tensor ends at ${expectedBegin})`,
      );
    expectedBegin = e.end;
  }
  if (expectedBegin !== dataLength)
    fail(
      source,
      dataStart + expectedBegin,
      `${dataLength - expectedBegin} bytes after the last tensor are not described by the header`,
    );
  return { entries, metadata, dataStart };
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(bytes: Uint8Array, dtype: SupportedDtype): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    // A copy of exactly these bytes: a Node Buffer's slice() shares its (larger) memory instead.
    if (littleEndianHost) return new Float32Array(new Uint8Array(bytes).buffer);
    const out = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  const out = new Float32Array(bytes.byteLength / 2);
  if (dtype === 'F16') {
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  } else {
    // bfloat16 is the upper half of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  }
  return out;
}

/** The tensors of a checked header from its data section (the bytes from header.dataStart to the end). */
export function decodeSafetensors(header: SafetensorsHeader, data: Uint8Array): SafetensorsFile {
  const tensors = new Map<string, HostTensor>();
  for (const e of header.entries)
    tensors.set(e.name, { shape: e.shape, data: decode(data.subarray(e.begin, e.end), e.dtype) });
  return { tensors, metadata: header.metadata };
}

/** Parses a whole .safetensors file in memory; `source` names it in errors. */
export function readSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const n = safetensorsHeaderLength(bytes.subarray(0, 8), bytes.byteLength, source);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.byteLength, source);
  return decodeSafetensors(header, bytes.subarray(header.dataStart));
}

/** Serialises float32 tensors (sorted by name, as the reference writer does) with optional metadata. */
export function writeSafetensors(
  tensors: ReadonlyMap<string, HostTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name) as HostTensor;
    const numel = t.shape.reduce((a, s) => a * s, 1);
    if (numel !== t.data.length)
      throw new SafetensorsError(
        `tensor "${name}": shape [${t.shape.join(', ')}] holds ${numel} values, data has ${t.data.length}`,
      );
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * numel] };
    offset += 4 * numel;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data section starts 8-byte aligned.
  const headerBytes = new Uint8Array(json.byteLength + ((8 - (json.byteLength % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const name of names) {
    const data = (tensors.get(name) as HostTensor).data;
    for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
    at += 4 * data.length;
  }
  return out;
}
