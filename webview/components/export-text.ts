// The text of the files a user exports from a track: BED (high-surprisal regions), CSV and
// JSON (the per-position tracks). Pure, so the renderer builds the text and the host only
// saves it. Positions: BED is 0-based half-open (the format's rule); CSV and JSON say
// `position` 1-based, as FASTA tools and the track's hover do.
import type { SurpriseRegion } from '../../protocol/surprise-regions';

export interface TrackColumn {
  /** Column name, e.g. surprisal_bits, gc_percent, delta_layer0. */
  name: string;
  values: ArrayLike<number>;
}

/** The sequence name a BED line uses: the header's first word (what samtools and IGV use). */
export function bedChrom(header: string): string {
  const word = header.trim().split(/\s+/)[0];
  if (!word) throw new Error('a record with an empty header has no name to use in BED');
  return word;
}

/**
 * BED6: chrom, start, end, name, score, strand. The score is the region's mean surprisal in
 * centibits (1/100 bit), capped at 1000 as BED requires.
 */
export function bedText(
  header: string,
  regions: readonly Pick<SurpriseRegion, 'start' | 'end' | 'meanBits'>[],
  strand: '+' | '-' | '.' = '.',
): string {
  const chrom = bedChrom(header);
  return regions
    .map((r, i) => {
      const score = Math.max(0, Math.min(1000, Math.round(r.meanBits * 100)));
      return `${chrom}\t${r.start}\t${r.end}\thigh_surprisal_${i + 1}\t${Number.isFinite(score) ? score : 0}\t${strand}\n`;
    })
    .join('');
}

/** Six significant digits, no exponent noise for ordinary values, empty for NaN. */
function numberField(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : '';
}

/**
 * A CSV field: quoted when it holds a comma, quote or line break; a leading = + - @ is
 * prefixed with ' so a spreadsheet does not run a header from a file as a formula.
 */
export function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function checkColumns(columns: readonly TrackColumn[], rows: number): void {
  for (const c of columns) {
    if (c.values.length !== rows)
      throw new RangeError(`column ${c.name} has ${c.values.length} values, the export has ${rows} rows`);
  }
}

/**
 * CSV of consecutive positions: record, position (1-based; the first row is `firstPosition` + 1),
 * base (when `bases` is given: one letter per row), then one column each.
 */
export function trackCsv(
  record: string,
  firstPosition: number,
  bases: string | null,
  columns: readonly TrackColumn[],
): string {
  const rows = columns[0]?.values.length ?? bases?.length ?? 0;
  checkColumns(columns, rows);
  if (bases !== null && bases.length !== rows) throw new RangeError(`${bases.length} bases for ${rows} rows`);
  const head = ['record', 'position', ...(bases !== null ? ['base'] : []), ...columns.map((c) => c.name)];
  const lines = [head.map(csvField).join(',')];
  const name = csvField(record);
  for (let i = 0; i < rows; i++) {
    const row = [name, String(firstPosition + i + 1)];
    if (bases !== null) row.push(csvField(bases[i]));
    for (const c of columns) row.push(numberField(c.values[i]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** JSON of the same: { record, start (1-based), end, columns: { name: [values, null for none] } }. */
export function trackJson(record: string, firstPosition: number, columns: readonly TrackColumn[]): string {
  const rows = columns[0]?.values.length ?? 0;
  checkColumns(columns, rows);
  const out: Record<string, (number | null)[]> = {};
  for (const c of columns)
    out[c.name] = Array.from({ length: rows }, (_, i) =>
      Number.isFinite(c.values[i]) ? Number(c.values[i].toPrecision(6)) : null,
    );
  return JSON.stringify({ record, start: firstPosition + 1, end: firstPosition + rows, columns: out });
}

/** FASTA text of one record, 60 letters a line (what samtools faidx writes). */
export function fastaText(header: string, sequence: string): string {
  const header1 = header.replace(/[\r\n]+/g, ' ');
  const lines = [`>${header1}`];
  for (let i = 0; i < sequence.length; i += 60) lines.push(sequence.slice(i, i + 60));
  return lines.join('\n') + '\n';
}
