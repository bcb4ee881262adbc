// The position ruler of the DNA views: ticks on 1-based positions (as the hover and FASTA tools
// count) at round steps, labelled with the digits the step needs, a base line under them.
import type { ThemeColors } from './theme';
import { formatPosition, niceTicks, type ViewWindow } from './view-window';

/**
 * Draws the ruler in the band [top, bottom) of a plot `plotW` wide: `oneBased` is the visible
 * window in 1-based positions, `xOf(t)` the CSS x of the centre of position t.
 */
export function drawPositionRuler(
  ctx: CanvasRenderingContext2D,
  theme: ThemeColors,
  plotW: number,
  band: { top: number; bottom: number },
  oneBased: ViewWindow,
  xOf: (position: number) => number,
): void {
  const { step, ticks } = niceTicks(oneBased, Math.max(1, Math.floor(plotW / 90)));
  ctx.strokeStyle = theme.border;
  ctx.fillStyle = theme.foreground;
  ctx.font = theme.font;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  ctx.moveTo(0, band.bottom - 0.5);
  ctx.lineTo(plotW, band.bottom - 0.5);
  for (const t of ticks) {
    const x = Math.round(xOf(t)) + 0.5;
    ctx.moveTo(x, band.bottom - 6);
    ctx.lineTo(x, band.bottom);
    const label = formatPosition(t, step);
    // A label cut by the plot's edge reads as another number: leave it out, the tick stays.
    const half = ctx.measureText(label).width / 2;
    if (x - half >= 0 && x + half <= plotW) ctx.fillText(label, x, band.top + 2);
  }
  ctx.stroke();
}
