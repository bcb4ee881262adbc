// NaN and infinity where a model's numbers must be finite: in loaded weights (one NaN there makes
// every logit NaN, and sampling from NaN logits quietly picks token 0) and in the logits a caller
// reads (finite weights can still overflow). Errors name where the first one is.

export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
}

/** The flat index of the first NaN or infinity in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!(data[i] - data[i] === 0)) return i;
  return -1;
}

/** A flat row-major index as an index into `shape`, e.g. "[1, 0, 7]". */
export function indexText(shape: readonly number[], flat: number): string {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${out.join(', ')}]`;
}

/**
 * Throws NonFiniteError when `logits` [rows, positions, vocab] hold a NaN or infinity, naming the
 * first one's row and position; `positionBase` is the position of the first column (0 for a
 * forward from the start).
 */
export function checkFiniteLogits(
  logits: Float32Array,
  [, positions, vocab]: readonly number[],
  what: string,
  positionBase = 0,
): void {
  const bad = firstNonFinite(logits);
  if (bad < 0) return;
  const token = bad % vocab,
    position = Math.floor(bad / vocab) % positions,
    row = Math.floor(bad / (vocab * positions));
  throw new NonFiniteError(
    `${what}: the logits at row ${row}, position ${positionBase + position} are not finite ` +
      `(${logits[bad]} for token ${token}): the model's numbers overflowed`,
  );
}
