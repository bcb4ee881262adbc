// The variants table's rows as the user orders and narrows them: a column to sort by (either
// direction; unscored LLRs last either way, ties in file order) and a filter (text in CHROM, POS,
// REF, ALT or status; "scored" or "not scored"). Works on row indices over the stored columns, so
// thousands of rows sort without building objects. Pure.
import type { VariantTable } from '../../protocol/notebook-output';

export type VariantColumn = 'chrom' | 'pos' | 'ref' | 'alt' | 'llrForward' | 'llrReverse' | 'llr' | 'status';

/** The table with its LLR columns (float32 blocks, NaN where not scored). */
export interface VariantRowData {
  table: VariantTable;
  llr: Float32Array;
  llrForward: Float32Array;
  llrReverse: Float32Array;
}

export interface RowOrder {
  column: VariantColumn;
  descending: boolean;
}

export type ScoredFilter = 'all' | 'scored' | 'not scored';

export interface RowFilter {
  text: string;
  scored: ScoredFilter;
}

function textOf(d: VariantRowData, column: VariantColumn, i: number): string {
  const t = d.table;
  if (column === 'chrom') return t.chroms[t.chrom[i]];
  if (column === 'ref') return t.ref[i];
  if (column === 'alt') return t.alt[i];
  return t.status[i];
}

/** The rows shown, in order: those the filter keeps, sorted by `order`. */
export function visibleRows(d: VariantRowData, order: RowOrder, filter: RowFilter): number[] {
  const t = d.table;
  const needle = filter.text.trim().toLowerCase();
  const rows: number[] = [];
  for (let i = 0; i < t.line.length; i++) {
    const scored = t.status[i] === 'scored';
    if ((filter.scored === 'scored' && !scored) || (filter.scored === 'not scored' && scored)) continue;
    if (
      needle &&
      ![t.chroms[t.chrom[i]], String(t.pos[i]), t.ref[i], t.alt[i], t.status[i]].some((s) =>
        s.toLowerCase().includes(needle),
      )
    )
      continue;
    rows.push(i);
  }
  const sign = order.descending ? -1 : 1;
  const { column } = order;
  const numbers =
    column === 'pos'
      ? t.pos
      : column === 'llr' || column === 'llrForward' || column === 'llrReverse'
        ? d[column]
        : null;
  rows.sort((a, b) => {
    let c: number;
    if (numbers) {
      const x = numbers[a],
        y = numbers[b];
      if (Number.isNaN(x) || Number.isNaN(y)) c = Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
      else c = sign * (x - y);
    } else c = sign * textOf(d, column, a).localeCompare(textOf(d, column, b), 'en', { numeric: true });
    // Within a chromosome, by position; then file order.
    if (c === 0 && column === 'chrom') c = sign * (t.pos[a] - t.pos[b]);
    return c || a - b;
  });
  return rows;
}
