// A tensor on the WebGPU device: a storage buffer plus its shape and dtype. Row-major, 4 bytes
// per element (f32 or i32), as the Backend contract says.
import { numel, shapeText, type Tensor } from '../backend';

export class GpuTensor implements Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: 'f32' | 'i32',
    readonly buffer: GPUBuffer,
    /** The device that owns the buffer: tensors never cross devices. */
    readonly owner: GPUDevice,
    /** For ids uploaded from the host: their values, so ops can name a bad id and its position. */
    readonly hostIds?: Int32Array,
  ) {}

  get size(): number {
    return numel(this.shape);
  }
}

/** Bytes of the buffer behind a tensor: never 0, since a zero-sized binding is invalid. */
export function bufferBytes(elements: number): number {
  return Math.max(16, Math.ceil((elements * 4) / 16) * 16);
}

/** Narrows a contract Tensor to this device's GpuTensor, with an error naming the argument. */
export function gpuTensor(t: Tensor, device: GPUDevice, what: string, dtype: 'f32' | 'i32' = 'f32'): GpuTensor {
  if (!(t instanceof GpuTensor) || t.owner !== device)
    throw new TypeError(`${what}: tensor ${shapeText(t.shape)} does not belong to this WebGPU device`);
  if (t.dtype !== dtype) throw new TypeError(`${what}: expected ${dtype}, got ${t.dtype} tensor ${shapeText(t.shape)}`);
  return t;
}
