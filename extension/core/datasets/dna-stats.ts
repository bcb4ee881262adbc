// Per-record and total statistics of DNA, computed while streaming (memory independent of the
// record length): length, base composition, GC %, N and other-IUPAC counts, gaps, soft-masked %,
// longest N run, and the most frequent k-mers.
//
// Definitions: GC % = (G + C) / (A + C + G + T) * 100 (ambiguous codes, N and gaps excluded; null
// when there are none). Soft-masked % = lowercase residues / length * 100. k-mers are counted over
// windows of k unambiguous bases (case-insensitive, U as T), on the given strand only.
import { isLowercase, Residue, RESIDUE } from './nucleotides';

export interface KmerCount {
  readonly kmer: string;
  readonly count: number;
}

export interface DnaStats {
  readonly name: string;
  readonly description: string;
  readonly records: number;
  readonly length: number;
  readonly a: number;
  readonly c: number;
  readonly g: number;
  readonly t: number;
  readonly n: number;
  /** Other IUPAC ambiguity codes (R Y S W K M B D H V). */
  readonly otherIupac: number;
  readonly gaps: number;
  readonly softMasked: number;
  readonly gcPercent: number | null;
  readonly softMaskedPercent: number | null;
  readonly longestNRun: number;
  readonly topKmers: KmerCount[];
}

export interface DnaStatsOptions {
  /** k-mer length, 1..MAX_K. */
  k?: number;
  /** How many of the most frequent k-mers to report. */
  top?: number;
}

export const MAX_K = 10;
const CODE = new Int8Array(256).fill(-1); // A C G T(U) -> 0..3
for (const [ch, v] of [
  ['A', 0],
  ['C', 1],
  ['G', 2],
  ['T', 3],
  ['U', 3],
] as const) {
  CODE[ch.charCodeAt(0)] = v;
  CODE[ch.toLowerCase().charCodeAt(0)] = v;
}

/** Feed records in order: start(), add() any number of times, end(); total() at any point after. */
export class DnaStatsAccumulator {
  readonly k: number;
  readonly top: number;
  private readonly mask: number;
  private readonly recordKmers: Uint32Array; // counts of the current record
  private readonly touched: Int32Array; // k-mers seen in the current record (first occurrence order)
  private touchedCount = 0;
  private readonly totalKmers: Float64Array;
  private readonly residueCounts = new Float64Array(8);
  private readonly totals = new Float64Array(8);
  private softMasked = 0;
  private totalSoftMasked = 0;
  private nRun = 0;
  private longestNRun = 0;
  private totalLongestNRun = 0;
  private kmer = 0;
  private valid = 0; // unambiguous bases in a row, up to k
  private name = '';
  private description = '';
  private records = 0;

  constructor(opts: DnaStatsOptions = {}) {
    this.k = opts.k ?? 6;
    this.top = opts.top ?? 5;
    if (!(Number.isInteger(this.k) && this.k >= 1 && this.k <= MAX_K))
      throw new RangeError(`k-mer length must be 1..${MAX_K}, got ${opts.k}`);
    if (!(Number.isInteger(this.top) && this.top >= 0))
      throw new RangeError(`top must be a non-negative integer, got ${opts.top}`);
    const size = 4 ** this.k;
    this.mask = size - 1;
    this.recordKmers = new Uint32Array(size);
    this.touched = new Int32Array(size);
    this.totalKmers = new Float64Array(size);
  }

  start(name: string, description = ''): void {
    this.name = name;
    this.description = description;
    this.residueCounts.fill(0);
    this.softMasked = 0;
    this.nRun = 0;
    this.longestNRun = 0;
    this.kmer = 0;
    this.valid = 0;
  }

  add(bases: Uint8Array): void {
    const counts = this.residueCounts,
      kmers = this.recordKmers,
      touched = this.touched;
    const k = this.k,
      mask = this.mask;
    let kmer = this.kmer,
      valid = this.valid,
      nRun = this.nRun,
      longest = this.longestNRun,
      soft = 0,
      t = this.touchedCount;
    for (let i = 0; i < bases.length; i++) {
      const b = bases[i];
      const r = RESIDUE[b];
      counts[r]++;
      if (isLowercase(b)) soft++;
      if (r === Residue.N) {
        if (++nRun > longest) longest = nRun;
      } else nRun = 0;
      const code = CODE[b];
      if (code < 0) {
        valid = 0;
        continue;
      }
      kmer = ((kmer << 2) | code) & mask;
      if (valid < k) valid++;
      if (valid === k) {
        if (kmers[kmer]++ === 0) touched[t++] = kmer;
      }
    }
    this.kmer = kmer;
    this.valid = valid;
    this.nRun = nRun;
    this.longestNRun = longest;
    this.touchedCount = t;
    this.softMasked += soft;
  }

  /** Closes the record and returns its statistics. */
  end(): DnaStats {
    const kmers = this.recordKmers;
    const seen = this.touched.subarray(0, this.touchedCount);
    const top = topOf(seen, kmers, this.top).map((i) => ({ kmer: kmerString(i, this.k), count: kmers[i] }));
    for (const i of seen) {
      this.totalKmers[i] += kmers[i];
      kmers[i] = 0;
    }
    this.touchedCount = 0;
    for (let r = 0; r < 8; r++) this.totals[r] += this.residueCounts[r];
    this.totalSoftMasked += this.softMasked;
    this.totalLongestNRun = Math.max(this.totalLongestNRun, this.longestNRun);
    this.records++;
    return summarize(this.name, this.description, 1, this.residueCounts, this.softMasked, this.longestNRun, top);
  }

  /** Statistics over every record ended so far. */
  total(name = 'total'): DnaStats {
    const all = Int32Array.from({ length: this.totalKmers.length }, (_, i) => i);
    const top = topOf(all, this.totalKmers, this.top)
      .filter((i) => this.totalKmers[i] > 0)
      .map((i) => ({ kmer: kmerString(i, this.k), count: this.totalKmers[i] }));
    return summarize(name, '', this.records, this.totals, this.totalSoftMasked, this.totalLongestNRun, top);
  }
}

function summarize(
  name: string,
  description: string,
  records: number,
  c: Float64Array,
  softMasked: number,
  longestNRun: number,
  topKmers: KmerCount[],
): DnaStats {
  const length =
    c[Residue.A] + c[Residue.C] + c[Residue.G] + c[Residue.T] + c[Residue.N] + c[Residue.Ambiguous] + c[Residue.Gap];
  const acgt = c[Residue.A] + c[Residue.C] + c[Residue.G] + c[Residue.T];
  return {
    name,
    description,
    records,
    length,
    a: c[Residue.A],
    c: c[Residue.C],
    g: c[Residue.G],
    t: c[Residue.T],
    n: c[Residue.N],
    otherIupac: c[Residue.Ambiguous],
    gaps: c[Residue.Gap],
    softMasked,
    gcPercent: acgt > 0 ? ((c[Residue.G] + c[Residue.C]) / acgt) * 100 : null,
    softMaskedPercent: length > 0 ? (softMasked / length) * 100 : null,
    longestNRun,
    topKmers,
  };
}

/** The `top` items with the largest count, largest first, ties by the smaller code: one pass, O(items * top). */
function topOf(items: Int32Array, count: ArrayLike<number>, top: number): number[] {
  const best: number[] = [];
  const before = (x: number, y: number) => count[x] > count[y] || (count[x] === count[y] && x < y);
  for (const i of items) {
    if (best.length === top && !before(i, best[top - 1])) continue;
    let j = Math.min(best.length, top - 1);
    best[j] = i;
    for (; j > 0 && before(i, best[j - 1]); j--) {
      best[j] = best[j - 1];
      best[j - 1] = i;
    }
  }
  return best;
}

export function kmerString(code: number, k: number): string {
  let s = '';
  for (let i = k - 1; i >= 0; i--) s += 'ACGT'[(code >> (2 * i)) & 3];
  return s;
}
