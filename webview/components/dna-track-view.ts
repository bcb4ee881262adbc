// The DNA track view: one canvas with a ruler, the bases (letters when zoomed in, soft-mask and
// N runs at every zoom), per-base surprisal per strand with its high-surprisal regions, GC %
// and a heatmap of the selection strength Δ per layer; scored variants, when the input has them,
// as marks on the bases row coloured by the sign of their LLR. Wheel zooms at the pointer, drag pans,
// a click picks a position (for Generate), the keyboard does the same (+ - arrows Home Enter);
// hovering shows the position and the values under the pointer. It takes typed arrays
// (TrackSeries) and draws whatever of them has arrived, so streamed chunks show as they land.
import type { IntervalSet } from '../../protocol/notebook-output';
import { normalize, viridis } from './color-map';
import { plotSummaries } from './series-plot';
import { intervalAt, intervalsIn } from './interval-lookup';
import { drawPositionRuler } from './position-ruler';
import { readTheme, watchTheme, type ThemeColors } from './theme';
import { GUTTER, layoutRows, rowAt, surprisalAxisTop, type Row } from './track-layout';
import type { TrackSeries } from './track-series';
import type { DnaTrackInput } from './view-inputs';
import { clampWindow, formatPosition, panBy, pixelOf, positionAt, span, zoomAt, type ViewWindow } from './view-window';

export interface DnaTrackOptions {
  /** Called with a record position (0-based) when the user picks one. */
  onPick?: (position: number) => void;
}

/** Uniform guessing over A, C, G, T costs 2 bits a base: the line a useful model stays under. */
const UNIFORM_BITS = 2;
const LETTER_MIN_PX = 8; // letters drawn when a base gets this many pixels
const BAR_MIN_PX = 2; // coloured bars per base from here
const CLICK_SLOP_PX = 3;

function baseKey(code: number): 'A' | 'C' | 'G' | 'T' | 'N' {
  const c = String.fromCharCode(code).toUpperCase();
  return c === 'A' || c === 'C' || c === 'G' || c === 'T' ? c : 'N';
}

function fmt(v: number, digits = 3): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

export class DnaTrackView {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLDivElement;
  private input: DnaTrackInput;
  private window: ViewWindow; // offsets from record.start
  private theme: ThemeColors;
  private rows: Row[] = [];
  private hoverX: number | null = null;
  private picked: number | null = null; // record position
  private frame = 0;
  private drag: { x: number; window: ViewWindow; moved: boolean } | null = null;
  private readonly stopTheme: () => void;
  private readonly resize: ResizeObserver;

  constructor(
    parent: HTMLElement,
    input: DnaTrackInput,
    private readonly options: DnaTrackOptions = {},
  ) {
    this.input = input;
    this.window = clampWindow({ start: 0, end: this.total }, this.total);
    this.theme = readTheme();
    this.element = document.createElement('div');
    this.element.className = 'seqlab-dna-track';
    this.element.style.position = 'relative';
    this.canvas = document.createElement('canvas');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.style.display = 'block';
    this.canvas.style.width = '100%';
    this.canvas.style.cursor = 'grab';
    this.canvas.style.touchAction = 'none';
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'seqlab-tooltip';
    this.element.append(this.canvas, this.tooltip);
    parent.append(this.element);
    this.listen();
    this.stopTheme = watchTheme(() => {
      this.theme = readTheme();
      this.schedule();
    });
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.element);
    this.schedule();
  }

  private get total(): number {
    return Math.max(1, this.input.record.end - this.input.record.start);
  }

  private get origin(): number {
    return this.input.record.start;
  }

  /** Shows another record (or the same record with new tracks) from its whole extent. */
  setInput(input: DnaTrackInput): void {
    const sameRecord = input.record.index === this.input.record.index && input.record.end === this.input.record.end;
    this.input = input;
    if (!sameRecord) {
      this.window = clampWindow({ start: 0, end: this.total }, this.total);
      this.picked = null;
    }
    this.schedule();
  }

  /** Redraws after streamed values landed in the input's tracks (their refresh() already ran). */
  refresh(): void {
    this.schedule();
  }

  /** The visible record positions [start, end). */
  get visible(): ViewWindow {
    return { start: this.origin + this.window.start, end: this.origin + this.window.end };
  }

  /** Shows record positions [start, end) (clamped to the record). */
  show(start: number, end: number): void {
    this.window = clampWindow({ start: start - this.origin, end: end - this.origin }, this.total);
    this.schedule();
  }

  zoom(factor: number, anchor = 0.5): void {
    this.window = zoomAt(this.window, factor, anchor, this.total);
    this.schedule();
  }

  pick(position: number | null): void {
    this.picked = position;
    this.schedule();
    if (position !== null) this.options.onPick?.(position);
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.stopTheme();
    this.resize.disconnect();
    this.element.remove();
  }

  // ------------------------------------------------------------------ interaction

  private plotWidth(): number {
    return Math.max(1, this.canvas.clientWidth - GUTTER);
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const w = this.plotWidth();
        if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
          this.window = panBy(this.window, (e.deltaX / w) * span(this.window), this.total);
        } else {
          const anchor = (e.offsetX - GUTTER) / w;
          this.window = zoomAt(this.window, Math.exp(e.deltaY * 0.0015), anchor, this.total);
        }
        this.hoverX = e.offsetX;
        this.schedule();
      },
      { passive: false },
    );
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      this.drag = { x: e.offsetX, window: this.window, moved: false };
      c.style.cursor = 'grabbing';
    });
    c.addEventListener('pointermove', (e) => {
      this.hoverX = e.offsetX;
      if (this.drag) {
        const dx = e.offsetX - this.drag.x;
        if (Math.abs(dx) > CLICK_SLOP_PX) this.drag.moved = true;
        if (this.drag.moved)
          this.window = panBy(this.drag.window, (-dx / this.plotWidth()) * span(this.drag.window), this.total);
      }
      this.updateTooltip(e.offsetX, e.offsetY);
      this.schedule();
    });
    c.addEventListener('pointerup', (e) => {
      const d = this.drag;
      this.drag = null;
      c.style.cursor = 'grab';
      if (d && !d.moved && e.offsetX >= GUTTER)
        this.pick(this.origin + Math.floor(positionAt(this.window, e.offsetX - GUTTER, this.plotWidth())));
    });
    c.addEventListener('pointerleave', () => {
      this.hoverX = null;
      this.tooltip.style.display = 'none';
      this.schedule();
    });
    c.addEventListener('dblclick', (e) => this.zoom(0.5, (e.offsetX - GUTTER) / this.plotWidth()));
    c.addEventListener('keydown', (e) => {
      const step = span(this.window) * 0.1;
      if (e.key === '+' || e.key === '=') this.zoom(0.5);
      else if (e.key === '-' || e.key === '_') this.zoom(2);
      else if (e.key === 'ArrowLeft') this.window = panBy(this.window, -step, this.total);
      else if (e.key === 'ArrowRight') this.window = panBy(this.window, step, this.total);
      else if (e.key === 'Home') this.window = clampWindow({ start: 0, end: this.total }, this.total);
      else if (e.key === 'Enter') this.pick(this.origin + Math.floor((this.window.start + this.window.end) / 2));
      else return;
      e.preventDefault();
      this.schedule();
    });
  }

  /** Record positions [a, b) under CSS pixel column x of the plot. */
  private columnRange(x: number): [number, number] {
    const w = this.plotWidth();
    const a = Math.floor(positionAt(this.window, x - GUTTER, w));
    const b = Math.max(a + 1, Math.floor(positionAt(this.window, x - GUTTER + 1, w)));
    return [this.origin + a, this.origin + Math.min(this.total, b)];
  }

  private updateTooltip(x: number, y: number): void {
    if (x < GUTTER || this.drag?.moved) {
      this.tooltip.style.display = 'none';
      return;
    }
    this.tooltip.textContent = this.describe(x, rowAt(this.rows, y)).join('\n');
    this.tooltip.style.display = 'block';
    const flip = x > this.canvas.clientWidth - 260;
    this.tooltip.style.left = flip ? '' : `${x + 14}px`;
    this.tooltip.style.right = flip ? `${this.canvas.clientWidth - x + 14}px` : '';
    this.tooltip.style.top = `${y + 14}px`;
  }

  /** The tooltip's lines for pixel column x (text only: every string is set as textContent). */
  describe(x: number, row: Row | null): string[] {
    const [a, b] = this.columnRange(x);
    const { input } = this;
    const lines: string[] = [];
    if (b - a === 1) {
      const code = input.bases ? input.bases.codes[a - input.bases.start] : undefined;
      const letter = code === undefined ? '' : String.fromCharCode(code);
      const masked = letter !== '' && letter !== letter.toUpperCase();
      lines.push(
        `position ${(a + 1).toLocaleString('en-US')}${letter ? `  base ${letter.toUpperCase()}${masked ? ' (soft-masked)' : ''}` : ''}`,
      );
    } else {
      lines.push(
        `positions ${(a + 1).toLocaleString('en-US')}–${b.toLocaleString('en-US')} (${(b - a).toLocaleString('en-US')} bases)`,
      );
    }
    const stat = (label: string, t: TrackSeries | null, unit: string, r = 0) => {
      if (!t) return;
      const s = t.over(a, b, r);
      if (s.count === 0) lines.push(`${label}: not computed yet`);
      else if (b - a === 1 || s.min === s.max) lines.push(`${label}: ${fmt(s.sum / s.count)} ${unit}`);
      else lines.push(`${label}: mean ${fmt(s.sum / s.count)} ${unit} (${fmt(s.min)}–${fmt(s.max)})`);
    };
    stat(input.surprisalReverse ? 'surprisal (+)' : 'surprisal', input.surprisal, 'bits');
    stat('surprisal (−)', input.surprisalReverse, 'bits');
    stat('GC', input.gc, '%', 0);
    if (input.delta) {
      if (row?.kind === 'delta') stat(`Δ layer ${row.layer}`, input.delta, '', row.layer);
      else {
        const means: string[] = [];
        for (let l = 0; l < input.delta.rowCount; l++) {
          const s = input.delta.over(a, b, l);
          means.push(fmt(s.count ? s.sum / s.count : NaN));
        }
        lines.push(`Δ by layer: ${means.join(' ')}`);
      }
    }
    for (const m of input.markers ?? []) {
      if (m.start >= b || m.end <= a) continue;
      const value = Number.isNaN(m.llr) ? 'not scored' : `LLR ${fmt(m.llr)} bits`;
      lines.push(`variant ${m.label} at ${(m.start + 1).toLocaleString('en-US')}: ${value}`);
    }
    for (const set of input.intervals) {
      const i = intervalAt(set, a);
      if (i < 0) continue;
      const where = `${(set.starts[i] + 1).toLocaleString('en-US')}–${set.ends[i].toLocaleString('en-US')}`;
      const score =
        set.scores[i] !== undefined && Number.isFinite(set.scores[i]) ? `, mean ${fmt(set.scores[i], 2)} bits` : '';
      lines.push(`${set.kind.replace('-', ' ')} ${where}${score}`);
    }
    return lines;
  }

  // ------------------------------------------------------------------ drawing

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws now (the harness and tests call it to skip the animation frame). */
  draw(): void {
    const { input } = this;
    const layout = layoutRows({
      surprisal: input.surprisal !== null,
      surprisalReverse: input.surprisalReverse !== null,
      gc: input.gc !== null,
      deltaLayers: input.delta?.rowCount ?? 0,
    });
    this.rows = layout.rows;
    const cssW = Math.max(GUTTER + 50, this.element.clientWidth),
      cssH = layout.height;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
      this.canvas.style.height = `${cssH}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(0, 0, cssW, cssH);
    const plotW = cssW - GUTTER;
    this.canvas.setAttribute(
      'aria-label',
      `DNA tracks of ${input.record.name}, positions ${formatPosition(this.visible.start + 1, 1)} to ${formatPosition(this.visible.end, 1)}`,
    );
    this.element.dataset.windowStart = String(Math.round(this.visible.start));
    this.element.dataset.windowEnd = String(Math.round(this.visible.end));
    for (const row of this.rows) {
      this.drawLabel(ctx, row);
      ctx.save();
      ctx.beginPath();
      ctx.rect(GUTTER, row.top, plotW, row.height);
      ctx.clip();
      ctx.translate(GUTTER, 0);
      switch (row.kind) {
        case 'ruler':
          this.drawRuler(ctx, row, plotW);
          break;
        case 'bases':
          this.drawBases(ctx, row, plotW);
          break;
        case 'surprisal':
          if (input.surprisal) this.drawSurprisal(ctx, row, plotW, input.surprisal, this.theme.surprisal);
          break;
        case 'surprisal-reverse':
          if (input.surprisalReverse)
            this.drawSurprisal(ctx, row, plotW, input.surprisalReverse, this.theme.surprisalReverse);
          break;
        case 'gc':
          if (input.gc) this.drawLine(ctx, row, plotW, input.gc, this.theme.gc, 0, 100, 50);
          break;
        case 'delta':
          if (input.delta) this.drawHeat(ctx, row, plotW, input.delta);
          break;
      }
      ctx.restore();
    }
    this.drawCursors(ctx, plotW, cssH);
  }

  private drawLabel(ctx: CanvasRenderingContext2D, row: Row): void {
    if (row.kind === 'delta' && row.layer > 0 && row.height < 10) return; // too thin: label only layer 0
    ctx.fillStyle = this.theme.muted;
    ctx.font = this.theme.font;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const label =
      row.kind === 'delta' && row.height < 10 ? `Δ layers 0–${(this.input.delta?.rowCount ?? 1) - 1}` : row.label;
    ctx.fillText(
      label,
      GUTTER - 8,
      row.kind === 'delta' && row.height < 10 ? row.top + 6 : row.top + row.height / 2,
      GUTTER - 12,
    );
  }

  private x(position: number, plotW: number): number {
    return pixelOf(this.window, position - this.origin, plotW);
  }

  private drawRuler(ctx: CanvasRenderingContext2D, row: Row, plotW: number): void {
    const oneBased = { start: this.visible.start + 1, end: this.visible.end + 1 };
    drawPositionRuler(ctx, this.theme, plotW, { top: row.top, bottom: row.top + row.height }, oneBased, (t) =>
      this.x(t - 1 + 0.5, plotW),
    );
  }

  private drawBases(ctx: CanvasRenderingContext2D, row: Row, plotW: number): void {
    const { bases, intervals } = this.input;
    const pxPerBase = plotW / span(this.window);
    const { start, end } = this.visible;
    if (bases && pxPerBase >= BAR_MIN_PX) {
      ctx.font = `bold ${this.theme.monoFont}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      for (let p = Math.floor(start); p < Math.ceil(end); p++) {
        const code = bases.codes[p - bases.start];
        if (!code) continue; // outside the letters, or a gap in letters stored only near variants
        const letter = String.fromCharCode(code);
        const masked = letter !== letter.toUpperCase();
        ctx.globalAlpha = masked ? 0.55 : 1;
        ctx.fillStyle = this.theme.bases[baseKey(code)];
        const x0 = this.x(p, plotW);
        if (pxPerBase >= LETTER_MIN_PX) ctx.fillText(letter, x0 + pxPerBase / 2, row.top + row.height / 2 - 2);
        else ctx.fillRect(x0, row.top + 3, Math.max(1, pxPerBase - (pxPerBase > 3 ? 1 : 0)), row.height - 10);
      }
      ctx.globalAlpha = 1;
    }
    this.drawMarkers(ctx, row, plotW);
    // Soft-mask runs as a thin line along the bottom, N runs as a thicker bar: visible at every zoom.
    for (const set of intervals) {
      if (set.kind !== 'soft-mask' && set.kind !== 'n-run') continue;
      const mask = set.kind === 'soft-mask';
      ctx.fillStyle = mask ? this.theme.muted : this.theme.nRun;
      for (const i of intervalsIn(set, start, end)) {
        const x0 = this.x(set.starts[i], plotW),
          x1 = this.x(set.ends[i], plotW);
        ctx.fillRect(
          x0,
          mask ? row.top + row.height - 4 : row.top + row.height - 7,
          Math.max(1, x1 - x0),
          mask ? 3 : 2,
        );
        if (!mask && pxPerBase < BAR_MIN_PX) ctx.fillRect(x0, row.top + 3, Math.max(1, x1 - x0), row.height - 10);
      }
    }
  }

  /** Variants as a small triangle above the bases and an underline of the bases they cover (at least 2 px). */
  private drawMarkers(ctx: CanvasRenderingContext2D, row: Row, plotW: number): void {
    const { start, end } = this.visible;
    for (const m of this.input.markers ?? []) {
      if (m.end <= start || m.start >= end) continue;
      const x0 = this.x(m.start, plotW),
        x1 = this.x(m.end, plotW);
      const mid = (x0 + x1) / 2;
      // Negative LLR (the model finds the alternate less likely) in the highlight colour.
      ctx.fillStyle = Number.isNaN(m.llr) ? this.theme.muted : m.llr < 0 ? this.theme.highlight : this.theme.surprisal;
      ctx.beginPath();
      ctx.moveTo(mid - 4, row.top);
      ctx.lineTo(mid + 4, row.top);
      ctx.lineTo(mid, row.top + 5);
      ctx.fill();
      ctx.fillRect(x0, row.top + row.height - 3, Math.max(2, x1 - x0), 3);
    }
  }

  private shadeIntervals(ctx: CanvasRenderingContext2D, row: Row, plotW: number, kind: IntervalSet['kind']): void {
    const { start, end } = this.visible;
    ctx.fillStyle = this.theme.highlight;
    ctx.globalAlpha = 0.16;
    for (const set of this.input.intervals) {
      if (set.kind !== kind) continue;
      for (const i of intervalsIn(set, start, end)) {
        const x0 = this.x(set.starts[i], plotW),
          x1 = this.x(set.ends[i], plotW);
        ctx.fillRect(x0, row.top, Math.max(2, x1 - x0), row.height);
      }
    }
    ctx.globalAlpha = 1;
  }

  private drawSurprisal(
    ctx: CanvasRenderingContext2D,
    row: Row,
    plotW: number,
    track: TrackSeries,
    color: string,
  ): void {
    this.shadeIntervals(ctx, row, plotW, 'high-surprisal');
    const seen = track.over(this.visible.start, this.visible.end);
    const top = surprisalAxisTop(seen.count ? seen.max : null, UNIFORM_BITS);
    this.drawLine(ctx, row, plotW, track, color, 0, top, UNIFORM_BITS);
    ctx.fillStyle = this.theme.muted;
    ctx.font = this.theme.font;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`${top} bits`, 3, row.top + 1);
  }

  private drawLine(
    ctx: CanvasRenderingContext2D,
    row: Row,
    plotW: number,
    track: TrackSeries,
    color: string,
    lo: number,
    hi: number,
    guide: number,
  ): void {
    const bins = track.pixelBins(this.visible, Math.max(1, Math.floor(plotW))); // series are in record coordinates
    plotSummaries(
      ctx,
      bins,
      { x: 0, y: row.top, width: plotW, height: row.height },
      { color, guideColor: this.theme.border, lo, hi, guide },
    );
  }

  private drawHeat(ctx: CanvasRenderingContext2D, row: Row, plotW: number, track: TrackSeries): void {
    const whole = track.whole(row.layer);
    const columns = Math.max(1, Math.floor(plotW));
    const bins = track.pixelBins(this.visible, columns, row.layer);
    const image = ctx.createImageData(columns, 1);
    for (let i = 0; i < columns; i++) {
      const s = bins[i];
      if (s.count === 0) continue; // transparent: not computed yet
      const [r, g, b] = viridis(normalize(s.sum / s.count, whole.min, whole.max));
      image.data.set([r, g, b, 255], i * 4);
    }
    // putImageData ignores the transform: draw one row into a scratch canvas and stretch it.
    const scratch = document.createElement('canvas');
    scratch.width = columns;
    scratch.height = 1;
    scratch.getContext('2d')?.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scratch, 0, row.top, plotW, row.height);
  }

  private drawCursors(ctx: CanvasRenderingContext2D, plotW: number, cssH: number): void {
    const top = this.rows[1]?.top ?? 0;
    if (this.picked !== null) {
      const x = GUTTER + this.x(this.picked + 0.5, plotW);
      if (x >= GUTTER && x <= GUTTER + plotW) {
        ctx.strokeStyle = this.theme.focus;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, cssH);
        ctx.stroke();
        ctx.lineWidth = 1;
      }
    }
    if (this.hoverX !== null && this.hoverX >= GUTTER && !this.drag?.moved) {
      ctx.strokeStyle = this.theme.muted;
      ctx.globalAlpha = 0.6;
      ctx.beginPath();
      ctx.moveTo(Math.round(this.hoverX) + 0.5, top);
      ctx.lineTo(Math.round(this.hoverX) + 0.5, cssH);
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }
}
