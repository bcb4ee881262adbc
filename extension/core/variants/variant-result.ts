// What scoring a VCF says about each record and each of its ALT alleles: plain JSON-able objects,
// so a notebook output can carry them as they are, and the codes `SEQLAB_STATUS` writes.

/** What kind of change a scored ALT is. */
export type AlleleKind = 'snv' | 'mnv' | 'insertion' | 'deletion' | 'complex';

/** Why an ALT was not scored: its own form, or a problem of its whole record. */
export type NotScoredReason =
  | 'symbolic' // <DEL>, <NON_REF>, ...: no bases to score
  | 'breakend' // t[p[, ]p]t, t. ...: a join to elsewhere, not a sequence
  | 'star' // '*': the position is deleted by another record's allele
  | 'missing' // '.' inside an ALT list
  | 'non_acgt' // REF or ALT holds N or another code the model cannot compare
  | 'ref_mismatch' // REF differs from the reference genome there
  | 'chrom_missing' // CHROM is not in the reference, even with or without a "chr" prefix
  | 'past_end' // POS and REF run past the end of the chromosome
  | 'bad_record'; // the line is not a VCF record (too few columns, POS not a number, ...)

export type AlleleStatus = 'scored' | NotScoredReason;

/** How a VCF CHROM found its reference record when the names differ. */
export type NameMatch = 'exact' | 'chr_prefix' | 'accession' | 'accession_version';

export interface AlleleResult {
  alt: string;
  status: AlleleStatus;
  /** Set for scored alleles. */
  kind?: AlleleKind;
  /** log2 P(alt window) - log2 P(ref window), bits, the mean of the two strands; negative: the alternate is less likely. */
  llr?: number;
  /** The same on the forward strand and on the reverse complement. */
  llrForward?: number;
  llrReverse?: number;
}

export interface VariantResult {
  /** 1-based line of the record in the VCF. */
  line: number;
  chrom: string;
  /** 1-based, as in the VCF; null for a bad record whose POS is not a number. */
  pos: number | null;
  id?: string;
  ref: string;
  /** The reference record CHROM was matched to, and how, when the names differ. */
  referenceName?: string;
  nameMatch?: NameMatch;
  /** A problem of the whole record (REF mismatch, chromosome missing, ...), in words, naming the line. */
  problem?: string;
  alleles: AlleleResult[];
}

/** Counts of a whole run, for the closing summary (CLI) or a notebook cell's header. */
export interface VariantRunSummary {
  vcf: string;
  reference: string;
  model: string;
  window: number;
  records: number;
  alleles: number;
  scored: number;
  notScored: Partial<Record<NotScoredReason, number>>;
  /** VCF names matched to differently named reference records, e.g. "chr20 -> 20 (chr prefix)". */
  renamed: string[];
  /** Problems of the file itself (no header, spaces for tabs, truncated input), naming file and line. */
  notes: string[];
  /** False when reading stopped early (a truncated or corrupt file): the records before it were scored. */
  complete: boolean;
  seconds: number;
}

/** A run's summary before any record is read: the counts at zero, the reader's notes. */
export function startRunSummary(
  names: Pick<VariantRunSummary, 'vcf' | 'reference' | 'model' | 'window'>,
  notes: readonly string[],
): VariantRunSummary {
  return {
    ...names,
    records: 0,
    alleles: 0,
    scored: 0,
    notScored: {},
    renamed: [],
    notes: [...notes],
    complete: true,
    seconds: 0,
  };
}
