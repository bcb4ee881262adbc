// The file-parser fuzz harness (safetensors, config.json, cell specs, .seqlab notebooks, run
// folders; the targets are listed in parser-targets.ts). Each input either reads or is refused
// with the parser's own error type, its message naming the file (or, for a cell spec, the line);
// a TypeError or RangeError from deep inside, an error that names nothing, or an inconsistent read
// is a crash. Input i of a run is made from its own generator (seed, i), so any input can be made
// again from its index alone: what the long run's watchdog needs when an input hangs.
import { getHeapStatistics } from 'node:v8';
import { makeRand, type Rand } from './reader-fuzz';

/** One input: its bytes, and for a parser of values (not text) the value itself, NaN included. */
export interface FuzzInput {
  bytes: Uint8Array;
  value?: unknown;
  how: string[];
}

export type Outcome = 'ok' | 'rejected';

/** Runs the parser under test: an input's time is the time spent in these calls, not in the checks around them. */
export type Timed = <T>(parse: () => T | Promise<T>) => Promise<T>;

export interface OpenTarget {
  /** Valid inputs written by our writers (or real files): each must read. */
  readonly seeds: readonly FuzzInput[];
  /** A mutated input made from the seeds. */
  mutate(rand: Rand): FuzzInput;
  /** Reads one input, its parsers through `timed`; 'rejected' only through `refused`, anything else throws. */
  read(input: FuzzInput, rand: Rand, timed: Timed): Promise<Outcome>;
  close(): Promise<void>;
}

export interface FuzzTarget {
  readonly name: string;
  open(): Promise<OpenTarget>;
}

/** A broken property: an inconsistent read, or a refusal that does not say where. */
export class PropertyError extends Error {
  override name = 'PropertyError';
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * 'rejected' when `err` is one of the parser's own `types` and its message starts with `names`
 * (the file, or the line); otherwise throws: a foreign error as it is, a refusal naming nothing
 * as a PropertyError.
 */
export function refused(err: unknown, types: readonly ErrorClass[], names: string | RegExp): 'rejected' {
  if (!types.some((t) => err instanceof t)) throw err;
  const message = (err as Error).message;
  const named = typeof names === 'string' ? message.startsWith(names) : names.test(message);
  if (!named) throw new PropertyError(`${(err as Error).name} does not name ${names}: ${message.slice(0, 300)}`);
  return 'rejected';
}

export function consistent(ok: boolean, what: () => string): void {
  if (!ok) throw new PropertyError(what());
}

/** The generator of input `index` of a run seeded with `seed`. */
export function inputRand(seed: number, index: number): Rand {
  return makeRand(Math.imul(seed, 0x9e3779b1) ^ Math.imul(index, 0x85ebca6b));
}

/** The `n` first bytes of an input, for a report. */
export function shown(input: FuzzInput, n = 300): string {
  return Buffer.from(input.bytes.subarray(0, n)).toString('base64');
}

export interface Crash {
  index: number;
  how: string[];
  error: string;
  /** Where it was thrown: the first frame of the stack outside node's own code. */
  at: string;
  bytes: number;
  input: string;
}

export interface ParserFuzzReport {
  target: string;
  inputs: number;
  ok: number;
  rejected: number;
  /** Inputs that crashed; details of the first 20 in `crashes`. */
  crashCount: number;
  crashes: Crash[];
  /** Inputs whose parse took over HANG_MS, read twice (the faster counts). */
  hangs: number;
  slowestMs: number;
  slowestIndex: number;
  slowestHow: string[];
  /** The most heap in use after any input, MB. */
  peakHeapMB: number;
  seconds: number;
}

/** An input slower than this counts as a hang. */
export const HANG_MS = 1000;

export function emptyReport(target: string): ParserFuzzReport {
  return {
    target,
    inputs: 0,
    ok: 0,
    rejected: 0,
    crashCount: 0,
    crashes: [],
    hangs: 0,
    slowestMs: 0,
    slowestIndex: -1,
    slowestHow: [],
    peakHeapMB: 0,
    seconds: 0,
  };
}

export function crashOf(index: number, input: FuzzInput, err: unknown): Crash {
  const e = err instanceof Error ? err : new Error(String(err));
  const frame = (e.stack ?? '').split('\n').find((l) => /^\s+at /.test(l) && !l.includes('node:')) ?? '';
  return {
    index,
    how: input.how,
    error: `${e.name}: ${e.message.slice(0, 300)}`,
    at: frame.trim(),
    bytes: input.bytes.length,
    input: shown(input),
  };
}

export interface FuzzRunOptions {
  seed: number;
  /** The first input's index. */
  from?: number;
  inputs: number;
  /** Stop by this time (ms since the epoch) even if fewer inputs ran. */
  deadline?: number;
  /** Called before each input is read (the long run's heartbeat). */
  onInput?: (index: number, input: FuzzInput) => void;
}

/** Reads mutated inputs `from` … `from + inputs - 1` (or until the deadline). */
/** Reads input `index` and says how long its parsers took. */
async function readTimed(
  target: OpenTarget,
  seed: number,
  index: number,
  onInput?: (index: number, input: FuzzInput) => void,
): Promise<{ input: FuzzInput; ms: number; outcome: Outcome | Error }> {
  const rand = inputRand(seed, index);
  const input = target.mutate(rand);
  onInput?.(index, input);
  let ms = 0;
  const timed: Timed = async (parse) => {
    const t = performance.now();
    try {
      return await parse();
    } finally {
      ms += performance.now() - t;
    }
  };
  const outcome = await target
    .read(input, rand, timed)
    .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  return { input, ms, outcome };
}

/** Reads mutated inputs `from` … `from + inputs - 1` (or until the deadline). */
export async function fuzzTarget(name: string, target: OpenTarget, opts: FuzzRunOptions): Promise<ParserFuzzReport> {
  const report = emptyReport(name);
  const t0 = performance.now();
  const from = opts.from ?? 0;
  for (let i = from; i < from + opts.inputs && Date.now() < (opts.deadline ?? Infinity); i++) {
    const { input, ms, outcome } = await readTimed(target, opts.seed, i, opts.onInput);
    if (outcome instanceof Error) {
      if (report.crashes.length < 20) report.crashes.push(crashOf(i, input, outcome));
      report.crashCount++;
    } else report[outcome]++;
    // Slow once may be the machine (2 shared cores): an input over HANG_MS is read again, its time the faster.
    const time = ms > HANG_MS ? Math.min(ms, (await readTimed(target, opts.seed, i)).ms) : ms;
    if (time > HANG_MS) report.hangs++;
    if (time > report.slowestMs) Object.assign(report, { slowestMs: time, slowestIndex: i, slowestHow: input.how });
    report.peakHeapMB = Math.max(report.peakHeapMB, getHeapStatistics().used_heap_size / 2 ** 20);
    report.inputs++;
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}
