// VCF records to results: each record's CHROM found in the reference, POS and REF checked against
// it, each ALT classified, and the scorable ALTs of a batch of records scored together. Records
// come back in their order, each with a result saying per ALT what was scored and why not; a
// record's problem (REF mismatch, chromosome missing, past the end) names its file and line.
import { classifyAllele } from './alleles';
import type { ReferenceGenome } from './reference';
import { readFlanks, type VariantEffectScorer, type VariantWindow } from './variant-effect';
import type { AlleleResult, NotScoredReason, VariantResult, VariantRunSummary } from './variant-result';
import type { VcfEntry, VcfRecord } from './vcf-reader';

/** Records scored at a time: enough for full forwards, few enough for steady progress. */
export const DEFAULT_BATCH_RECORDS = 128;

export interface ScoredEntry {
  readonly entry: VcfEntry;
  readonly result: VariantResult;
}

export interface ScoreVcfOptions {
  /** The VCF's name, for messages. */
  vcfName: string;
  window: number;
  batchRecords?: number;
  signal?: AbortSignal;
}

const text = (bases: Uint8Array): string => Buffer.from(bases).toString('latin1');

/** Adds one record's result to a run's counts (records, ALTs scored and not by reason, renamed chromosomes). */
export function tally(summary: VariantRunSummary, r: VariantResult): void {
  summary.records++;
  for (const a of r.alleles) {
    summary.alleles++;
    if (a.status === 'scored') summary.scored++;
    else summary.notScored[a.status] = (summary.notScored[a.status] ?? 0) + 1;
  }
  if (r.referenceName === undefined) return;
  const renamed = `${r.chrom} -> ${r.referenceName} (${r.nameMatch})`;
  if (!summary.renamed.includes(renamed)) summary.renamed.push(renamed);
}

/** Scores `entries` batch by batch, yielding each batch's results in order. */
export async function* scoreEntries(
  entries: AsyncIterable<VcfEntry>,
  reference: ReferenceGenome,
  scorer: VariantEffectScorer,
  options: ScoreVcfOptions,
): AsyncGenerator<ScoredEntry[]> {
  const size = options.batchRecords ?? DEFAULT_BATCH_RECORDS;
  let batch: VcfEntry[] = [];
  for await (const entry of entries) {
    batch.push(entry);
    if (batch.length === size) {
      yield await scoreBatch(batch, reference, scorer, options);
      batch = [];
    }
  }
  if (batch.length > 0) yield await scoreBatch(batch, reference, scorer, options);
}

/** One record with its scorable ALTs waiting for their LLRs. */
interface Pending {
  window: VariantWindow;
  alleles: AlleleResult[];
}

async function scoreBatch(
  batch: readonly VcfEntry[],
  reference: ReferenceGenome,
  scorer: VariantEffectScorer,
  options: ScoreVcfOptions,
): Promise<ScoredEntry[]> {
  options.signal?.throwIfAborted();
  const pending: Pending[] = [];
  const out: ScoredEntry[] = [];
  for (const entry of batch) {
    const result = entry.kind === 'bad' ? badResult(entry.line, entry.fields, entry.problem) : await check(entry);
    out.push({ entry, result });
  }
  const scores = await scorer.score(
    pending.map((p) => p.window),
    options.signal,
  );
  pending.forEach((p, i) =>
    p.alleles.forEach((a, j) => {
      const s = scores[i][j];
      Object.assign(a, { llr: s.mean, llrForward: s.forward, llrReverse: s.reverse });
    }),
  );
  return out;

  async function check(r: VcfRecord): Promise<VariantResult> {
    const result: VariantResult = { line: r.line, chrom: r.chrom, pos: r.pos, ref: r.ref, alleles: [] };
    if (r.id !== undefined) result.id = r.id;
    const where = `${options.vcfName}: line ${r.line}`;
    const failAll = (reason: NotScoredReason, problem: string): VariantResult => {
      result.problem = `${where}: ${problem}`;
      result.alleles = r.alts.map((alt) => ({ alt, status: reason }));
      return result;
    };
    const contig = reference.contig(r.chrom);
    if (!contig)
      return failAll(
        'chrom_missing',
        `chromosome "${r.chrom}" is not in ${reference.name} (nor with a "chr" prefix added or removed, nor as an accession with or without its version)`,
      );
    if (contig.match !== 'exact') {
      result.referenceName = contig.name;
      result.nameMatch = contig.match;
    }
    const start = r.pos - 1;
    if (start + r.ref.length > contig.length)
      return failAll(
        'past_end',
        `POS ${r.pos} with REF of ${r.ref.length} base${r.ref.length === 1 ? '' : 's'} runs past the end of ${contig.name} (${contig.length} bases)`,
      );
    const flanks = await readFlanks(reference, contig, start, r.ref.length, options.window);
    const actual = text(flanks.refBases);
    if (actual.toUpperCase() !== r.ref.toUpperCase())
      return failAll('ref_mismatch', `REF ${r.ref} does not match the reference ${actual} at ${contig.name}:${r.pos}`);
    const scored: AlleleResult[] = [],
      alts: Uint8Array[] = [];
    result.alleles = r.alts.map((alt) => {
      const c = classifyAllele(r.ref, alt);
      if (!c.scored) return { alt, status: c.reason };
      const a: AlleleResult = { alt, status: 'scored', kind: c.kind };
      scored.push(a);
      alts.push(Buffer.from(alt.toUpperCase(), 'latin1'));
      return a;
    });
    if (alts.length > 0)
      pending.push({
        window: { left: flanks.left, ref: Buffer.from(r.ref.toUpperCase(), 'latin1'), alts, right: flanks.right },
        alleles: scored,
      });
    return result;
  }
}

/** The result of a line that is not a readable record: its ALTs (when it has a column for them) not scored. */
function badResult(line: number, fields: readonly string[], problem: string): VariantResult {
  const alts = fields.length > 4 && fields[4] !== '.' ? fields[4].split(',') : [];
  return {
    line,
    chrom: fields[0] ?? '',
    pos: /^\d+$/.test(fields[1] ?? '') ? Number(fields[1]) : null,
    ref: fields[3] ?? '',
    problem,
    alleles: alts.map((alt) => ({ alt, status: 'bad_record' })),
  };
}
