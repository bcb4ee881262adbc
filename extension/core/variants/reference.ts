// The reference genome a VCF is read against: an indexed FASTA (plain, gzip or BGZF), its records
// found by the VCF's CHROM (the same name; else the name with a "chr" prefix added or removed;
// else an NCBI-style ID field such as the accession in gi|…|ref|NC_007795.1|, or that accession
// without its version, NC_007795, as VCFs often write it), and bases of any range. Reads go
// through a cache of one stretch of one record, so a sorted VCF reads the file once: stretches of
// SPAN bases from plain and BGZF files; the whole record from a plain gzip file, which can only be
// decompressed from its beginning.
import { IndexedFasta } from '../datasets/fasta-index';
import type { StreamOptions } from '../datasets/source';
import { recordMatches } from '../runs/data-range';
import type { NameMatch } from './variant-result';

const SPAN = 1 << 20;

export interface ReferenceContig {
  readonly index: number;
  readonly name: string;
  readonly length: number;
  readonly match: NameMatch;
}

export class ReferenceGenome {
  private readonly byVcfName = new Map<string, ReferenceContig | undefined>();
  private cached: { index: number; start: number; bases: Uint8Array } | undefined;

  private constructor(readonly fasta: IndexedFasta) {}

  static async open(path: string, opts: StreamOptions = {}): Promise<ReferenceGenome> {
    return new ReferenceGenome(await IndexedFasta.open(path, opts));
  }

  get name(): string {
    return this.fasta.source.name;
  }

  /** The record a VCF CHROM names, or undefined when none does. */
  contig(vcfName: string): ReferenceContig | undefined {
    if (this.byVcfName.has(vcfName)) return this.byVcfName.get(vcfName);
    const found = this.find(vcfName);
    this.byVcfName.set(vcfName, found);
    return found;
  }

  private find(vcfName: string): ReferenceContig | undefined {
    const records = this.fasta.records;
    const at = (index: number, match: NameMatch): ReferenceContig => {
      const r = records.get(index);
      return { index, name: r.name, length: r.length, match };
    };
    const exact = this.fasta.recordNamed(vcfName);
    if (exact >= 0) return at(exact, 'exact');
    const other = /^chr/i.test(vcfName) ? vcfName.slice(3) : `chr${vcfName}`;
    const prefixed = other === '' ? -1 : this.fasta.recordNamed(other);
    if (prefixed >= 0) return at(prefixed, 'chr_prefix');
    for (let i = 0; i < records.count; i++) if (recordMatches(records.get(i).name, vcfName)) return at(i, 'accession');
    for (let i = 0; i < records.count; i++)
      if (holdsVersionOf(records.get(i).name, vcfName)) return at(i, 'accession_version');
    return undefined;
  }

  /** Bases [start, end) of record `index`, as in the file (case kept). */
  async bases(index: number, start: number, end: number, opts: StreamOptions = {}): Promise<Uint8Array> {
    const c = this.cached;
    if (c && c.index === index && start >= c.start && end <= c.start + c.bases.length)
      return c.bases.subarray(start - c.start, end - c.start);
    const length = this.fasta.records.get(index).length;
    const [from, to] =
      this.fasta.index.container === 'gzip' ? [0, length] : [start, Math.min(length, Math.max(end, start + SPAN))];
    this.cached = { index, start: from, bases: await this.fasta.readBases(index, from, to, opts) };
    return this.cached.bases.subarray(start - from, end - from);
  }

  close(): Promise<void> {
    return this.fasta.close();
  }
}

/** Whether an ID field of `name` is `accession` with a version added (NC_007795 → NC_007795.1). */
function holdsVersionOf(name: string, accession: string): boolean {
  if (!/^\w*\d$/.test(accession)) return false;
  return name
    .split('|')
    .some((field) => field.startsWith(`${accession}.`) && /^\d+$/.test(field.slice(accession.length + 1)));
}
