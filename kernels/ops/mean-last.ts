// Mean over the last dimension: x [rows, w] -> out [rows]. Applied to Δ [b, l, c] it gives the
// per-position selection track [b, l] the UI draws as a heatmap.

/** CPU twin (accumulates in float64). */
export function meanLastCpu(x: Float32Array, rows: number, w: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * w; i < (r + 1) * w; i++) s += x[i];
    out[r] = s / w;
  }
  return out;
}
