// The TSV of a VCF's scores, one row per ALT (a record without ALT: one row), as `seqlab vep --tsv`
// writes it and a variants cell exports it.
import type { VariantResult } from './variant-result';

export const TSV_COLUMNS = [
  'line',
  'chrom',
  'pos',
  'id',
  'ref',
  'alt',
  'kind',
  'status',
  'llr',
  'llr_fwd',
  'llr_rc',
  'reference_name',
  'problem',
];

export function tsvRows(r: VariantResult): string[] {
  const n = (x: number | undefined) => (x === undefined ? '' : x.toFixed(4));
  const base = [String(r.line), r.chrom, r.pos === null ? '' : String(r.pos), r.id ?? '', r.ref];
  const tail = [r.referenceName ?? '', r.problem ?? ''];
  if (r.alleles.length === 0) return [[...base, '', '', '', '', '', '', ...tail].join('\t')];
  return r.alleles.map((a) =>
    [...base, a.alt, a.kind ?? '', a.status, n(a.llr), n(a.llrForward), n(a.llrReverse), ...tail].join('\t'),
  );
}
