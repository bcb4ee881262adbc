// The visible window of a track: which positions [start, end) map onto a width in pixels,
// and how wheel zoom (anchored at the cursor) and drag pan move it. Pure: no DOM, so the
// DNA track view, the WAV view and the unit tests share it.

export interface ViewWindow {
  /** First visible position (fractional positions are allowed while zooming). */
  readonly start: number;
  /** One past the last visible position. */
  readonly end: number;
}

/** The smallest span the view zooms into: a few letters must stay readable. */
export const MIN_SPAN = 8;

export function span(w: ViewWindow): number {
  return w.end - w.start;
}

/** Keeps the window inside [0, total) and its span within [min(MIN_SPAN, total), total]. */
export function clampWindow(w: ViewWindow, total: number): ViewWindow {
  if (!(total > 0)) throw new RangeError(`track length must be positive, got ${total}`);
  const width = Math.min(total, Math.max(Math.min(MIN_SPAN, total), span(w)));
  const start = Math.min(total - width, Math.max(0, w.start));
  return { start, end: start + width };
}

/**
 * Zooms by `factor` (< 1 zooms in, > 1 out) keeping the position under `anchor` (0..1 of the
 * width) fixed on screen, as a mouse wheel over a map does.
 */
export function zoomAt(w: ViewWindow, factor: number, anchor: number, total: number): ViewWindow {
  const a = Math.min(1, Math.max(0, anchor));
  const pivot = w.start + a * span(w);
  const target = clampWindow({ start: 0, end: span(w) * factor }, total);
  const width = span(target);
  return clampWindow({ start: pivot - a * width, end: pivot - a * width + width }, total);
}

/** Moves the window by `deltaPositions` (positive moves towards the end), clamped. */
export function panBy(w: ViewWindow, deltaPositions: number, total: number): ViewWindow {
  return clampWindow({ start: w.start + deltaPositions, end: w.end + deltaPositions }, total);
}

/** The position under pixel x of a track `width` pixels wide. */
export function positionAt(w: ViewWindow, x: number, width: number): number {
  return w.start + (x / width) * span(w);
}

/** The pixel x where `position` falls in a track `width` pixels wide. */
export function pixelOf(w: ViewWindow, position: number, width: number): number {
  return ((position - w.start) / span(w)) * width;
}

/**
 * Round tick positions for a ruler: steps of 1, 2 or 5 times a power of ten, about
 * `maxTicks` of them or fewer, every tick inside [start, end).
 */
export function niceTicks(w: ViewWindow, maxTicks: number): { step: number; ticks: number[] } {
  if (!(maxTicks >= 1)) throw new RangeError(`maxTicks must be at least 1, got ${maxTicks}`);
  const raw = span(w) / maxTicks;
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-12)));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
  const ticks: number[] = [];
  for (let t = Math.ceil(w.start / step) * step; t < w.end; t += step) ticks.push(t);
  return { step, ticks };
}

/**
 * Position labels for a ruler whose ticks are `step` apart: 12,345 below 100 kb, then 123.4 kb /
 * 1.23 Mb, unless the ticks are closer than those labels resolve (a zoomed-in view far into a
 * genome): then every digit, so no two ticks read the same.
 */
export function formatPosition(p: number, step = Infinity): string {
  if (p < 1e5 || (p < 1e6 ? step < 100 : step < 1e4)) return Math.round(p).toLocaleString('en-US');
  if (p < 1e6) return `${(p / 1e3).toFixed(1)} kb`;
  return `${(p / 1e6).toFixed(2)} Mb`;
}
