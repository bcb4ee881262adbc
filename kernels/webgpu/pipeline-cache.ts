// Compute pipelines cached by their generated WGSL: the code is the key, since everything
// that changes a pipeline (constants, variants, workgroup size) is written into the code.
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
    const module = this.device.createShaderModule({ code });
    const pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    this.pipelines.set(code, pipeline);
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
