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

/** Host inputs of one selective scan, with Δ in the range softplus gives a trained model. */
export function randomScan(b: number, l: number, c: number, n: number, withH0: boolean) {
  return {
    u: uniform(b * l * c, -2, 2),
    delta: uniform(b * l * c, 0.001, 1),
    aLog: Float32Array.from({ length: c * n }, (_, i) => Math.log((i % n) + 1) + 0.3 * (Math.random() - 0.5)),
    B: uniform(b * l * n),
    C: uniform(b * l * n),
    D: uniform(c, 0.5, 1.5),
    h0: withH0 ? uniform(b * c * n) : undefined,
  };
}
