// Elementwise activations fused into other ops (linear, conv1d, gate): SiLU and softplus,
// as PyTorch computes them (softplus with beta 1 and threshold 20, as HF Mamba calls it), and the
// derivatives their backward passes use.
import type { Activation } from '../backend';

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** log(1 + e^x), and x itself above 20 (PyTorch's threshold, where the two agree in float32). */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e^-x) without overflow for large |x|. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** silu'(x) = s * (1 + x * (1 - s)), s = sigmoid(x). */
export function siluGrad(x: number): number {
  const s = sigmoid(x);
  return s * (1 + x * (1 - s));
}

export function activate(x: number, act: Activation): number {
  return act === 'silu' ? silu(x) : act === 'softplus' ? softplus(x) : x;
}

/** WGSL twin: `fn activate(x: f32) -> f32` for one activation, fused into the kernel that calls it. */
export function activationWgsl(act: Activation): string {
  const body =
    act === 'silu'
      ? 'return x / (1.0 + exp(-x));'
      : act === 'softplus'
        ? 'if (x > 20.0) { return x; } return log(1.0 + exp(x));'
        : 'return x;';
  return `fn activate(x: f32) -> f32 { ${body} }\n`;
}
