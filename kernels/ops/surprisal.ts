// Surprisal in bits: logits [rows, v], targets [rows] int32 ->
// out[r] = -log2 softmax(logits[r, :])[targets[r]] = (logsumexp(logits[r, :]) - logits[r, t]) / ln 2.
// A target outside [0, v) is an error naming its row.

/** CPU twin (max-shifted log-sum-exp in float64). */
export function surprisalBitsCpu(logits: Float32Array, rows: number, v: number, targets: Int32Array): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (!(t >= 0 && t < v)) throw new RangeError(`target id ${t} at row ${r} is outside the vocabulary [0, ${v})`);
    const o = r * v;
    let max = -Infinity;
    for (let i = 0; i < v; i++) if (logits[o + i] > max) max = logits[o + i];
    let sum = 0;
    for (let i = 0; i < v; i++) sum += Math.exp(logits[o + i] - max);
    out[r] = (max + Math.log(sum) - logits[o + t]) / Math.LN2;
  }
  return out;
}
