// What op dispatch functions use: tensor allocation, upload and read-back, and kernel
// dispatch (pipeline from the cache, bind group, uniforms, grid split to the device limit).
// Each dispatch is submitted at once, unless a batch is open: then dispatches, copies and clears
// go into one command encoder that flush() submits (a training step is one submit). read() is the
// only wait. With pooling on, recycled tensors' buffers are reused by later allocations of the
// same size instead of being created again.
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
const UNIFORM_USAGE = BufferUsage.UNIFORM | BufferUsage.COPY_DST;

/** Buffers kept for reuse, by usage and byte size. */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();

  put(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    const list = this.free.get(key);
    if (list) list.push(buffer);
    else this.free.set(key, [buffer]);
  }

  take(usage: number, bytes: number): GPUBuffer | undefined {
    return this.free.get(`${usage}:${bytes}`)?.pop();
  }

  /** Destroys every pooled buffer (call once no submitted work uses them: destruction waits for it anyway). */
  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}

/** Sees every compute pass the runtime begins (a benchmark puts GPU timestamps around each). */
export interface PassObserver {
  passDescriptor(): GPUComputePassDescriptor | undefined;
}

export class GpuRuntime {
  readonly pipelines: PipelineCache;
  observer: PassObserver | undefined;
  /** The open batch's encoder, and buffers to destroy (or pool) once it is submitted. */
  private batch: { encoder: GPUCommandEncoder | undefined; after: GPUBuffer[] } | undefined;
  /**
   * While set, recycled buffers go here and allocations of the same size take them back (a
   * training step allocates the same tensors every step); its owner destroys it.
   */
  pool: BufferPool | undefined;
  /** Commands submitted (a benchmark counts them). */
  submits = 0;

  constructor(readonly gpu: WebGpuDevice) {
    this.pipelines = new PipelineCache(gpu.device);
  }

  /** Encodes all later work into one command buffer, submitted by flush() (and by read()). */
  beginBatch(): void {
    this.batch ??= { encoder: undefined, after: [] };
  }

  /** Submits the open batch and closes it; buffers recycled meanwhile are destroyed or pooled now. */
  flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    if (batch.encoder) this.queueSubmit(batch.encoder);
    for (const b of batch.after) this.discard(b);
  }

  /**
   * The tensor is no longer needed: its buffer goes to the active pool, or is destroyed. Work
   * already encoded that uses it still sees its contents (a reuse comes after it in the queue).
   */
  recycle(t: GpuTensor): void {
    if (this.pool) this.pool.put(t.buffer);
    else if (this.batch) this.batch.after.push(t.buffer);
    else t.buffer.destroy();
  }

  /** Destroys a buffer whose last use is submitted, or pools it. */
  private discard(buffer: GPUBuffer): void {
    if (this.pool) this.pool.put(buffer);
    else buffer.destroy();
  }

  /** The encoder to record into: the open batch's, or a fresh one that done() submits. */
  private commands(): GPUCommandEncoder {
    if (!this.batch) return this.device.createCommandEncoder();
    return (this.batch.encoder ??= this.device.createCommandEncoder());
  }

  private done(encoder: GPUCommandEncoder): void {
    if (!this.batch) this.queueSubmit(encoder);
  }

  private queueSubmit(encoder: GPUCommandEncoder): void {
    this.device.queue.submit([encoder.finish()]);
    this.submits++;
  }

  get device(): GPUDevice {
    return this.gpu.device;
  }

  alloc(shape: readonly number[], dtype: 'f32' | 'i32' = 'f32', hostIds?: Int32Array): GpuTensor {
    return this.allocate(shape, dtype, hostIds, true);
  }

  /** A fresh buffer, or (when `fromPool`) a pooled one cleared by a command in the queue's order. */
  private allocate(
    shape: readonly number[],
    dtype: 'f32' | 'i32',
    hostIds: Int32Array | undefined,
    fromPool: boolean,
  ): GpuTensor {
    this.gpu.check();
    for (const s of shape)
      if (!Number.isInteger(s) || s < 0) throw new RangeError(`bad tensor shape ${shapeText(shape)}`);
    const bytes = bufferBytes(numel(shape));
    if (bytes > this.device.limits.maxStorageBufferBindingSize) {
      throw new RangeError(
        `tensor ${shapeText(shape)} needs ${bytes} bytes, over this device's storage binding limit ${this.device.limits.maxStorageBufferBindingSize}`,
      );
    }
    const pooled = fromPool ? this.pool?.take(TENSOR_USAGE, bytes) : undefined;
    if (pooled) {
      const encoder = this.commands();
      encoder.clearBuffer(pooled); // tensors start as zeros, pooled or new
      this.done(encoder);
      return new GpuTensor(shape, dtype, pooled, this.device, hostIds);
    }
    return new GpuTensor(
      shape,
      dtype,
      this.device.createBuffer({ size: bytes, usage: TENSOR_USAGE }),
      this.device,
      hostIds,
    );
  }

  upload(data: Float32Array | Int32Array, shape: readonly number[], dtype: 'f32' | 'i32'): GpuTensor {
    if (data.length !== numel(shape))
      throw new RangeError(`upload: ${data.length} values for shape ${shapeText(shape)}`);
    // Never a pooled buffer: the write happens now, before encoded work that may still use it.
    const t = this.allocate(shape, dtype, data instanceof Int32Array ? data.slice() : undefined, false);
    if (data.length > 0) this.device.queue.writeBuffer(t.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return t;
  }

  /** Copies the tensor's bytes back to the host once all work before it has run. */
  async read(t: GpuTensor): Promise<ArrayBuffer> {
    this.gpu.check();
    const bytes = t.size * 4;
    if (bytes === 0) return new ArrayBuffer(0);
    const staging = this.device.createBuffer({
      size: bufferBytes(t.size),
      usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    });
    const encoder = this.commands();
    encoder.copyBufferToBuffer(t.buffer, 0, staging, 0, bufferBytes(t.size));
    if (this.batch) {
      this.flush();
      this.beginBatch();
    } else this.queueSubmit(encoder);
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
    this.copyBytes(src.buffer, 0, dst.buffer, 0, src.size * 4);
  }

  /** Copies `bytes` bytes between buffers (offsets and size multiples of 4). */
  copyBytes(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    const encoder = this.commands();
    encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.done(encoder);
  }

  /** Zero-fills a tensor (new buffers are zeroed already; reused ones are not). */
  fillZero(t: GpuTensor): void {
    const encoder = this.commands();
    encoder.clearBuffer(t.buffer);
    this.done(encoder);
  }

  /**
   * Binds `buffers` at bindings 0.. and the uniform bytes after them, for `workgroups` workgroups
   * (split over two dimensions when the device needs it).
   */
  prepare(
    code: string,
    buffers: readonly GPUBuffer[],
    uniforms: ArrayBuffer | undefined,
    workgroups: number,
  ): PreparedKernel {
    this.gpu.check();
    const pipeline = this.pipelines.get(code);
    let uniform: GPUBuffer | undefined;
    if (uniforms) {
      uniform =
        this.pool?.take(UNIFORM_USAGE, uniforms.byteLength) ??
        this.device.createBuffer({ size: uniforms.byteLength, usage: UNIFORM_USAGE });
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
    if (!kernel.uniform) return;
    // A uniform's contents are written at once, so it is reused only after the batch using it is submitted.
    if (this.batch) this.batch.after.push(kernel.uniform);
    else this.discard(kernel.uniform); // destruction waits for submitted work using it
  }

  /** Submits one prepared kernel in its own pass (into the open batch, if any), then releases it. */
  submit(kernel: PreparedKernel): void {
    const encoder = this.commands();
    const pass = encoder.beginComputePass(this.observer?.passDescriptor());
    this.encode(pass, kernel);
    pass.end();
    this.done(encoder);
    this.release(kernel);
  }

  /** Prepares and submits one dispatch. */
  run(code: string, buffers: readonly GPUBuffer[], uniforms: ArrayBuffer | undefined, workgroups: number): void {
    this.submit(this.prepare(code, buffers, uniforms, workgroups));
  }
}
