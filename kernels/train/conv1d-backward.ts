// Causal depthwise conv1d with SiLU for training, per sequence of the batch (no carried state:
// inputs before t = 0 are zeros):
//   pre[t, c] = bias[c] + sum_j w[c, j] * x[t - (k-1) + j, c],   u = silu(pre)
// x, pre, u are [b, l, c]; w is [c, k] (HF's [c, 1, k]). The forward keeps pre. Backward with
// dpre = du * silu'(pre):  dbias[c] += dpre,  dw[c, j] += dpre[t, c] * x[t-(k-1)+j, c],
// dx[t-(k-1)+j, c] += w[c, j] * dpre[t, c]. dpre is a caller scratch of the same size.
import { silu, siluGrad } from './activation-backward';
import type { FloatArray } from './params';

export function conv1dSiluForward(x: FloatArray, b: number, l: number, c: number, w: FloatArray, k: number, bias: FloatArray | undefined, pre: FloatArray, u: FloatArray): void {
  for (let bi = 0; bi < b; bi++) {
    for (let t = 0; t < l; t++) {
      const o = (bi * l + t) * c;
      for (let ch = 0; ch < c; ch++) {
        let s = bias ? bias[ch] : 0;
        for (let j = 0; j < k; j++) {
          const tt = t - (k - 1) + j;
          if (tt >= 0) s += w[ch * k + j] * x[(bi * l + tt) * c + ch];
        }
        pre[o + ch] = s;
        u[o + ch] = silu(s);
      }
    }
  }
}

export function conv1dSiluBackward(
  du: FloatArray, x: FloatArray, pre: FloatArray, b: number, l: number, c: number, w: FloatArray, k: number,
  dx: FloatArray, dw: FloatArray, dbias: FloatArray | undefined, dpre: FloatArray,
): void {
  const total = b * l * c;
  for (let i = 0; i < total; i++) dpre[i] = du[i] * siluGrad(pre[i]);
  for (let bi = 0; bi < b; bi++) {
    for (let t = 0; t < l; t++) {
      const o = (bi * l + t) * c;
      for (let ch = 0; ch < c; ch++) {
        const g = dpre[o + ch];
        if (dbias) dbias[ch] += g;
        for (let j = 0; j < k; j++) {
          const tt = t - (k - 1) + j;
          if (tt < 0) continue;
          const xi = (bi * l + tt) * c + ch;
          dw[ch * k + j] += g * x[xi];
          dx[xi] += w[ch * k + j] * g;
        }
      }
    }
  }
}
