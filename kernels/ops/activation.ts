// Elementwise activations fused into other ops (linear, conv1d, gate): SiLU and softplus,
// as PyTorch computes them (softplus with beta 1 and threshold 20, as HF Mamba calls it).
import type { Activation } from '../backend';

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** log(1 + e^x), and x itself above 20 (PyTorch's threshold, where the two agree in float32). */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

export function activate(x: number, act: Activation): number {
  return act === 'silu' ? silu(x) : act === 'softplus' ? softplus(x) : x;
}
