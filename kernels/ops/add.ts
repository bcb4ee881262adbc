// The residual: a, b (same shape) -> out = a + b, elementwise.
import type { FloatArray } from '../backend';
import { runElementwise } from '../webgpu/elementwise';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';

/** CPU twin: writes out (which may be a or b) and returns it. */
export function addCpu<A extends FloatArray>(a: FloatArray, b: FloatArray, out: A): A {
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** WebGPU twin. */
export function addWebgpu(rt: GpuRuntime, a: GpuTensor, b: GpuTensor): GpuTensor {
  return runElementwise(rt, 'add', [a, b], 'a + b');
}
