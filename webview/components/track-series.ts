// A stored track (descriptor + packed values) seen in record coordinates: maps a window of
// positions onto its bins and answers per-pixel summaries for each row (Δ has one row per
// layer). Pure: the views draw what it returns, the unit tests check it.
import type { TrackDescriptor } from '../../protocol/notebook-output';
import { RangeSummary, type Summary } from './range-summary';
import type { ViewWindow } from './view-window';

export class TrackSeries {
  private readonly rows: RangeSummary[];

  constructor(
    readonly descriptor: TrackDescriptor,
    readonly values: Float32Array,
  ) {
    const { length, rows, block } = descriptor;
    if (!(rows >= 1) || values.length < rows * length) {
      throw new RangeError(`track ${block}: ${values.length} values, descriptor says ${rows} rows of ${length}`);
    }
    this.rows = [];
    for (let r = 0; r < rows; r++) this.rows.push(new RangeSummary(values.subarray(r * length, (r + 1) * length)));
  }

  get rowCount(): number {
    return this.rows.length;
  }

  /** The bin holding record position `p` (may fall outside [0, length)). */
  binOf(p: number): number {
    return Math.floor((p - this.descriptor.start) / this.descriptor.binSize);
  }

  /** Value at record position `p` in `row`; NaN outside the track or not computed yet. */
  valueAt(p: number, row = 0): number {
    const b = this.binOf(p);
    return b >= 0 && b < this.descriptor.length ? this.values[row * this.descriptor.length + b] : NaN;
  }

  /** Summary of `row` over record positions [start, end). */
  over(start: number, end: number, row = 0): Summary {
    return this.rows[row].query(
      this.binOf(start),
      Math.max(this.binOf(start) + 1, Math.ceil((end - this.descriptor.start) / this.descriptor.binSize)),
    );
  }

  /** One summary per pixel column of a window `pixels` wide. */
  pixelBins(w: ViewWindow, pixels: number, row = 0): Summary[] {
    const { start, binSize } = this.descriptor;
    return this.rows[row].bins((w.start - start) / binSize, (w.end - start) / binSize, pixels);
  }

  /** Summary of a whole row (for colour and axis ranges). */
  whole(row = 0): Summary {
    return this.rows[row].query(0, this.descriptor.length);
  }

  /** Recomputes the summaries after bins [from, to) of every row changed (a streamed chunk). */
  refresh(from: number, to: number): void {
    for (const r of this.rows) r.refresh(from, to);
  }
}
