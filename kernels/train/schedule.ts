// Learning-rate schedule: linear warmup from 0 to peak over `warmup` steps, then cosine decay
// to minRatio * peak as `progress` goes from 0 to 1. For a step budget progress is the share of
// post-warmup steps taken (stepProgress); for a time budget, the share of the time spent.

export interface ScheduleConfig {
  peak: number;
  warmup: number;
  minRatio: number;
}

export function learningRate(step: number, progress: number, s: ScheduleConfig): number {
  if (step < s.warmup) return (s.peak * (step + 1)) / s.warmup;
  const p = Math.min(1, Math.max(0, progress));
  return s.peak * (s.minRatio + (1 - s.minRatio) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

export function stepProgress(step: number, warmup: number, total: number): number {
  return (step - warmup) / Math.max(1, total - warmup);
}
