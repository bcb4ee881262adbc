// The container around a text file: plain bytes, gzip (one or many members, as `cat a.gz b.gz`
// makes), or BGZF (the blocked gzip of samtools/htslib: each member at most 64 KiB, its size in a
// 'BC' extra field, which is what makes random access into a compressed file possible).
// Every reader here streams with bounded memory; gzip errors name the compressed byte offset.
import { createGunzip, gunzip } from 'node:zlib';
import { Readable } from 'node:stream';
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
  FEXTRA = 4;
const GZIP_FIXED_HEADER = 12; // through XLEN
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

async function* gzipChunks(src: RandomAccessSource, opts: StreamOptions): AsyncGenerator<Uint8Array> {
  const inflater = createGunzip({ chunkSize: 1 << 16 });
  const input = Readable.from(readChunks(src, 0, src.size, opts), { objectMode: false });
  input.on('error', (err) => inflater.destroy(err));
  input.pipe(inflater);
  try {
    for await (const out of inflater) yield out as Uint8Array;
  } catch (err) {
    if (err instanceof Error && 'errno' in err) {
      // zlib reports no position; bytesWritten is how much compressed input it had consumed.
      throw new DataFormatError(src.name, { offset: inflater.bytesWritten, compressed: true }, `gzip: ${err.message}`);
    }
    throw err;
  } finally {
    input.destroy();
    inflater.destroy();
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
