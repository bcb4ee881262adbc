// Where bytes come from: a file on disk or bytes in memory (tests, fuzzing, webview uploads),
// behind one random-access interface, plus the bounded chunked reader every streaming parser
// uses (AbortSignal, progress callback).
import { open, type FileHandle } from 'node:fs/promises';
import { throwIfAborted } from './errors';

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

class FileSource implements RandomAccessSource {
  constructor(
    readonly name: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  async read(position: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.handle.read(buf, got, n - got, position + got);
      if (bytesRead === 0) break; // the file shrank under us; return what exists
      got += bytesRead;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export async function openFileSource(path: string): Promise<RandomAccessSource> {
  const handle = await open(path, 'r');
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`${path}: not a regular file`);
    return new FileSource(path, st.size, handle);
  } catch (err) {
    await handle.close();
    throw err;
  }
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
