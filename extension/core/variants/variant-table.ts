// A variants cell's table as it grows batch by batch: one row per ALT (columns, as the notebook
// output stores them), the LLRs as float32 columns, and per matched reference record the span of
// its variants with the letters near them, so the output's track shows the bases around each
// variant without carrying the whole chromosome.
import {
  MAX_ALLELE_CHARS,
  VARIANT_BLOCKS,
  type VariantTable,
  type VariantTrackRecord,
} from '../../../protocol/notebook-output';
import type { Block } from '../../../protocol/track-codec';
import type { ReferenceGenome } from './reference';
import type { AlleleResult, VariantResult } from './variant-result';

/** Reference bases kept on each side of a variant for the track's letters. */
export const LETTER_FLANK = 60;

/** REF or ALT cut for the table (the exported files keep them whole). */
function shown(allele: string): string {
  return allele.length > MAX_ALLELE_CHARS ? `${allele.slice(0, MAX_ALLELE_CHARS - 1)}…` : allele;
}

interface RecordSpan {
  index: number;
  name: string;
  length: number;
  /** Variant stretches [start, end) in record coordinates, as they came. */
  stretches: [number, number][];
}

export class VariantTableBuilder {
  private readonly table: VariantTable = {
    line: [],
    chrom: [],
    chroms: [],
    record: [],
    pos: [],
    ref: [],
    alt: [],
    status: [],
  };
  private readonly llr: number[][] = [[], [], []];
  private readonly chromIndex = new Map<string, number>();
  /** Reference records with variants, by their index in the FASTA; the output lists them in order of appearance. */
  private readonly spans = new Map<number, RecordSpan>();

  constructor(private readonly reference: ReferenceGenome) {}

  get rows(): number {
    return this.table.line.length;
  }

  add(r: VariantResult): void {
    let chrom = this.chromIndex.get(r.chrom);
    if (chrom === undefined) {
      chrom = this.table.chroms.push(r.chrom) - 1;
      this.chromIndex.set(r.chrom, chrom);
    }
    const contig = r.pos === null ? undefined : this.reference.contig(r.chrom);
    let record = -1;
    if (contig && r.pos !== null && r.pos - 1 < contig.length) {
      let span = this.spans.get(contig.index);
      if (!span)
        this.spans.set(
          contig.index,
          (span = { index: contig.index, name: contig.name, length: contig.length, stretches: [] }),
        );
      span.stretches.push([r.pos - 1, Math.min(contig.length, r.pos - 1 + Math.max(1, r.ref.length))]);
      record = [...this.spans.keys()].indexOf(contig.index);
    }
    // A record whose ALT is '.' gets one row saying so.
    const alleles: (Omit<AlleleResult, 'status'> & { status: string })[] =
      r.alleles.length > 0 ? r.alleles : [{ alt: '', status: 'no_alt' }];
    for (const a of alleles) {
      const t = this.table;
      t.line.push(r.line);
      t.chrom.push(chrom);
      t.record.push(record);
      t.pos.push(r.pos ?? 0);
      t.ref.push(shown(r.ref));
      t.alt.push(shown(a.alt));
      t.status.push(a.status);
      [a.llr, a.llrForward, a.llrReverse].forEach((v, k) => this.llr[k].push(v ?? NaN));
    }
  }

  /** The table, the track records and every block they name (letters read from the reference now). */
  async finish(): Promise<{ variants: VariantTable; records: VariantTrackRecord[]; blocks: Map<string, Block> }> {
    const blocks = new Map<string, Block>([
      [VARIANT_BLOCKS.llr, Float32Array.from(this.llr[0])],
      [VARIANT_BLOCKS.llrForward, Float32Array.from(this.llr[1])],
      [VARIANT_BLOCKS.llrReverse, Float32Array.from(this.llr[2])],
    ]);
    const records: VariantTrackRecord[] = [];
    for (const span of this.spans.values()) {
      const block = `letters-${records.length}`;
      const { starts, ends } = mergedFlanks(span.stretches, span.length);
      const parts: Uint8Array[] = [];
      for (let i = 0; i < starts.length; i++)
        parts.push(Uint8Array.from(await this.reference.bases(span.index, starts[i], ends[i])));
      const letters = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (letters.set(p, at), at + p.length), 0);
      blocks.set(block, letters);
      records.push({
        name: span.name,
        length: span.length,
        start: starts[0],
        end: ends[ends.length - 1],
        letters: { block, starts, ends },
      });
    }
    return { variants: this.table, records, blocks };
  }
}

/** The stretches widened by LETTER_FLANK on each side, clipped to the record, sorted and merged where they touch. */
export function mergedFlanks(
  stretches: readonly [number, number][],
  length: number,
): { starts: number[]; ends: number[] } {
  const sorted = stretches
    .map(([a, b]) => [Math.max(0, a - LETTER_FLANK), Math.min(length, b + LETTER_FLANK)] as const)
    .sort((x, y) => x[0] - y[0]);
  const starts: number[] = [],
    ends: number[] = [];
  for (const [a, b] of sorted) {
    if (ends.length > 0 && a <= ends[ends.length - 1]) ends[ends.length - 1] = Math.max(ends[ends.length - 1], b);
    else {
      starts.push(a);
      ends.push(b);
    }
  }
  return { starts, ends };
}
