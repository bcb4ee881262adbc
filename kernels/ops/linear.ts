// Linear layer: x [rows, k], weight [m, k] (PyTorch layout), bias [m]? ->
// out [rows, m] = act(x @ weight^T + bias), act none | silu | softplus.
// Used for in_proj, x_proj, dt_proj (+ softplus), out_proj and lm_head.
import type { Activation } from '../backend';
import { activate } from './activation';

/** Weight rows per tile: a tile of W (TILE_M * k floats) stays in cache while all x rows pass. */
const TILE_M = 32;

/**
 * CPU twin. Both operands are read along k (row-major x and W), four x rows at a time so each
 * weight value loaded serves four dot products; sums accumulate in float64.
 */
export function linearCpu(x: Float32Array, rows: number, k: number, weight: Float32Array, m: number, bias: Float32Array | undefined, act: Activation): Float32Array {
  const out = new Float32Array(rows * m);
  for (let j0 = 0; j0 < m; j0 += TILE_M) {
    const j1 = Math.min(m, j0 + TILE_M);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const x0 = r * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
      for (let j = j0; j < j1; j++) {
        const w = j * k;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let i = 0; i < k; i++) {
          const wi = weight[w + i];
          s0 += x[x0 + i] * wi;
          s1 += x[x1 + i] * wi;
          s2 += x[x2 + i] * wi;
          s3 += x[x3 + i] * wi;
        }
        out[r * m + j] = s0;
        out[(r + 1) * m + j] = s1;
        out[(r + 2) * m + j] = s2;
        out[(r + 3) * m + j] = s3;
      }
    }
    for (; r < rows; r++) {
      const x0 = r * k;
      for (let j = j0; j < j1; j++) {
        const w = j * k;
        let s = 0;
        for (let i = 0; i < k; i++) s += x[x0 + i] * weight[w + i];
        out[r * m + j] = s;
      }
    }
  }
  if (bias || act !== 'none') {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) out[r * m + j] = activate(out[r * m + j] + (bias ? bias[j] : 0), act);
    }
  }
  return out;
}
