// Where bytes come from: a file on disk or bytes in memory (tests, fuzzing, webview uploads),
// behind one random-access interface, plus the bounded chunked reader every streaming parser
// uses (AbortSignal, progress callback). Only regular files are opened, and every read of one
// is time-bounded: nothing here can wait forever on a FIFO or a stalled drive.
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { ReadTimeoutError, throwIfAborted } from './errors';

export interface RandomAccessSource {
  /** Shown in error messages: the path, or a label for in-memory data. */
  readonly name: string;
  readonly size: number;
  /** Up to `length` bytes from `position`; shorter only at the end of the source. */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** Called after each chunk with bytes read so far (of the file, compressed or not) and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Bytes per read; memory use of a stream is a small multiple of this. */
  chunkSize?: number;
}

export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** What a file source needs of an open file: FileHandle's read and close. */
export interface OpenFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/**
 * Each read call of a file must finish within this: a stalled network drive or device would
 * otherwise hold the caller (and a libuv thread, shared in the extension host by every
 * extension) with no message. Reads are split so the bound is per READ_CALL_BYTES.
 */
const READ_TIMEOUT_MS = 60_000;
const READ_CALL_BYTES = 1 << 24;

class FileSource implements RandomAccessSource {
  /** Set when a read timed out: that read may never end, so close() must not wait for it. */
  private stalled = false;

  constructor(
    readonly name: string,
    readonly size: number,
    private readonly file: OpenFile,
    private readonly timeoutMs: number,
  ) {}

  async read(position: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.bounded(
        this.file.read(buf, got, Math.min(n - got, READ_CALL_BYTES), position + got),
        position + got,
      );
      if (bytesRead === 0) break; // the file shrank under us; return what exists
      got += bytesRead;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  private bounded<T>(op: Promise<T>, position: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.stalled = true;
        reject(new ReadTimeoutError(this.name, position, this.timeoutMs));
      }, this.timeoutMs);
    });
    return Promise.race([op, timeout]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    // FileHandle.close waits for reads in flight; after a stalled one, let it close whenever it can.
    if (this.stalled) void this.file.close().catch(() => undefined);
    else await this.file.close();
  }
}

/** A source over an open file of `size` bytes whose every read call is bounded by `timeoutMs`. */
export function fileSource(
  name: string,
  size: number,
  file: OpenFile,
  timeoutMs = READ_TIMEOUT_MS,
): RandomAccessSource {
  return new FileSource(name, size, file, timeoutMs);
}

// O_NONBLOCK so that opening a FIFO returns at once (a plain open waits for a writer, forever);
// it changes nothing for regular files, and a FIFO is refused below anyway.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Opens a regular file for reading; FIFOs, devices, sockets and directories are refused, naming the path. */
export async function openFileSource(path: string): Promise<RandomAccessSource> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`${path}: not a regular file (${fileKind(st)}); only regular files are read`);
    return fileSource(path, st.size, handle);
  } catch (err) {
    await handle.close();
    throw err;
  }
}

function fileKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** All of a source, refused (before reading it) when it is larger than `maxBytes`, naming it and its size. */
export async function readAll(src: RandomAccessSource, maxBytes: number): Promise<Uint8Array> {
  if (src.size > maxBytes) throw new Error(`${src.name}: ${src.size} bytes, more than the ${maxBytes} read from it`);
  return src.read(0, src.size);
}

export function memorySource(name: string, bytes: Uint8Array): RandomAccessSource {
  return {
    name,
    size: bytes.length,
    read: async (position, length) =>
      bytes.subarray(Math.min(position, bytes.length), Math.min(position + length, bytes.length)),
    close: async () => undefined,
  };
}

/** Opens a file, runs `use`, and closes the file whatever happens. */
export async function withFileSource<T>(path: string, use: (src: RandomAccessSource) => Promise<T>): Promise<T> {
  const src = await openFileSource(path);
  try {
    return await use(src);
  } finally {
    await src.close();
  }
}

/** The bytes [start, end) of a source in chunks of at most `chunkSize`. */
export async function* readChunks(
  src: RandomAccessSource,
  start: number,
  end: number,
  opts: StreamOptions = {},
): AsyncGenerator<Uint8Array> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const stop = Math.min(end, src.size);
  for (let pos = start; pos < stop;) {
    throwIfAborted(opts.signal, src.name);
    const chunk = await src.read(pos, Math.min(chunkSize, stop - pos));
    if (chunk.length === 0) return;
    pos += chunk.length;
    opts.onProgress?.(pos, src.size);
    yield chunk;
  }
}
