// The output gate: y, z [.., c] -> out = y * silu(z), elementwise.
import type { FloatArray } from '../backend';
import { activationWgsl, silu } from './activation';
import { runElementwise } from '../webgpu/elementwise';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';

/** CPU twin: writes out and returns it. */
export function gateCpu<A extends FloatArray>(y: FloatArray, z: FloatArray, out: A): A {
  for (let i = 0; i < y.length; i++) out[i] = y[i] * silu(z[i]);
  return out;
}

/** WebGPU twin: the same SiLU as the CPU's, from activationWgsl. */
export function gateWebgpu(rt: GpuRuntime, y: GpuTensor, z: GpuTensor): GpuTensor {
  return runElementwise(rt, 'gate', [y, z], 'a * activate(b)', activationWgsl('silu'));
}
