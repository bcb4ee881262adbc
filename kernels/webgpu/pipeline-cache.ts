// Compute pipelines cached by their generated WGSL: the code is the key, since everything
// that changes a pipeline (constants, variants, workgroup size) is written into the code.

/**
 * WebGPU's default maxStorageBuffersPerShaderStage. Devices here ask for the adapter's maximum
 * (Dawn for Node offers more), but browsers promise only this (Chromium's adapters, the engine
 * webview's included, offer 10 at most), so every kernel keeps within it and each tier checks it.
 */
export const PORTABLE_STORAGE_BUFFERS = 8;

export function storageBufferCount(code: string): number {
  return (code.match(/var\s*<\s*storage\b/g) ?? []).length;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  hits = 0;
  misses = 0;

  constructor(private readonly device: GPUDevice) {}

  get(code: string): GPUComputePipeline {
    const cached = this.pipelines.get(code);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const storage = storageBufferCount(code);
    if (storage > PORTABLE_STORAGE_BUFFERS) {
      throw new Error(
        `a kernel binds ${storage} storage buffers, over the ${PORTABLE_STORAGE_BUFFERS} every WebGPU device offers`,
      );
    }
    const module = this.device.createShaderModule({ code });
    const pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    this.pipelines.set(code, pipeline);
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
