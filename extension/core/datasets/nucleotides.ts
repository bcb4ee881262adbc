// The nucleotide alphabet every DNA module shares: which bytes are residues (IUPAC codes in
// either case, U for RNA, '-' and '.' for gaps), what each means, and complements.

/** IUPAC nucleotide codes other than A, C, G, T/U and N: each stands for two or three bases. */
export const AMBIGUITY_CODES = 'RYSWKMBDHV';
export const GAP_CODES = '-.';

export const enum Residue {
  NotResidue = 0,
  A,
  C,
  G,
  T,
  N,
  Ambiguous,
  Gap,
}

/** RESIDUE[byte]: what the byte means in a sequence line (case-insensitive; U reads as T). */
export const RESIDUE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  const set = (chars: string, r: Residue) => {
    for (const ch of chars) {
      t[ch.charCodeAt(0)] = r;
      t[ch.toLowerCase().charCodeAt(0)] = r;
    }
  };
  set('A', Residue.A);
  set('C', Residue.C);
  set('G', Residue.G);
  set('TU', Residue.T);
  set('N', Residue.N);
  set(AMBIGUITY_CODES, Residue.Ambiguous);
  set(GAP_CODES, Residue.Gap);
  return t;
})();

/** COMPLEMENT[byte]: the IUPAC complement, case kept (A<->T, C<->G, R<->Y, K<->M, B<->V, D<->H; S, W, N, gaps self; U -> A). */
export const COMPLEMENT: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = b;
  const pairs = ['AT', 'CG', 'RY', 'KM', 'BV', 'DH'];
  for (const [x, y] of pairs) {
    for (const [p, q] of [
      [x, y],
      [x.toLowerCase(), y.toLowerCase()],
    ]) {
      t[p.charCodeAt(0)] = q.charCodeAt(0);
      t[q.charCodeAt(0)] = p.charCodeAt(0);
    }
  }
  t[85] = 65;
  t[117] = 97; // U -> A, u -> a
  return t;
})();

export function isLowercase(b: number): boolean {
  return b >= 97 && b <= 122;
}

/** Reverse complement of residue bytes, case kept (soft-masking survives the flip). */
export function reverseComplementBytes(bases: Uint8Array): Uint8Array {
  const out = new Uint8Array(bases.length);
  for (let i = 0, j = bases.length - 1; j >= 0; i++, j--) out[i] = COMPLEMENT[bases[j]];
  return out;
}
