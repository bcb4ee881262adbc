// The container around a text file: plain bytes, gzip (one or many members, as `cat a.gz b.gz`
// makes), or BGZF (the blocked gzip of samtools/htslib: each member at most 64 KiB, its size in a
// 'BC' extra field, which is what makes random access into a compressed file possible).
// Every reader here streams with bounded memory; gzip errors name the compressed byte offset
// (exactly where a member's header or trailer is wrong, where trailing garbage starts).
import { crc32, createInflateRaw, gunzip, type InflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import { DataFormatError, throwIfAborted } from './errors';
import { DEFAULT_CHUNK_SIZE, readChunks, type RandomAccessSource, type StreamOptions } from './source';

export type Container = 'plain' | 'gzip' | 'bgzf';

/** Where one BGZF block starts, in the compressed file and in the decompressed contents (like a .gzi). */
export interface BgzfBlock {
  readonly compressedOffset: number;
  readonly contentOffset: number;
}

export interface ContentStreamOptions extends StreamOptions {
  /** Called for each BGZF block as it is decoded, in order: the block table of an index. */
  onBgzfBlock?: (block: BgzfBlock) => void;
}

const GZIP_ID1 = 0x1f,
  GZIP_ID2 = 0x8b,
  DEFLATE = 8,
  FHCRC = 2,
  FEXTRA = 4,
  FNAME = 8,
  FCOMMENT = 16;
const RESERVED_FLAGS = 0xe0;
const GZIP_HEADER = 10; // magic, method, flags, mtime, extra flags, OS
const GZIP_FIXED_HEADER = 12; // through XLEN
/** Most bytes a gzip member header (with its file name and comment) may take. */
const MAX_GZIP_HEADER = 1 << 16;
const BGZF_MAX_BLOCK = 65536;
const gunzipAsync = promisify(gunzip);

/** Reads the first bytes: gzip magic, and a BGZF 'BC' subfield in the first member's header. */
export async function detectContainer(src: RandomAccessSource): Promise<Container> {
  const head = await src.read(0, GZIP_FIXED_HEADER);
  if (head.length < 2 || head[0] !== GZIP_ID1 || head[1] !== GZIP_ID2) return 'plain';
  return (await bgzfBlockSize(src, 0)) === undefined ? 'gzip' : 'bgzf';
}

/**
 * The total size of the BGZF block at `offset` (from its BSIZE field), or undefined when the
 * member there is gzip without a BC subfield. Throws on a header that is not gzip at all.
 */
async function bgzfBlockSize(src: RandomAccessSource, offset: number): Promise<number | undefined> {
  const head = await src.read(offset, GZIP_FIXED_HEADER);
  if (head.length < GZIP_FIXED_HEADER || head[0] !== GZIP_ID1 || head[1] !== GZIP_ID2 || head[2] !== DEFLATE) {
    throw new DataFormatError(
      src.name,
      { offset, compressed: true },
      head.length < GZIP_FIXED_HEADER ? 'truncated gzip header' : 'not a gzip member (bad magic or compression method)',
    );
  }
  if ((head[3] & FEXTRA) === 0) return undefined;
  const xlen = head[10] | (head[11] << 8);
  const extra = await src.read(offset + GZIP_FIXED_HEADER, xlen);
  if (extra.length < xlen)
    throw new DataFormatError(
      src.name,
      { offset: offset + GZIP_FIXED_HEADER, compressed: true },
      'truncated gzip extra field',
    );
  for (let p = 0; p + 4 <= xlen;) {
    const slen = extra[p + 2] | (extra[p + 3] << 8);
    if (extra[p] === 66 && extra[p + 1] === 67 && slen === 2 && p + 6 <= xlen)
      return (extra[p + 4] | (extra[p + 5] << 8)) + 1;
    p += 4 + slen;
  }
  return undefined;
}

/** The decompressed contents in chunks, whatever the container. */
export async function* contentChunks(
  src: RandomAccessSource,
  container: Container,
  opts: ContentStreamOptions = {},
): AsyncGenerator<Uint8Array> {
  if (container === 'plain') yield* readChunks(src, 0, src.size, opts);
  else if (container === 'gzip') yield* gzipChunks(src, opts);
  else yield* bgzfChunks(src, 0, 0, opts);
}

/**
 * A plain gzip file, member by member: each member's header read here, its deflate data inflated
 * raw (zlib's consumed count then says exactly where the data ended), its CRC-32 and size trailer
 * checked. Knowing where each member ends is what lets an error name the byte where trailing
 * garbage starts. Zero bytes after the last member are padding, as gzip(1) takes them.
 */
async function* gzipChunks(src: RandomAccessSource, opts: StreamOptions): AsyncGenerator<Uint8Array> {
  const input = new ReadCursor(src, opts);
  for (let pos = 0; pos < src.size;) {
    const padding = pos > 0 ? await zerosFrom(input, pos) : 0;
    if (pos + padding === src.size) return;
    if (padding > 0) throw gzipError(src, pos + padding, 'trailing garbage after zero padding');
    const dataStart = pos + (await gzipHeaderLength(src, pos));
    const inflater = createInflateRaw({ chunkSize: 1 << 16 });
    feedMember(input, dataStart, inflater).catch((err: unknown) => inflater.destroy(err as Error));
    let crc = 0,
      size = 0;
    try {
      for await (const out of inflater) {
        crc = crc32(out as Uint8Array, crc);
        size = (size + (out as Uint8Array).length) % 2 ** 32;
        yield out as Uint8Array;
      }
    } catch (err) {
      // zlib reports no position; bytesWritten is how much deflate data it had consumed.
      if (err instanceof Error && 'errno' in err) throw gzipError(src, dataStart + inflater.bytesWritten, err.message);
      throw err;
    } finally {
      inflater.destroy();
    }
    const end = dataStart + inflater.bytesWritten;
    const trailer = await src.read(end, 8);
    if (trailer.length < 8) throw gzipError(src, end, 'unexpected end of file');
    const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
    if (view.getUint32(0, true) !== crc) throw gzipError(src, end, 'incorrect data check');
    if (view.getUint32(4, true) !== size) throw gzipError(src, end + 4, 'incorrect length check');
    pos = end + 8;
  }
}

function gzipError(src: RandomAccessSource, offset: number, problem: string): DataFormatError {
  return new DataFormatError(src.name, { offset, compressed: true }, `gzip: ${problem}`);
}

/** Writes deflate data from `start` into `inflater` until it stops taking it (the member's end) or the file ends. */
async function feedMember(input: ReadCursor, start: number, inflater: InflateRaw): Promise<void> {
  let fed = 0;
  for await (const chunk of input.from(start)) {
    await new Promise<void>((resolve, reject) => inflater.write(chunk, (err) => (err ? reject(err) : resolve())));
    fed += chunk.length;
    if (inflater.destroyed || inflater.bytesWritten < fed) return;
  }
  inflater.end();
}

/** How many zero bytes start at `pos` (padding after a gzip member). */
async function zerosFrom(input: ReadCursor, pos: number): Promise<number> {
  let n = 0;
  for await (const chunk of input.from(pos)) {
    const nonZero = chunk.findIndex((b) => b !== 0);
    if (nonZero >= 0) return n + nonZero;
    n += chunk.length;
  }
  return n;
}

/** The length of the gzip member header at `offset` (fixed part, extra field, name, comment, header CRC). */
async function gzipHeaderLength(src: RandomAccessSource, offset: number): Promise<number> {
  let head = await src.read(offset, GZIP_HEADER);
  if (head.length < 2 || head[0] !== GZIP_ID1 || head[1] !== GZIP_ID2)
    throw gzipError(src, offset, offset === 0 ? 'not a gzip file' : 'trailing garbage after the last gzip member');
  if (head.length < GZIP_HEADER) throw gzipError(src, offset + head.length, 'unexpected end of file');
  if (head[2] !== DEFLATE) throw gzipError(src, offset + 2, 'unknown compression method');
  const flags = head[3];
  if (flags & RESERVED_FLAGS) throw gzipError(src, offset + 3, 'unknown header flags set');
  let at = GZIP_HEADER;
  if (flags & (FEXTRA | FNAME | FCOMMENT)) head = await src.read(offset, MAX_GZIP_HEADER);
  if (flags & FEXTRA) at += 2 + (head[at] | (head[at + 1] << 8));
  for (const flag of [FNAME, FCOMMENT]) {
    if ((flags & flag) === 0) continue;
    const nul = head.indexOf(0, at);
    if (nul < 0) throw gzipError(src, offset + at, `header longer than ${MAX_GZIP_HEADER} bytes, or cut off`);
    at = nul + 1;
  }
  if (flags & FHCRC) at += 2;
  if (at > head.length) throw gzipError(src, offset + head.length, 'unexpected end of file');
  return at;
}

/** Sequential reads of a source in chunks that can start again anywhere inside the last chunk without reading it twice. */
class ReadCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;

  constructor(
    private readonly src: RandomAccessSource,
    private readonly opts: StreamOptions,
  ) {}

  async *from(pos: number): AsyncGenerator<Uint8Array> {
    while (pos < this.src.size) {
      throwIfAborted(this.opts.signal, this.src.name);
      if (pos < this.bufStart || pos >= this.bufStart + this.buf.length) {
        this.buf = await this.src.read(pos, this.opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
        this.bufStart = pos;
        if (this.buf.length === 0) return;
        this.opts.onProgress?.(pos + this.buf.length, this.src.size);
      }
      const piece = this.buf.subarray(pos - this.bufStart);
      pos += piece.length;
      yield piece;
    }
  }
}

/** BGZF blocks from `compressedOffset` (a block start whose contents begin at `contentOffset`). */
async function* bgzfChunks(
  src: RandomAccessSource,
  compressedOffset: number,
  contentOffset: number,
  opts: ContentStreamOptions,
): AsyncGenerator<Uint8Array> {
  const window = Math.max(opts.chunkSize ?? DEFAULT_CHUNK_SIZE, BGZF_MAX_BLOCK);
  let buf: Uint8Array = new Uint8Array(0),
    bufStart = compressedOffset;
  for (let pos = compressedOffset, out = contentOffset; pos < src.size;) {
    throwIfAborted(opts.signal, src.name);
    const size = await bgzfBlockSize(src, pos);
    if (size === undefined)
      throw new DataFormatError(
        src.name,
        { offset: pos, compressed: true },
        'gzip member without a BGZF size field inside a BGZF file',
      );
    if (pos + size > src.size)
      throw new DataFormatError(
        src.name,
        { offset: pos, compressed: true },
        `BGZF block of ${size} bytes runs past the end of the file (${src.size} bytes)`,
      );
    if (pos + size > bufStart + buf.length) {
      buf = await src.read(pos, Math.max(window, size));
      bufStart = pos;
    }
    let data: Uint8Array;
    try {
      data = await gunzipAsync(buf.subarray(pos - bufStart, pos - bufStart + size));
    } catch (err) {
      throw new DataFormatError(
        src.name,
        { offset: pos, compressed: true },
        `BGZF block: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    opts.onBgzfBlock?.({ compressedOffset: pos, contentOffset: out });
    pos += size;
    out += data.length;
    opts.onProgress?.(pos, src.size);
    if (data.length > 0) yield data;
  }
}

/**
 * The decompressed bytes [start, end) in chunks. Plain files and BGZF (given its block table)
 * read only what the range needs; a plain gzip file can only be decompressed from its
 * beginning, so reading stops at `end` but starts at byte 0.
 */
export async function* contentRangeChunks(
  src: RandomAccessSource,
  container: Container,
  start: number,
  end: number,
  blocks?: readonly BgzfBlock[],
  opts: StreamOptions = {},
): AsyncGenerator<Uint8Array> {
  if (end <= start) return;
  if (container === 'plain') {
    yield* readChunks(src, start, end, opts);
    return;
  }
  let first: BgzfBlock = { compressedOffset: 0, contentOffset: 0 };
  if (container === 'bgzf' && blocks && blocks.length > 0) first = blocks[lastAtOrBefore(blocks, start)];
  const chunks =
    container === 'bgzf' ? bgzfChunks(src, first.compressedOffset, first.contentOffset, opts) : gzipChunks(src, opts);
  let pos = first.contentOffset;
  for await (const chunk of chunks) {
    const from = Math.max(start, pos),
      to = Math.min(end, pos + chunk.length);
    if (to > from) yield chunk.subarray(from - pos, to - pos);
    pos += chunk.length;
    if (pos >= end) return;
  }
}

/** The decompressed bytes [start, end) in one array (shorter when the contents end first). */
export async function readContentRange(
  src: RandomAccessSource,
  container: Container,
  start: number,
  end: number,
  blocks?: readonly BgzfBlock[],
  opts: StreamOptions = {},
): Promise<Uint8Array> {
  if (end <= start) return new Uint8Array(0);
  if (container === 'plain') return src.read(start, end - start);
  const out = new Uint8Array(end - start);
  let filled = 0;
  for await (const chunk of contentRangeChunks(src, container, start, end, blocks, opts)) {
    out.set(chunk, filled);
    filled += chunk.length;
  }
  return filled === out.length ? out : out.subarray(0, filled);
}

function lastAtOrBefore(blocks: readonly BgzfBlock[], contentOffset: number): number {
  let lo = 0,
    hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (blocks[mid].contentOffset <= contentOffset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
