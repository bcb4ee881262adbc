// The residual: a, b (same shape) -> out = a + b, elementwise.
import { runElementwise } from '../webgpu/elementwise';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';

/** CPU twin. */
export function addCpu(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** WebGPU twin. */
export function addWebgpu(rt: GpuRuntime, a: GpuTensor, b: GpuTensor): GpuTensor {
  return runElementwise(rt, 'add', [a, b], 'a + b');
}
