// What op dispatch functions use: tensor allocation, upload and read-back, and kernel
// dispatch (pipeline from the cache, bind group, uniforms, grid split to the device limit).
// Each dispatch is submitted at once; read() is the only wait.
import { numel, shapeText } from '../backend';
import type { WebGpuDevice } from './device';
import { splitWorkgroups } from './dispatch-grid';
import { PipelineCache } from './pipeline-cache';
import { bufferBytes, GpuTensor } from './tensor';
import { BufferUsage, MapMode } from './usage';

/** A kernel ready to encode: a benchmark encodes it many times, an op once. */
export interface PreparedKernel {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly grid: readonly [number, number];
  readonly uniform: GPUBuffer | undefined;
}

const TENSOR_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

export class GpuRuntime {
  readonly pipelines: PipelineCache;

  constructor(readonly gpu: WebGpuDevice) {
    this.pipelines = new PipelineCache(gpu.device);
  }

  get device(): GPUDevice {
    return this.gpu.device;
  }

  alloc(shape: readonly number[], dtype: 'f32' | 'i32' = 'f32', hostIds?: Int32Array): GpuTensor {
    this.gpu.check();
    for (const s of shape) if (!Number.isInteger(s) || s < 0) throw new RangeError(`bad tensor shape ${shapeText(shape)}`);
    const bytes = bufferBytes(numel(shape));
    if (bytes > this.device.limits.maxStorageBufferBindingSize) {
      throw new RangeError(`tensor ${shapeText(shape)} needs ${bytes} bytes, over this device's storage binding limit ${this.device.limits.maxStorageBufferBindingSize}`);
    }
    return new GpuTensor(shape, dtype, this.device.createBuffer({ size: bytes, usage: TENSOR_USAGE }), this.device, hostIds);
  }

  upload(data: Float32Array | Int32Array, shape: readonly number[], dtype: 'f32' | 'i32'): GpuTensor {
    if (data.length !== numel(shape)) throw new RangeError(`upload: ${data.length} values for shape ${shapeText(shape)}`);
    const t = this.alloc(shape, dtype, data instanceof Int32Array ? data.slice() : undefined);
    if (data.length > 0) this.device.queue.writeBuffer(t.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return t;
  }

  /** Copies the tensor's bytes back to the host once all work before it has run. */
  async read(t: GpuTensor): Promise<ArrayBuffer> {
    this.gpu.check();
    const bytes = t.size * 4;
    if (bytes === 0) return new ArrayBuffer(0);
    const staging = this.device.createBuffer({ size: bufferBytes(t.size), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(t.buffer, 0, staging, 0, bufferBytes(t.size));
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(MapMode.READ);
      this.gpu.check(); // an error in the work before the read surfaces here, not as wrong numbers
      return staging.getMappedRange(0, bytes).slice(0);
    } finally {
      staging.destroy();
    }
  }

  /** Copies `src` into `dst` (whole buffers of equal element count). */
  copy(src: GpuTensor, dst: GpuTensor): void {
    if (src.size !== dst.size) throw new RangeError(`copy: ${shapeText(src.shape)} into ${shapeText(dst.shape)}`);
    if (src.size === 0) return;
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, src.size * 4);
    this.device.queue.submit([encoder.finish()]);
  }

  /** Zero-fills a tensor (new buffers are zeroed already; reused ones are not). */
  fillZero(t: GpuTensor): void {
    const encoder = this.device.createCommandEncoder();
    encoder.clearBuffer(t.buffer);
    this.device.queue.submit([encoder.finish()]);
  }

  /**
   * Binds `buffers` at bindings 0.. and the uniform bytes after them, for `workgroups` workgroups
   * (split over two dimensions when the device needs it).
   */
  prepare(code: string, buffers: readonly GPUBuffer[], uniforms: ArrayBuffer | undefined, workgroups: number): PreparedKernel {
    this.gpu.check();
    const pipeline = this.pipelines.get(code);
    let uniform: GPUBuffer | undefined;
    if (uniforms) {
      uniform = this.device.createBuffer({ size: uniforms.byteLength, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
      this.device.queue.writeBuffer(uniform, 0, uniforms);
    }
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    if (uniform) entries.push({ binding: buffers.length, resource: { buffer: uniform } });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    return { pipeline, bindGroup, grid: splitWorkgroups(workgroups, this.gpu.maxWorkgroupsPerDimension), uniform };
  }

  encode(pass: GPUComputePassEncoder, kernel: PreparedKernel): void {
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, kernel.bindGroup);
    pass.dispatchWorkgroups(kernel.grid[0], kernel.grid[1]);
  }

  release(kernel: PreparedKernel): void {
    kernel.uniform?.destroy(); // deferred by WebGPU until submitted work using it is done
  }

  /** Submits one prepared kernel in its own pass, then releases it. */
  submit(kernel: PreparedKernel): void {
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    this.encode(pass, kernel);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.release(kernel);
  }

  /** Prepares and submits one dispatch. */
  run(code: string, buffers: readonly GPUBuffer[], uniforms: ArrayBuffer | undefined, workgroups: number): void {
    this.submit(this.prepare(code, buffers, uniforms, workgroups));
  }
}
