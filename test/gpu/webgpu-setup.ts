// What every gpu-tier test file shares: a WebGpuBackend on Dawn for Node (SwiftShader here,
// a real GPU where there is one), and fresh random inputs.
import { nodeGpu } from '../../kernels/webgpu/node-gpu';
import type { AcquireOptions } from '../../kernels/webgpu/device';
import { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';

export async function openWebGpu(options: AcquireOptions = {}): Promise<WebGpuBackend> {
  return WebGpuBackend.create(await nodeGpu(), options);
}

/** Uniform random values in [lo, hi), fresh on every call. */
export function uniform(count: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: count }, () => lo + (hi - lo) * Math.random());
}

export function randomIds(count: number, vocab: number): Int32Array {
  return Int32Array.from({ length: count }, () => Math.floor(Math.random() * vocab));
}

/** True when the tier runs on SwiftShader (scripts/test.mjs sets this unless a GPU is asked for). */
export const ON_SWIFTSHADER = (process.env.VK_ICD_FILENAMES ?? '').includes('swiftshader');
