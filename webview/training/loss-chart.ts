// Draws a loss chart layout as SVG: gridlines with their bits/token labels, step ticks, axis
// titles, a line and a dot per record for training and validation loss. Colours come from the
// pane's stylesheet (theme variables), so a theme change needs no redraw. Each dot carries its
// step and value (data-step, data-bits) and a tooltip with both.
import type { ChartPoint, ChartSize, LossChartLayout } from './chart-layout';

const SVG_NS = 'http://www.w3.org/2000/svg';
const DENSE = 60; // more dots than this in a series get a smaller radius

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function series(points: readonly ChartPoint[], name: 'train' | 'val', label: string): SVGGElement {
  const g = svg('g', { class: `series series-${name}` });
  g.append(svg('polyline', { points: points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ') }));
  const r = points.length > DENSE ? 1.5 : 3;
  for (const p of points) {
    const dot = svg('circle', {
      cx: p.x.toFixed(1),
      cy: p.y.toFixed(1),
      r,
      'data-step': p.step,
      'data-bits': p.bits,
      ...(p.clipped ? { class: 'clipped' } : {}),
    });
    dot.append(
      svg(
        'title',
        {},
        `step ${p.step.toLocaleString('en-US')}: ${label} ${p.bits.toFixed(4)} bits/token${p.clipped ? ' (above the axis)' : ''}`,
      ),
    );
    g.append(dot);
  }
  return g;
}

/** Replaces the contents of `root` with the chart (or, without a layout, the empty-state note). */
export function renderLossChart(
  root: SVGSVGElement,
  layout: LossChartLayout | undefined,
  size: ChartSize,
  emptyNote: string,
): void {
  root.replaceChildren();
  root.setAttribute('viewBox', `0 0 ${size.width} ${size.height}`);
  root.setAttribute('width', String(size.width));
  root.setAttribute('height', String(size.height));
  if (!layout) {
    root.append(
      svg('text', { class: 'empty', x: size.width / 2, y: size.height / 2, 'text-anchor': 'middle' }, emptyNote),
    );
    return;
  }
  const { plot } = layout;
  const grid = svg('g', { class: 'grid' }),
    labels = svg('g', { class: 'tick-labels' });
  for (const t of layout.yTicks) {
    grid.append(svg('line', { x1: plot.left, x2: plot.right, y1: t.at.toFixed(1), y2: t.at.toFixed(1) }));
    labels.append(svg('text', { x: plot.left - 6, y: t.at + 4, 'text-anchor': 'end' }, t.label));
  }
  for (const t of layout.xTicks) {
    grid.append(
      svg('line', { class: 'x-tick', x1: t.at.toFixed(1), x2: t.at.toFixed(1), y1: plot.bottom, y2: plot.bottom + 4 }),
    );
    labels.append(svg('text', { x: t.at, y: plot.bottom + 17, 'text-anchor': 'middle' }, t.label));
  }
  grid.append(svg('line', { class: 'axis', x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }));
  const midY = (plot.top + plot.bottom) / 2;
  labels.append(
    svg(
      'text',
      { class: 'axis-title', x: (plot.left + plot.right) / 2, y: size.height - 6, 'text-anchor': 'middle' },
      'step',
    ),
  );
  labels.append(
    svg(
      'text',
      { class: 'axis-title', x: 0, y: 0, 'text-anchor': 'middle', transform: `translate(14 ${midY}) rotate(-90)` },
      'bits / token',
    ),
  );
  root.append(grid, labels, series(layout.train, 'train', 'training'), series(layout.val, 'val', 'validation'));
}
