// Draws per-pixel summaries of a track as a min–max band with the mean as a line, over a
// dashed guide at a reference value (2 bits per base, 8 bits per mu-law sample, 50 % GC).
// Shared by the DNA track view and the surprisal strip under the waveform.
import { normalize } from './color-map';
import type { Summary } from './range-summary';

export interface PlotBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function plotSummaries(
  ctx: CanvasRenderingContext2D,
  bins: readonly Summary[],
  box: PlotBox,
  style: { color: string; guideColor: string; lo: number; hi: number; guide: number },
): void {
  const { color, lo, hi, guide } = style;
  const y = (v: number) => box.y + box.height - 1 - normalize(v, lo, hi) * (box.height - 2);
  const dx = box.width / Math.max(1, bins.length);
  ctx.strokeStyle = style.guideColor;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(box.x, Math.round(y(guide)) + 0.5);
  ctx.lineTo(box.x + box.width, Math.round(y(guide)) + 0.5);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = color;
  ctx.globalAlpha = 0.3;
  bins.forEach((s, i) => {
    if (s.count > 0 && s.max > s.min)
      ctx.fillRect(box.x + i * dx, y(s.max), Math.max(1, dx), Math.max(1, y(s.min) - y(s.max)));
  });
  ctx.globalAlpha = 1;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.25;
  ctx.beginPath();
  let pen = false;
  bins.forEach((s, i) => {
    if (s.count === 0) {
      pen = false;
      return;
    }
    const px = box.x + (i + 0.5) * dx,
      py = y(s.sum / s.count);
    if (pen) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    pen = true;
  });
  ctx.stroke();
  ctx.lineWidth = 1;
}
