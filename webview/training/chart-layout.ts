// The loss chart's geometry apart from drawing it: the step axis (to the budget's last step
// when known, so the curve fills the chart as the run goes), the bits/token axis, their ticks,
// and every training and validation point placed in pixels. Pure, so node tests check it.
import type { MetricRecord } from '../../protocol/training-messages';

export interface ChartSize {
  width: number;
  height: number;
}
export interface Tick {
  value: number;
  at: number;
  label: string;
}
/** One metric record's value; `clipped` when it lies above the axis (drawn at its top). */
export interface ChartPoint {
  step: number;
  bits: number;
  x: number;
  y: number;
  clipped: boolean;
}

export interface LossChartLayout {
  plot: { left: number; top: number; right: number; bottom: number };
  xTicks: Tick[];
  yTicks: Tick[];
  train: ChartPoint[];
  val: ChartPoint[];
}

const PAD = { left: 56, right: 16, top: 12, bottom: 40 };
const X_TICKS = 6,
  Y_TICKS = 5;
// The first steps of a fresh model sit far above the rest of a long run: the axis ends at this
// quantile of the values so they do not flatten the curve (short runs keep their maximum).
const TOP_QUANTILE = 0.98;

/** The smallest of 1, 2, 5 x 10^k at least span / ticks. */
export function niceStep(span: number, ticks: number): number {
  const raw = span / Math.max(1, ticks),
    mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-12)) ?? 10 * mag;
}

function ticksOver(
  lo: number,
  hi: number,
  step: number,
  at: (v: number) => number,
  label: (v: number) => string,
): Tick[] {
  const out: Tick[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) {
    const value = k * step + 0; // + 0: never -0, which labels as "-0"
    out.push({ value, at: at(value), label: label(value) });
  }
  return out;
}

/** Where each record's training and validation loss goes in a chart of `size`; undefined when there is no value yet. */
export function lossChartLayout(
  records: readonly MetricRecord[],
  size: ChartSize,
  lastStep?: number,
): LossChartLayout | undefined {
  const series = (key: 'trainBits' | 'valBits') =>
    records.filter((r) => Number.isFinite(r[key])).map((r) => ({ step: r.step, bits: r[key] as number }));
  const train = series('trainBits'),
    val = series('valBits');
  const all = [...train, ...val];
  if (all.length === 0) return undefined;
  const xMax = Math.max(1, lastStep ?? 0, ...all.map((p) => p.step));
  const ys = all.map((p) => p.bits).sort((a, b) => a - b);
  const lo = ys[0],
    hi = ys[Math.min(ys.length - 1, Math.floor(ys.length * TOP_QUANTILE))];
  const margin = 0.05 * (hi - lo || 1);
  // The axis ends on ticks, so the top and bottom gridlines are labelled and every value lies between labels.
  const yStep = niceStep(hi - lo + 2 * margin, Y_TICKS);
  const y0 = Math.floor((lo - margin) / yStep) * yStep,
    y1 = Math.ceil((hi + margin) / yStep) * yStep;
  const plot = { left: PAD.left, top: PAD.top, right: size.width - PAD.right, bottom: size.height - PAD.bottom };
  const X = (s: number) => plot.left + ((plot.right - plot.left) * s) / xMax;
  const Y = (v: number) => plot.top + ((plot.bottom - plot.top) * (y1 - Math.min(Math.max(v, y0), y1))) / (y1 - y0);
  const place = (p: { step: number; bits: number }): ChartPoint => ({
    ...p,
    x: X(p.step),
    y: Y(p.bits),
    clipped: p.bits > y1,
  });
  const xStep = Math.max(1, niceStep(xMax, X_TICKS));
  const digits = Math.max(0, -Math.floor(Math.log10(yStep) + 1e-9));
  return {
    plot,
    xTicks: ticksOver(0, xMax, xStep, X, (v) => v.toLocaleString('en-US')),
    yTicks: ticksOver(y0, y1, yStep, Y, (v) => v.toFixed(digits)),
    train: train.map(place),
    val: val.map(place),
  };
}
