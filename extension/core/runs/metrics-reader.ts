// Reading a run's metrics.jsonl without holding the extension host's event loop, however long the
// run: a follower reads it forward in chunks, parsing in slices of a few milliseconds, and
// remembers where its last complete line ended so that the next read takes only what was appended
// (a file replaced or cut short, as a resume rewrites it, is read again from the start); the
// latest records (what the Runs view shows) are read from the end, a bounded number of bytes.
// A line holds a record when parseMetricRecord accepts it, a value written as null (JSON for NaN
// and infinity) counting as missing; other lines (torn by a crash, or not the run's) are skipped.
import { stat } from 'node:fs/promises';
import { openFileSource, readChunks, type RandomAccessSource } from '../datasets/source';
import { parseMetricRecord, type MetricRecord } from '../../../protocol/training-messages';

/** Bytes per read going forward: small enough that its text stays in V8's young generation (cheap to collect). */
const CHUNK_BYTES = 64 << 10;
/** Bytes per read going back from the end. */
const TAIL_CHUNK_BYTES = 64 << 10;
/** The most bytes read back from the end for the latest records: about 30 000 lines. */
export const MAX_TAIL_BYTES = 4 << 20;
/** The longest the parser runs before it lets the event loop turn. */
const SLICE_MS = 4;
const NEWLINE = 0x0a;

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The record a line holds, or undefined. */
export function parseMetricLine(line: string): MetricRecord | undefined {
  // Not an object: skipped before JSON.parse, whose every SyntaxError costs microseconds.
  if (!/^\s*\{/.test(line)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (line.includes('null') && typeof raw === 'object' && raw !== null)
    for (const [k, v] of Object.entries(raw)) if (v === null) delete (raw as Record<string, unknown>)[k];
  try {
    return parseMetricRecord(raw);
  } catch {
    return undefined;
  }
}

const decoder = new TextDecoder();

async function identity(path: string): Promise<{ ino: number; size: number } | undefined> {
  return stat(path).then(
    (s) => ({ ino: s.ino, size: s.size }),
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    },
  );
}

async function withSource<T>(path: string, use: (src: RandomAccessSource) => Promise<T>): Promise<T> {
  const src = await openFileSource(path);
  try {
    return await use(src);
  } finally {
    await src.close();
  }
}

/** Follows one metrics.jsonl: each read() hands over the records appended since the one before. */
export class MetricsFollower {
  private ino = -1;
  /** Just past the last complete line read. */
  private offset = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /**
   * Calls `onRecord` for each record appended since the last read (all of them the first time);
   * when the file was replaced, cut short or removed, calls `onRestart` first and reads it all.
   * Reads run one at a time, in call order.
   */
  read(onRecord: (r: MetricRecord) => void, onRestart: () => void): Promise<void> {
    const run = this.queue.then(() => this.readNow(onRecord, onRestart));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readNow(onRecord: (r: MetricRecord) => void, onRestart: () => void): Promise<void> {
    const id = await identity(this.path);
    if (id?.ino !== this.ino || id.size < this.offset) {
      if (this.ino !== -1) onRestart();
      this.ino = id?.ino ?? -1;
      this.offset = 0;
    }
    if (!id || id.size === this.offset) return;
    await withSource(this.path, async (src) => {
      // The bytes after the last newline, chunk by chunk: a line longer than a chunk is joined once,
      // when its newline comes, not copied and searched again with every chunk.
      let carry: Uint8Array[] = [];
      let at = this.offset;
      let slice = performance.now();
      for await (const chunk of readChunks(src, this.offset, id.size, { chunkSize: CHUNK_BYTES })) {
        const cut = chunk.lastIndexOf(NEWLINE) + 1;
        if (cut === 0) {
          carry.push(chunk);
          continue;
        }
        const bytes = carry.length ? concat(...carry, chunk.subarray(0, cut)) : chunk.subarray(0, cut);
        const lines = decoder.decode(bytes).split('\n');
        for (let i = 0; i < lines.length; i++) {
          const r = lines[i] ? parseMetricLine(lines[i]) : undefined;
          if (r) onRecord(r);
          if ((i & 255) === 255 && performance.now() - slice > SLICE_MS) {
            await yieldTurn();
            slice = performance.now();
          }
        }
        at += bytes.length;
        carry = [chunk.slice(cut)];
        this.offset = at;
      }
      // A last line without its newline is a record only when whole; one still being written waits.
      const rest = concat(...carry);
      const r = rest.length ? parseMetricLine(decoder.decode(rest)) : undefined;
      if (r) {
        onRecord(r);
        this.offset = at + rest.length;
      }
    });
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every record of a metrics.jsonl (none when it does not exist), read in chunks. */
export async function readMetricsFile(path: string): Promise<MetricRecord[]> {
  const out: MetricRecord[] = [];
  await new MetricsFollower(path).read(
    (r) => out.push(r),
    () => undefined,
  );
  return out;
}

/** The newest records of a metrics.jsonl, and how far into which file they were read. */
export interface LatestMetrics {
  ino: number;
  /** Where the lines read end: just past the last complete line (or a whole last line without its newline). */
  end: number;
  last?: MetricRecord;
  /** The last record with a validation loss. */
  lastVal?: MetricRecord;
}

/**
 * The last record and the last validation loss of a metrics.jsonl, read back from its end: down to
 * where `since` (an earlier answer for the same file) ended, else MAX_TAIL_BYTES at most; what is
 * not found there is taken from `since`. Undefined when the file does not exist.
 */
export async function latestMetrics(path: string, since?: LatestMetrics): Promise<LatestMetrics | undefined> {
  const id = await identity(path);
  if (!id) return undefined;
  const base = since?.ino === id.ino && since.end <= id.size ? since : undefined;
  if (base?.end === id.size) return base;
  const floor = Math.max(base?.end ?? 0, id.size - MAX_TAIL_BYTES);
  const lineStart = base?.end ?? 0;
  const found: LatestMetrics = { ino: id.ino, end: id.size };
  await withSource(path, async (src) => {
    let carry: Uint8Array = new Uint8Array(0);
    let trailing = true;
    for (let pos = id.size; pos > floor && !(found.last && found.lastVal);) {
      const start = Math.max(floor, pos - TAIL_CHUNK_BYTES);
      const bytes = concat(await src.read(start, pos - start), carry);
      pos = start;
      // The bytes before the first newline belong to a line that may start further back.
      const whole = start === lineStart;
      const cut = whole ? 0 : bytes.indexOf(NEWLINE) + 1;
      if (cut === 0 && !whole) {
        carry = bytes;
        continue;
      }
      carry = bytes.slice(0, cut);
      const lines = decoder.decode(bytes.subarray(cut)).split('\n');
      for (let i = lines.length - 1; i >= 0 && !(found.last && found.lastVal); i--) {
        if (found.last && !lines[i].includes('"valBits"')) continue;
        const r = parseMetricLine(lines[i]);
        // After the last newline: a whole record without its newline, or a line still being written.
        if (trailing && !r) found.end = id.size - (bytes.length - (bytes.lastIndexOf(NEWLINE) + 1));
        trailing = false;
        if (!r) continue;
        found.last ??= r;
        if (r.valBits !== undefined) found.lastVal ??= r;
      }
    }
  });
  return { ...found, last: found.last ?? base?.last, lastVal: found.lastVal ?? base?.lastVal };
}
