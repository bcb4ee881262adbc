// Causal depthwise conv1d over l with optional bias and fused activation:
//   y[b, t, c] = act(bias[c] + sum_{j<k} weight[c, j] * x[b, t-(k-1)+j, c])
// x [b, l, c], weight [c, k] (HF's [c, 1, k] squeezed), bias [c]?, state [b, c, k-1]? holding the
// k-1 inputs before t = 0, oldest first (zeros when absent). Returns y and the new state: the
// last k-1 inputs of state ++ x. With l = 1 this is the recurrent one-step update.
import type { Activation } from '../backend';
import { activate } from './activation';

/** CPU twin. */
export function conv1dCpu(
  x: Float32Array, b: number, l: number, c: number, weight: Float32Array, k: number,
  bias: Float32Array | undefined, state: Float32Array | undefined, act: Activation,
): { y: Float32Array; state: Float32Array } {
  const w = k - 1;
  const y = new Float32Array(b * l * c);
  const next = new Float32Array(b * c * w);
  // Input at time t (t < 0 reads the state) for batch bi, channel ci.
  const input = (bi: number, t: number, ci: number): number =>
    t >= 0 ? x[(bi * l + t) * c + ci] : state ? state[(bi * c + ci) * w + w + t] : 0;
  for (let bi = 0; bi < b; bi++) {
    for (let t = 0; t < l; t++) {
      for (let ci = 0; ci < c; ci++) {
        let s = bias ? bias[ci] : 0;
        for (let j = 0; j < k; j++) s += weight[ci * k + j] * input(bi, t - w + j, ci);
        y[(bi * l + t) * c + ci] = activate(s, act);
      }
    }
    for (let ci = 0; ci < c; ci++) {
      for (let j = 0; j < w; j++) next[(bi * c + ci) * w + j] = input(bi, l - w + j, ci);
    }
  }
  return { y, state: next };
}
