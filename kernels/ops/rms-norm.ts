// RMSNorm over the last dimension: x [rows, d], weight [d] ->
// out[r, i] = weight[i] * x[r, i] / sqrt(mean_i(x[r, :]^2) + eps)   (HF MambaRMSNorm).

/** CPU twin (the mean of squares accumulates in float64). */
export function rmsNormCpu(x: Float32Array, rows: number, d: number, weight: Float32Array, eps: number): Float32Array {
  const out = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[o + i] * x[o + i];
    const inv = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) out[o + i] = weight[i] * (x[o + i] * inv);
  }
  return out;
}
