// The VCF `seqlab vep` writes: the input's header with SeqLab's INFO fields declared, and each
// input line with those fields set in its INFO column (any SEQLAB_ fields of an earlier run
// replaced, everything else as it was). One value per ALT (Number=A), '.' where an ALT was not
// scored; SEQLAB_STATUS only on records with an ALT not scored.
import { VCF_COLUMNS, type VcfHeader } from './vcf-reader';
import type { VariantResult } from './variant-result';

const PREFIX = 'SEQLAB_';

const INFO_LINES = [
  '##INFO=<ID=SEQLAB_LLR,Number=A,Type=Float,Description="SeqLab zero-shot effect: log2 P(alt window) - log2 P(ref window) in bits, mean of both strands; negative = the model finds the alternate less likely">',
  '##INFO=<ID=SEQLAB_LLR_FWD,Number=A,Type=Float,Description="SEQLAB_LLR on the forward strand">',
  '##INFO=<ID=SEQLAB_LLR_RC,Number=A,Type=Float,Description="SEQLAB_LLR on the reverse complement">',
  '##INFO=<ID=SEQLAB_STATUS,Number=A,Type=String,Description="Per ALT: scored, or why not (symbolic, breakend, star, missing, non_acgt, ref_mismatch, chrom_missing, past_end, bad_record)">',
  '##INFO=<ID=SEQLAB_REFNAME,Number=1,Type=String,Description="The reference record CHROM was matched to when the names differ (a chr prefix added or removed, or an accession with or without its version)">',
];

export interface VepRunInfo {
  model: string;
  reference: string;
  window: number;
}

/** A value for a structured header line: quoted, with quotes and backslashes escaped. */
const quoted = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** The output header: the input's '##' lines less earlier SeqLab ones, SeqLab's, then the #CHROM line. */
export function vepHeader(header: VcfHeader, run: VepRunInfo): string[] {
  const kept = header.meta.filter((l) => !l.startsWith(`##INFO=<ID=${PREFIX}`) && !l.startsWith('##seqlab_vep='));
  const fileformat = kept.some((l) => l.startsWith('##fileformat=')) ? [] : ['##fileformat=VCFv4.2'];
  return [
    ...fileformat,
    ...kept,
    ...INFO_LINES,
    `##seqlab_vep=<Model=${quoted(run.model)},Reference=${quoted(run.reference)},Window=${run.window},Definition=${quoted(
      'windows of Window reference bases each side of REF; the sum over the allele and the right flank, each base given all before it',
    )}>`,
    header.columns ?? VCF_COLUMNS.join('\t'),
  ];
}

const num = (x: number | undefined): string => (x === undefined ? '.' : x.toFixed(4));
/** An INFO value with the characters INFO reserves percent-encoded (VCF 4.3). */
const infoValue = (s: string): string =>
  s.replace(/[;=,%\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** The line written for one input line: its columns with the INFO column updated (a line without one as it was). */
export function vepLine(entry: { fields: readonly string[]; rest: string | undefined }, result: VariantResult): string {
  const { fields, rest } = entry;
  const line = (cols: readonly string[]) => (rest === undefined ? cols : [...cols, rest]).join('\t');
  if (fields.length < VCF_COLUMNS.length) return line(fields);
  const info = fields[7] === '.' || fields[7] === '' ? [] : fields[7].split(';');
  const mine: string[] = [];
  const a = result.alleles;
  if (a.some((x) => x.status === 'scored')) {
    mine.push(`${PREFIX}LLR=${a.map((x) => num(x.llr)).join(',')}`);
    mine.push(`${PREFIX}LLR_FWD=${a.map((x) => num(x.llrForward)).join(',')}`);
    mine.push(`${PREFIX}LLR_RC=${a.map((x) => num(x.llrReverse)).join(',')}`);
  }
  if (a.some((x) => x.status !== 'scored')) mine.push(`${PREFIX}STATUS=${a.map((x) => x.status).join(',')}`);
  if (result.referenceName !== undefined) mine.push(`${PREFIX}REFNAME=${infoValue(result.referenceName)}`);
  const merged = [...info.filter((kv) => !kv.startsWith(PREFIX)), ...mine];
  const out = [...fields];
  out[7] = merged.length > 0 ? merged.join(';') : '.';
  return line(out);
}
