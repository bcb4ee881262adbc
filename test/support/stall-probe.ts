// The longest the event loop went without a turn, measured by a timer every 5 ms: `wallMs`, the
// longest gap between two of its ticks, and `busyMs`, the most CPU time this thread spent inside
// one gap (what this thread held the loop for: the code, and the garbage collector's pauses on
// it); every gap over 20 ms is kept with when it ended and how much of it was garbage collection,
// to tell which work held the loop. On a machine shared with other work the operating system also
// parks the thread, which lengthens the wall gaps but not the busy time.
// The busy time comes from process.threadCpuUsage (Node 23.9 and later) or Linux's
// /proc/thread-self/schedstat, and is undefined where neither exists.
import { readFileSync } from 'node:fs';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface Gap {
  /** When it ended, ms after the probe started. */
  atMs: number;
  wallMs: number;
  busyMs: number | undefined;
  /** Garbage collection pauses within it. */
  gcMs: number;
}

export interface Stalls {
  wallMs: number;
  busyMs: number | undefined;
  /** When (ms after start) the longest busy gap ended. */
  busyAtMs: number | undefined;
  /** The longest garbage collection pause. */
  gcMs: number;
  /** Every gap over LONG_GAP_MS (the first MAX_GAPS). */
  gaps: Gap[];
}

const TICK_MS = 5;
const LONG_GAP_MS = 20;
const MAX_GAPS = 500;

/** This thread's CPU time in ms, or undefined where it cannot be read. */
function threadCpuMs(): number | undefined {
  const usage = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (usage) {
    const u = usage.call(process);
    return (u.user + u.system) / 1000;
  }
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

export class StallProbe {
  private readonly t0 = performance.now();
  private last = this.t0;
  private lastCpu = threadCpuMs();
  private readonly stalls: Stalls = { wallMs: 0, busyMs: undefined, busyAtMs: undefined, gcMs: 0, gaps: [] };
  private readonly collections: PerformanceEntry[] = [];
  private readonly gc = new PerformanceObserver((list) => this.collections.push(...list.getEntries()));
  private readonly timer = setInterval(() => this.tick(), TICK_MS);

  constructor() {
    this.gc.observe({ entryTypes: ['gc'] });
  }

  private tick(): void {
    const now = performance.now(),
      cpu = threadCpuMs();
    const wall = now - this.last - TICK_MS;
    this.stalls.wallMs = Math.max(this.stalls.wallMs, wall);
    const busy = cpu === undefined || this.lastCpu === undefined ? undefined : cpu - this.lastCpu;
    if (wall > LONG_GAP_MS && this.stalls.gaps.length < MAX_GAPS)
      this.stalls.gaps.push({ atMs: now - this.t0, wallMs: wall, busyMs: busy, gcMs: 0 });
    if (busy !== undefined && busy > (this.stalls.busyMs ?? -1)) {
      this.stalls.busyMs = busy;
      this.stalls.busyAtMs = now - this.t0;
    }
    this.last = now;
    this.lastCpu = cpu;
  }

  /** Stops the probe after one more turn (a stall is seen when the late tick finally runs). */
  async stop(): Promise<Stalls> {
    await new Promise((resolve) => setTimeout(resolve, 2 * TICK_MS));
    clearInterval(this.timer);
    this.gc.disconnect();
    for (const c of this.collections) {
      const start = c.startTime - this.t0;
      this.stalls.gcMs = Math.max(this.stalls.gcMs, c.duration);
      const gap = this.stalls.gaps.find((g) => start >= g.atMs - g.wallMs - TICK_MS && start < g.atMs);
      if (gap) gap.gcMs += c.duration;
    }
    return this.stalls;
  }

  /** Ms since the probe started (to place work on the gaps' timeline). */
  now(): number {
    return performance.now() - this.t0;
  }
}

export function stallText(s: Stalls): string {
  const busy = s.busyMs === undefined ? 'unknown' : `${s.busyMs.toFixed(1)} ms`;
  return `longest stall ${s.wallMs.toFixed(1)} ms of wall time, ${busy} of this thread's CPU time; longest GC pause ${s.gcMs.toFixed(1)} ms`;
}

/** The gaps whose busy time passes `overMs`, as "end: wall/CPU/GC ms". */
export function gapsText(s: Stalls, overMs = 0): string {
  return s.gaps
    .filter((g) => (g.busyMs ?? g.wallMs) > overMs)
    .map((g) => `${g.atMs.toFixed(0)}: ${g.wallMs.toFixed(0)}/${g.busyMs?.toFixed(0) ?? '?'}/${g.gcMs.toFixed(0)}`)
    .join(', ');
}
