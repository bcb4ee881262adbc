// A run's loss curve in a bounded number of records however long the run, for the training pane
// (a chart a few hundred pixels wide): every k-th record, k doubling each time the kept ones pass
// the bound, and the records with a validation loss thinned the same way on their own (they are
// rarer and each one matters); the last record and the last of each loss are always kept, so the
// pane's latest numbers and their steps are exact. Records are whole records of the file, never
// averages. FollowedCurve keeps one over a metrics.jsonl, reading only what was appended each time.
import type { MetricRecord } from '../../../protocol/training-messages';
import { MetricsFollower } from './metrics-reader';

/** Most training records kept (about two per pixel of the widest chart). */
export const CURVE_POINTS = 2048;

/** Every `stride`-th record offered, at most `max` of them. */
class Thinned {
  private kept: MetricRecord[] = [];
  private stride = 1;
  private seen = 0;

  constructor(private readonly max: number) {}

  offer(r: MetricRecord): void {
    if (this.seen++ % this.stride === 0) this.kept.push(r);
    if (this.kept.length > this.max) {
      this.kept = this.kept.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  get records(): readonly MetricRecord[] {
    return this.kept;
  }
}

export class MetricCurve {
  private all!: Thinned;
  private val!: Thinned;
  private last: MetricRecord | undefined;
  private lastTrain: MetricRecord | undefined;
  private lastVal: MetricRecord | undefined;

  constructor(private readonly maxPoints = CURVE_POINTS) {
    this.clear();
  }

  clear(): void {
    this.all = new Thinned(this.maxPoints);
    this.val = new Thinned(Math.ceil(this.maxPoints / 4));
    this.last = this.lastTrain = this.lastVal = undefined;
  }

  add(r: MetricRecord): void {
    this.all.offer(r);
    this.last = r;
    if (r.trainBits !== undefined) this.lastTrain = r;
    if (r.valBits !== undefined) {
      this.val.offer(r);
      this.lastVal = r;
    }
  }

  /** The kept records in step order: at most maxPoints * 1.25 + 3. */
  records(): MetricRecord[] {
    const kept = new Set([...this.all.records, ...this.val.records]);
    for (const r of [this.lastTrain, this.lastVal, this.last]) if (r) kept.add(r);
    return [...kept].sort((a, b) => a.step - b.step);
  }
}

/** The curve of a metrics.jsonl: each call reads what was appended since the one before (all of a replaced file). */
export class FollowedCurve {
  private readonly follower: MetricsFollower;
  private readonly curve: MetricCurve;

  constructor(path: string, maxPoints = CURVE_POINTS) {
    this.follower = new MetricsFollower(path);
    this.curve = new MetricCurve(maxPoints);
  }

  async records(): Promise<MetricRecord[]> {
    await this.follower.read(
      (r) => this.curve.add(r),
      () => this.curve.clear(),
    );
    return this.curve.records();
  }
}
