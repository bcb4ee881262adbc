// The WebGPU backend: every op of the Backend contract as a WGSL kernel (kernels/ops/*),
// dispatched through one GpuRuntime. Ops submit at once and return; read() waits. Device loss
// and validation errors are thrown by the next op or read, never swallowed.
import type { Activation, Backend, Conv1dOutputs, ScanInputs, ScanOutputs, ScanVariant, Tensor } from '../backend';
import { addWebgpu } from '../ops/add';
import { conv1dWebgpu } from '../ops/conv1d';
import { embeddingWebgpu } from '../ops/embedding';
import { gateWebgpu } from '../ops/gate';
import { linearWebgpu } from '../ops/linear';
import { meanLastWebgpu } from '../ops/mean-last';
import { rmsNormWebgpu } from '../ops/rms-norm';
import { selectiveScanWebgpu } from '../ops/selective-scan';
import { sliceLastWebgpu } from '../ops/slice-last';
import { surprisalBitsWebgpu } from '../ops/surprisal';
import { WebGpuDevice, type AcquireOptions } from './device';
import { GpuRuntime } from './runtime';
import { gpuTensor, type GpuTensor } from './tensor';

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly runtime: GpuRuntime;

  constructor(readonly gpuDevice: WebGpuDevice) {
    this.runtime = new GpuRuntime(gpuDevice);
  }

  /** Acquires an adapter and device from `gpu` (navigator.gpu, or nodeGpu() under Node). */
  static async create(gpu: GPU, options: AcquireOptions = {}): Promise<WebGpuBackend> {
    return new WebGpuBackend(await WebGpuDevice.acquire(gpu, options));
  }

  get description(): string {
    return this.gpuDevice.description;
  }

  private t(x: Tensor, what: string): GpuTensor {
    return gpuTensor(x, this.runtime.device, what);
  }

  upload(data: Float32Array, shape: readonly number[]): Tensor {
    return this.runtime.upload(data, shape, 'f32');
  }

  uploadIds(ids: Int32Array, shape: readonly number[]): Tensor {
    return this.runtime.upload(ids, shape, 'i32');
  }

  zeros(shape: readonly number[]): Tensor {
    return this.runtime.alloc(shape); // WebGPU zero-fills new buffers
  }

  async read(t: Tensor): Promise<Float32Array> {
    return new Float32Array(await this.runtime.read(this.t(t, 'read')));
  }

  async readIds(t: Tensor): Promise<Int32Array> {
    return new Int32Array(await this.runtime.read(gpuTensor(t, this.runtime.device, 'readIds', 'i32')));
  }

  free(t: Tensor): void {
    this.runtime.recycle(gpuTensor(t, this.runtime.device, 'free', t.dtype));
  }

  embedding(table: Tensor, ids: Tensor): Tensor {
    return embeddingWebgpu(
      this.runtime,
      this.t(table, 'embedding table'),
      gpuTensor(ids, this.runtime.device, 'embedding ids', 'i32'),
    );
  }

  rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
    return rmsNormWebgpu(this.runtime, this.t(x, 'rmsNorm x'), this.t(weight, 'rmsNorm weight'), eps);
  }

  linear(x: Tensor, weight: Tensor, bias: Tensor | undefined, act: Activation): Tensor {
    return linearWebgpu(
      this.runtime,
      this.t(x, 'linear x'),
      this.t(weight, 'linear weight'),
      bias && this.t(bias, 'linear bias'),
      act,
    );
  }

  sliceLast(x: Tensor, start: number, width: number): Tensor {
    return sliceLastWebgpu(this.runtime, this.t(x, 'sliceLast x'), start, width);
  }

  conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | undefined,
    state: Tensor | undefined,
    act: Activation,
  ): Conv1dOutputs {
    return conv1dWebgpu(
      this.runtime,
      this.t(x, 'conv1d x'),
      this.t(weight, 'conv1d weight'),
      bias && this.t(bias, 'conv1d bias'),
      state && this.t(state, 'conv1d state'),
      act,
    );
  }

  selectiveScan(inputs: ScanInputs, variant: ScanVariant): ScanOutputs {
    return selectiveScanWebgpu(
      this.runtime,
      {
        u: this.t(inputs.u, 'scan u'),
        delta: this.t(inputs.delta, 'scan delta'),
        aLog: this.t(inputs.aLog, 'scan aLog'),
        B: this.t(inputs.B, 'scan B'),
        C: this.t(inputs.C, 'scan C'),
        D: this.t(inputs.D, 'scan D'),
        h0: inputs.h0 && this.t(inputs.h0, 'scan h0'),
      },
      variant,
    );
  }

  gate(y: Tensor, z: Tensor): Tensor {
    return gateWebgpu(this.runtime, this.t(y, 'gate y'), this.t(z, 'gate z'));
  }

  add(a: Tensor, b: Tensor): Tensor {
    return addWebgpu(this.runtime, this.t(a, 'add a'), this.t(b, 'add b'));
  }

  meanLast(x: Tensor): Tensor {
    return meanLastWebgpu(this.runtime, this.t(x, 'meanLast x'));
  }

  surprisalBits(logits: Tensor, targets: Tensor): Tensor {
    return surprisalBitsWebgpu(
      this.runtime,
      this.t(logits, 'surprisal logits'),
      gpuTensor(targets, this.runtime.device, 'surprisal targets', 'i32'),
    );
  }

  dispose(): void {
    this.gpuDevice.destroy();
  }
}
