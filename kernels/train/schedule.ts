// Learning-rate schedule: linear warmup from 0 to peak over `warmup` steps, then cosine decay to
// minRatio * peak at `total` steps. For a time budget the total is an estimate; the schedule is
// evaluated on progress = step / total clamped to [0, 1].

export interface ScheduleConfig { peak: number; warmup: number; total: number; minRatio: number }

export function learningRate(step: number, s: ScheduleConfig): number {
  if (step < s.warmup) return (s.peak * (step + 1)) / s.warmup;
  const span = Math.max(1, s.total - s.warmup);
  const progress = Math.min(1, Math.max(0, (step - s.warmup) / span));
  return s.peak * (s.minRatio + (1 - s.minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
