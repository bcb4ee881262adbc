// Vertical layout of the DNA track view: which rows exist (ruler, bases and masks, surprisal
// per strand, GC %, one Δ row per layer) and where each sits, so drawing and hover agree on
// what is under the pointer. Pure.

export type RowKind = 'ruler' | 'bases' | 'surprisal' | 'surprisal-reverse' | 'gc' | 'delta';

export interface Row {
  kind: RowKind;
  label: string;
  top: number; // CSS pixels from the top of the canvas
  height: number;
  layer: number; // Δ row's layer; -1 for other rows
}

export interface LayoutInput {
  surprisal: boolean;
  surprisalReverse: boolean;
  gc: boolean;
  deltaLayers: number;
}

export const ROW_GAP = 6;
export const GUTTER = 96; // left margin for row labels, CSS pixels
const HEIGHTS: Record<Exclude<RowKind, 'delta'>, number> = {
  ruler: 22,
  bases: 22,
  surprisal: 72,
  'surprisal-reverse': 48,
  gc: 40,
};
/** Δ rows share this height, each at least 3 px and at most 12 px. */
const DELTA_BUDGET = 96;

export function layoutRows(input: LayoutInput): { rows: Row[]; height: number } {
  const rows: Row[] = [];
  let top = 0;
  const add = (kind: RowKind, label: string, height: number, layer = -1, gap = ROW_GAP) => {
    rows.push({ kind, label, top, height, layer });
    top += height + gap;
  };
  add('ruler', 'position', HEIGHTS.ruler, -1, 0);
  add('bases', 'bases · mask · N', HEIGHTS.bases);
  if (input.surprisal) add('surprisal', input.surprisalReverse ? 'surprisal (+)' : 'surprisal', HEIGHTS.surprisal);
  if (input.surprisalReverse) add('surprisal-reverse', 'surprisal (−)', HEIGHTS['surprisal-reverse']);
  if (input.gc) add('gc', 'GC %', HEIGHTS.gc);
  if (input.deltaLayers > 0) {
    const h = Math.max(3, Math.min(12, Math.floor(DELTA_BUDGET / input.deltaLayers)));
    for (let l = 0; l < input.deltaLayers; l++)
      add('delta', `Δ layer ${l}`, h, l, l === input.deltaLayers - 1 ? ROW_GAP : 0);
  }
  return { rows, height: top };
}

/** The row under CSS pixel y, or null in a gap. */
export function rowAt(rows: readonly Row[], y: number): Row | null {
  return rows.find((r) => y >= r.top && y < r.top + r.height) ?? null;
}

/** Axis top for a surprisal plot: the visible maximum rounded up to half a bit, never below guide + 0.5. */
export function surprisalAxisTop(visibleMax: number | null, guide: number): number {
  return Math.max(guide + 0.5, Math.ceil((visibleMax ?? guide) * 2) / 2);
}
