// In-silico saturation mutagenesis: every single-base substitution of a region of the reference,
// each scored as `seqlab vep` scores an SNV (variant-effect.ts: the same windows, both strands),
// so a substitution's LLR here is the one vep gives the same SNV. The result is one row of four
// values per position (A, C, G, T: 0 for the reference base itself), JSON-able for a notebook's
// heatmap; positions whose reference base is not A, C, G or T are left unscored (null).
import type { ReferenceContig, ReferenceGenome } from './reference';
import { readFlanks, type VariantEffectScorer, type VariantWindow } from './variant-effect';

export const BASES = 'ACGT';
/** Positions scored at a time (each is four branches on each strand). */
const POSITIONS_PER_BATCH = 64;

/** A region as NAME:START-END, 1-based and inclusive (as samtools writes it). */
export interface Region {
  readonly chrom: string;
  readonly start: number;
  readonly end: number;
}

export function parseRegion(text: string): Region {
  const m = /^(.+):([\d,]+)-([\d,]+)$/.exec(text.trim());
  const num = (s: string) => Number(s.replace(/,/g, ''));
  if (!m) throw new Error(`region "${text}" is not NAME:START-END (1-based, inclusive)`);
  const region = { chrom: m[1], start: num(m[2]), end: num(m[3]) };
  if (!(Number.isSafeInteger(region.start) && region.start >= 1 && region.end >= region.start))
    throw new Error(`region "${text}": START must be at least 1 and END at least START`);
  return region;
}

export interface MutagenesisResult {
  chrom: string;
  /** The reference record the name was matched to, when it differs. */
  referenceName?: string;
  start: number;
  end: number;
  window: number;
  /** The reference bases of the region, as in the file. */
  bases: string;
  /** Per position, the LLR (bits, mean of both strands) of A, C, G, T; 0 at the reference base; null where not scored. */
  llr: (number | null)[][];
  llrForward: (number | null)[][];
  llrReverse: (number | null)[][];
}

export interface MutagenesisOptions {
  window: number;
  signal?: AbortSignal;
  /** Called after each batch with positions done and the region's length. */
  onProgress?: (done: number, total: number) => void;
}

/** The contig a region names, checked to hold the region; errors say what is wrong. */
export function regionContig(reference: ReferenceGenome, region: Region): ReferenceContig {
  const contig = reference.contig(region.chrom);
  if (!contig) throw new Error(`${region.chrom} is not in ${reference.name}`);
  if (region.end > contig.length)
    throw new Error(`region ends at ${region.end}, past the end of ${contig.name} (${contig.length} bases)`);
  return contig;
}

export async function saturationMutagenesis(
  reference: ReferenceGenome,
  scorer: VariantEffectScorer,
  region: Region,
  options: MutagenesisOptions,
): Promise<MutagenesisResult> {
  const contig = regionContig(reference, region);
  const total = region.end - region.start + 1;
  const bases = Buffer.from(await reference.bases(contig.index, region.start - 1, region.end)).toString('latin1');
  const empty = () => Array.from({ length: total }, () => [null, null, null, null] as (number | null)[]);
  const result: MutagenesisResult = {
    chrom: region.chrom,
    ...(contig.match !== 'exact' ? { referenceName: contig.name } : {}),
    start: region.start,
    end: region.end,
    window: options.window,
    bases,
    llr: empty(),
    llrForward: empty(),
    llrReverse: empty(),
  };
  for (let from = 0; from < total; from += POSITIONS_PER_BATCH) {
    options.signal?.throwIfAborted();
    const positions: number[] = [],
      windows: VariantWindow[] = [];
    for (let i = from; i < Math.min(total, from + POSITIONS_PER_BATCH); i++) {
      const refBase = BASES.indexOf(bases[i].toUpperCase());
      if (refBase < 0) continue;
      const flanks = await readFlanks(reference, contig, region.start - 1 + i, 1, options.window);
      const alts = [...BASES].filter((_, b) => b !== refBase).map((b) => Buffer.from(b, 'latin1'));
      windows.push({ left: flanks.left, ref: Buffer.from(BASES[refBase], 'latin1'), alts, right: flanks.right });
      positions.push(i);
    }
    const scores = await scorer.score(windows, options.signal);
    positions.forEach((i, k) => {
      const refBase = BASES.indexOf(bases[i].toUpperCase());
      for (const [out, pick] of [
        [result.llr, 'mean'],
        [result.llrForward, 'forward'],
        [result.llrReverse, 'reverse'],
      ] as const) {
        const row = out[i];
        row[refBase] = 0;
        let j = 0;
        for (let b = 0; b < 4; b++) if (b !== refBase) row[b] = scores[k][j++][pick];
      }
    });
    options.onProgress?.(Math.min(total, from + POSITIONS_PER_BATCH), total);
  }
  return result;
}
