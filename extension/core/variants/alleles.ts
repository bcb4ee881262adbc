// What a VCF ALT allele is, next to its REF: a sequence change the model can score (SNV, MNV,
// insertion, deletion, complex), or a form with no bases to compare (symbolic, breakend, '*',
// '.', N or other IUPAC codes), which is kept and reported with its reason.
import { parseBreakend } from '@gmod/vcf';
import type { AlleleKind, NotScoredReason } from './variant-result';

const ACGT = /^[ACGT]+$/i;

export type AlleleClass = { scored: true; kind: AlleleKind } | { scored: false; reason: NotScoredReason };

/** The class of `alt` given `ref` (both as written in the VCF). */
export function classifyAllele(ref: string, alt: string): AlleleClass {
  if (alt.includes('<')) return { scored: false, reason: 'symbolic' };
  if (alt === '*') return { scored: false, reason: 'star' };
  if (alt === '.' || alt === '') return { scored: false, reason: 'missing' };
  // Malformed bracket forms, which parseBreakend declines, are still joins and not sequences.
  if (parseBreakend(alt) || /[[\]]/.test(alt)) return { scored: false, reason: 'breakend' };
  if (!ACGT.test(ref) || !ACGT.test(alt)) return { scored: false, reason: 'non_acgt' };
  return { scored: true, kind: kindOf(ref.toUpperCase(), alt.toUpperCase()) };
}

function kindOf(ref: string, alt: string): AlleleKind {
  if (ref.length === alt.length) return ref.length === 1 ? 'snv' : 'mnv';
  const [short, long] = ref.length < alt.length ? [ref, alt] : [alt, ref];
  const nested = long.startsWith(short) || long.endsWith(short);
  if (!nested) return 'complex';
  return alt.length > ref.length ? 'insertion' : 'deletion';
}
