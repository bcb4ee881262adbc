// The mutagenesis view: a region's reference letters drawn as a logo (each letter as tall as the
// model cares about it: the mean cost, in bits, of substituting it) over a heatmap of every
// substitution's LLR, one row per base (A, C, G, T; the reference base's own cell left empty, so
// three values a column). Cells are the theme's highlight colour where the change makes the
// sequence less likely and its surprisal colour where more, stronger with the size of the LLR;
// the strand (mean, forward, reverse complement) is chosen by the owner. Wheel zooms, drag pans,
// hovering shows the position, the reference base and the three LLRs.
import { drawPositionRuler } from './position-ruler';
import { readTheme, watchTheme, type ThemeColors } from './theme';
import { GUTTER } from './track-layout';
import type { MutagenesisInput } from './view-inputs';
import { clampWindow, formatPosition, panBy, pixelOf, positionAt, span, zoomAt, type ViewWindow } from './view-window';

export type MutagenesisStrand = 'llr' | 'llrForward' | 'llrReverse';

const BASES = 'ACGT';
const RULER_H = 22;
const LOGO_H = 56;
const CELL_H = 16;
const GAP = 6;
const LETTER_MIN_PX = 8;
const CLICK_SLOP_PX = 3;

/** Mean cost in bits of substituting position i (minus the mean LLR of its three substitutions; 0 when they help). */
export function importance(llr: Float32Array, length: number, i: number): number {
  let sum = 0,
    n = 0;
  for (let b = 0; b < 4; b++) {
    const v = llr[b * length + i];
    if (!Number.isNaN(v) && v !== 0) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? Math.max(0, -sum / n) : 0;
}

/** The largest |LLR| of the region (the heatmap's full colour), at least a hundredth of a bit. */
export function llrScale(llr: Float32Array): number {
  let max = 0.01;
  for (const v of llr) if (Math.abs(v) > max) max = Math.abs(v);
  return max;
}

export class MutagenesisView {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLDivElement;
  private strand: MutagenesisStrand = 'llr';
  private window: ViewWindow;
  private theme: ThemeColors;
  private hover: { x: number; y: number } | null = null;
  private drag: { x: number; window: ViewWindow; moved: boolean } | null = null;
  private frame = 0;
  private readonly stopTheme: () => void;
  private readonly resize: ResizeObserver;

  constructor(
    parent: HTMLElement,
    private readonly input: MutagenesisInput,
  ) {
    this.window = clampWindow({ start: 0, end: this.total }, this.total);
    this.theme = readTheme();
    this.element = document.createElement('div');
    this.element.className = 'seqlab-mutagenesis';
    this.element.style.position = 'relative';
    this.canvas = document.createElement('canvas');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    Object.assign(this.canvas.style, { display: 'block', width: '100%', cursor: 'grab', touchAction: 'none' });
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
    return this.input.letters.length;
  }

  private get values(): Float32Array {
    return this.input[this.strand];
  }

  setStrand(strand: MutagenesisStrand): void {
    this.strand = strand;
    this.schedule();
  }

  /** Shows region offsets [start, end) (clamped). */
  show(start: number, end: number): void {
    this.window = clampWindow({ start, end }, this.total);
    this.schedule();
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.stopTheme();
    this.resize.disconnect();
    this.element.remove();
  }

  private plotWidth(): number {
    return Math.max(1, this.canvas.clientWidth - GUTTER);
  }

  private heatTop(): number {
    return RULER_H + LOGO_H + GAP;
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const anchor = (e.offsetX - GUTTER) / this.plotWidth();
        this.window = zoomAt(this.window, Math.exp(e.deltaY * 0.0015), anchor, this.total);
        this.schedule();
      },
      { passive: false },
    );
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      this.drag = { x: e.offsetX, window: this.window, moved: false };
    });
    c.addEventListener('pointermove', (e) => {
      if (this.drag) {
        const dx = e.offsetX - this.drag.x;
        if (Math.abs(dx) > CLICK_SLOP_PX) this.drag.moved = true;
        if (this.drag.moved)
          this.window = panBy(this.drag.window, (-dx / this.plotWidth()) * span(this.drag.window), this.total);
      }
      this.hover = { x: e.offsetX, y: e.offsetY };
      this.updateTooltip();
      this.schedule();
    });
    c.addEventListener('pointerup', () => (this.drag = null));
    c.addEventListener('pointerleave', () => {
      this.hover = null;
      this.tooltip.style.display = 'none';
      this.schedule();
    });
    c.addEventListener('keydown', (e) => {
      const step = span(this.window) * 0.1;
      if (e.key === '+' || e.key === '=') this.window = zoomAt(this.window, 0.5, 0.5, this.total);
      else if (e.key === '-' || e.key === '_') this.window = zoomAt(this.window, 2, 0.5, this.total);
      else if (e.key === 'ArrowLeft') this.window = panBy(this.window, -step, this.total);
      else if (e.key === 'ArrowRight') this.window = panBy(this.window, step, this.total);
      else if (e.key === 'Home') this.window = clampWindow({ start: 0, end: this.total }, this.total);
      else return;
      e.preventDefault();
      this.schedule();
    });
  }

  /** The region offset under CSS pixel x, or -1 outside the plot. */
  private offsetAt(x: number): number {
    if (x < GUTTER) return -1;
    const i = Math.floor(positionAt(this.window, x - GUTTER, this.plotWidth()));
    return i >= 0 && i < this.total ? i : -1;
  }

  /** The tooltip's lines for offset i (text only). */
  describe(i: number): string[] {
    const { input } = this;
    const L = this.total;
    const ref = String.fromCharCode(input.letters[i]).toUpperCase();
    const lines = [`${input.name}:${formatPosition(input.start + i + 1, 1)}  reference ${ref}`];
    for (let b = 0; b < 4; b++) {
      if (BASES[b] === ref) continue;
      const v = (a: Float32Array) => a[b * L + i];
      const m = v(input.llr);
      lines.push(
        Number.isNaN(m)
          ? `${ref}>${BASES[b]}: not scored`
          : `${ref}>${BASES[b]}: LLR ${m.toFixed(3)} bits (+ ${v(input.llrForward).toFixed(3)}, − ${v(input.llrReverse).toFixed(3)})`,
      );
    }
    lines.push(`mean cost of a substitution: ${importance(this.values, L, i).toFixed(3)} bits`);
    return lines;
  }

  private updateTooltip(): void {
    const i = this.hover && !this.drag?.moved ? this.offsetAt(this.hover.x) : -1;
    if (i < 0 || !this.hover) {
      this.tooltip.style.display = 'none';
      return;
    }
    this.tooltip.textContent = this.describe(i).join('\n');
    this.tooltip.style.display = 'block';
    const flip = this.hover.x > this.canvas.clientWidth - 300;
    this.tooltip.style.left = flip ? '' : `${this.hover.x + 14}px`;
    this.tooltip.style.right = flip ? `${this.canvas.clientWidth - this.hover.x + 14}px` : '';
    // Below the pointer in the upper half, above it in the lower: the view is short, and an output's frame clips what hangs below it.
    const below = this.hover.y < this.canvas.clientHeight / 2;
    this.tooltip.style.top = below ? `${this.hover.y + 14}px` : '';
    this.tooltip.style.bottom = below ? '' : `${this.canvas.clientHeight - this.hover.y + 14}px`;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private x(offset: number, plotW: number): number {
    return pixelOf(this.window, offset, plotW);
  }

  /** Draws now (the harness calls it to skip the animation frame). */
  draw(): void {
    const cssW = Math.max(GUTTER + 50, this.element.clientWidth);
    const cssH = this.heatTop() + 4 * CELL_H + 2;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
      this.canvas.style.height = `${cssH}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { theme, input } = this;
    const plotW = cssW - GUTTER;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, cssW, cssH);
    const first = Math.max(0, Math.floor(this.window.start)),
      last = Math.min(this.total, Math.ceil(this.window.end));
    this.canvas.setAttribute(
      'aria-label',
      `substitution effects on ${input.name}, positions ${formatPosition(input.start + first + 1, 1)} to ${formatPosition(input.start + last, 1)}`,
    );
    this.element.dataset.windowStart = String(first);
    this.element.dataset.windowEnd = String(last);
    // Row labels.
    ctx.fillStyle = theme.muted;
    ctx.font = theme.font;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText('position', GUTTER - 8, RULER_H / 2, GUTTER - 12);
    ctx.fillText('cost (bits)', GUTTER - 8, RULER_H + LOGO_H / 2, GUTTER - 12);
    for (let b = 0; b < 4; b++) {
      ctx.fillStyle = theme.bases[BASES[b] as 'A' | 'C' | 'G' | 'T'];
      ctx.fillText(`→ ${BASES[b]}`, GUTTER - 8, this.heatTop() + b * CELL_H + CELL_H / 2);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER, 0, plotW, cssH);
    ctx.clip();
    ctx.translate(GUTTER, 0);
    this.drawRuler(ctx, plotW);
    this.drawLogo(ctx, plotW, first, last);
    this.drawHeat(ctx, plotW, first, last);
    ctx.restore();
    if (this.hover && this.offsetAt(this.hover.x) >= 0 && !this.drag?.moved) {
      ctx.strokeStyle = theme.focus;
      const i = this.offsetAt(this.hover.x);
      const x0 = GUTTER + this.x(i, plotW),
        x1 = GUTTER + this.x(i + 1, plotW);
      ctx.strokeRect(x0 + 0.5, RULER_H + 0.5, Math.max(1, x1 - x0 - 1), cssH - RULER_H - 1);
    }
  }

  private drawRuler(ctx: CanvasRenderingContext2D, plotW: number): void {
    const origin = this.input.start;
    const oneBased = { start: origin + this.window.start + 1, end: origin + this.window.end + 1 };
    drawPositionRuler(ctx, this.theme, plotW, { top: 0, bottom: RULER_H }, oneBased, (t) =>
      this.x(t - 1 - origin + 0.5, plotW),
    );
  }

  /** Each letter as tall as its importance (a bar where letters do not fit). */
  private drawLogo(ctx: CanvasRenderingContext2D, plotW: number, first: number, last: number): void {
    const { letters } = this.input;
    const L = this.total;
    const values = this.values;
    let top = 0.01;
    for (let i = 0; i < L; i++) top = Math.max(top, importance(values, L, i));
    const px = plotW / span(this.window);
    const base = RULER_H + LOGO_H;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    for (let i = first; i < last; i++) {
      const letter = String.fromCharCode(letters[i]).toUpperCase();
      const h = Math.max(1, (importance(values, L, i) / top) * (LOGO_H - 4));
      const x0 = this.x(i, plotW);
      ctx.fillStyle = this.theme.bases[(BASES.includes(letter) ? letter : 'N') as 'A' | 'C' | 'G' | 'T' | 'N'];
      if (px < LETTER_MIN_PX) {
        ctx.fillRect(x0, base - h, Math.max(1, px - (px > 3 ? 1 : 0)), h);
        continue;
      }
      // A letter's glyph is about 0.72 of its font size tall: scale it to h, and to the column's width.
      ctx.save();
      ctx.font = `bold 100px ${this.theme.monoFont.replace(/^\S+\s+/, '')}`;
      const w = ctx.measureText(letter).width || 60;
      ctx.translate(x0 + px / 2, base);
      ctx.scale((px * 0.9) / w, h / 72);
      ctx.fillText(letter, 0, 0);
      ctx.restore();
    }
    ctx.fillStyle = this.theme.muted;
    ctx.font = this.theme.font;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`${top.toFixed(2)} bits`, 3, RULER_H + 2);
  }

  private drawHeat(ctx: CanvasRenderingContext2D, plotW: number, first: number, last: number): void {
    const { letters } = this.input;
    const L = this.total;
    const values = this.values;
    const scale = llrScale(values);
    const px = plotW / span(this.window);
    const top = this.heatTop();
    ctx.strokeStyle = this.theme.border;
    ctx.strokeRect(0.5, top - 0.5, plotW - 1, 4 * CELL_H + 1);
    for (let i = first; i < last; i++) {
      const x0 = this.x(i, plotW);
      const ref = String.fromCharCode(letters[i]).toUpperCase();
      for (let b = 0; b < 4; b++) {
        const y = top + b * CELL_H;
        const v = values[b * L + i];
        if (BASES[b] === ref) {
          // The reference base's own cell: its letter, small, where there is room.
          if (px >= LETTER_MIN_PX) {
            ctx.fillStyle = this.theme.muted;
            ctx.font = this.theme.monoFont;
            ctx.textAlign = 'center';
            ctx.textBaseline = 'middle';
            ctx.fillText('·', x0 + px / 2, y + CELL_H / 2);
          }
          continue;
        }
        if (Number.isNaN(v)) continue;
        ctx.globalAlpha = Math.min(1, 0.08 + (0.92 * Math.abs(v)) / scale);
        ctx.fillStyle = v < 0 ? this.theme.highlight : this.theme.surprisal;
        ctx.fillRect(x0, y + 1, Math.max(1, px - (px > 3 ? 1 : 0)), CELL_H - 2);
        ctx.globalAlpha = 1;
      }
    }
  }
}
