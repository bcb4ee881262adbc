// A part of each data file, given as percentages of its length: "0%-80%" trains on the first
// four fifths, "80%-100%" evaluates on the rest. Positions are over the file's sequence content
// (all records in order for FASTA, all samples for WAV), so two ranges that do not overlap as
// percentages never share a position. A FASTA file holding several genomes can be narrowed to
// some of its records first (`records`); the percentages are then over those records only.

export interface DataRange {
  startPct: number;
  endPct: number;
  /** FASTA record IDs (or accessions inside a `gi|…|ref|ACC|` ID) to keep; all records when absent. */
  records?: string[];
}

export const FULL_RANGE: DataRange = { startPct: 0, endPct: 100 };

export function parseRange(text: string, what = '--range'): DataRange {
  const m = /^\s*(\d+(?:\.\d+)?)%?\s*-\s*(\d+(?:\.\d+)?)%?\s*$/.exec(text);
  if (!m) throw new Error(`${what} "${text}" is not START%-END% (e.g. 0%-80%)`);
  const startPct = Number(m[1]),
    endPct = Number(m[2]);
  if (!(startPct >= 0 && endPct <= 100 && startPct < endPct))
    throw new Error(`${what} "${text}" must satisfy 0 <= START < END <= 100`);
  return { startPct, endPct };
}

export function rangeText(r: DataRange): string {
  return `${r.records ? `records ${r.records.join(', ')}, ` : ''}${r.startPct}%-${r.endPct}%`;
}

/** `range` narrowed to the records named in `records` (from `--records ID…`). */
export function withRecords(range: DataRange, records: readonly string[] | undefined): DataRange {
  if (!records || records.length === 0) return range;
  for (const r of records)
    if (!/^\S+$/.test(r)) throw new Error(`record name "${r}" must be one word (a FASTA ID or accession)`);
  return { ...range, records: [...records] };
}

/**
 * Whether the FASTA record with ID `id` is one that `selector` names: the whole ID, or one field
 * of an NCBI-style ID (`gi|385215269|ref|NC_017366.1|` is named by NC_017366.1 or 385215269).
 * Fields without a digit ("gi", "ref") name a database, not a record, so they never match.
 */
export function recordMatches(id: string, selector: string): boolean {
  return id === selector || (/\d/.test(selector) && id.split('|').includes(selector));
}

/** [start, end) positions of the range in a file of `total` positions. */
export function rangeBounds(r: DataRange, total: number): [number, number] {
  return [Math.floor((total * r.startPct) / 100), Math.floor((total * r.endPct) / 100)];
}

/** Reads back what rangeText wrote (training.json records a model's range that way). */
export function parseRangeText(text: string, what: string): DataRange {
  const m = /^(?:records (.+), )?([^,]+)$/.exec(text.trim());
  if (!m) throw new Error(`${what}: "${text}" is not a range like "0%-80%" or "records ID, 0%-80%"`);
  const range = parseRange(m[2], what);
  return m[1] ? withRecords(range, m[1].split(', ')) : range;
}

/**
 * The rest of each file once the training range is taken out: the held-out part a model has never
 * seen. Only a range touching one end of the files leaves a single range.
 */
export function heldOutRange(train: DataRange): DataRange {
  const rest =
    train.startPct === 0 && train.endPct < 100
      ? { startPct: train.endPct, endPct: 100 }
      : train.endPct === 100 && train.startPct > 0
        ? { startPct: 0, endPct: train.startPct }
        : undefined;
  if (!rest)
    throw new Error(
      `the training range ${rangeText(train)} ${train.startPct === 0 ? 'covers all of the data' : 'leaves a part on each side'}: no single held-out range; give --range`,
    );
  return train.records ? { ...rest, records: train.records } : rest;
}
