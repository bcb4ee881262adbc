// Times WebGPU work on the device: GPU timestamps around each compute pass where the device has
// `timestamp-query`, and wall time of back-to-back dispatches (submit to completion) always.
import type { WebGpuDevice } from '../kernels/webgpu/device';
import { BufferUsage, MapMode } from '../kernels/webgpu/usage';

export interface Timing {
  /** Median of per-dispatch GPU timestamp spans (ms); undefined without timestamp-query. */
  gpuMedianMs?: number;
  gpuMinMs?: number;
  /** Wall time of `batch` dispatches in one pass, submit to completion, divided by batch (ms). */
  wallMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Keeps the GPU busy with `encode` for at least `ms` of wall time, so its clocks have ramped up before timing. */
async function warmUp(device: GPUDevice, encode: (pass: GPUComputePassEncoder) => void, ms: number): Promise<void> {
  const start = performance.now();
  for (let batch = 1; performance.now() - start < ms; batch = Math.min(batch * 2, 256)) {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (let j = 0; j < batch; j++) encode(pass);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  }
}

/**
 * Runs `encode` (one dispatch into the pass) for 300 ms of warm-up (an idle GPU clocks down
 * between kernels; timed cold, neighbouring kernels differed by 2x on the H200), then warmup +
 * reps times with timestamps, then `batch` times in one pass for wall time.
 */
export async function timeDispatch(gpu: WebGpuDevice, encode: (pass: GPUComputePassEncoder) => void, reps: number, batch: number): Promise<Timing> {
  const device = gpu.device;
  const warmup = 3;
  await warmUp(device, encode, 300);
  const result: Timing = { wallMs: NaN };
  if (gpu.hasTimestamps) {
    const count = 2 * (warmup + reps);
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolve = device.createBuffer({ size: count * 8, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC });
    const readback = device.createBuffer({ size: count * 8, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    for (let i = 0; i < warmup + reps; i++) {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      encode(pass);
      pass.end();
    }
    encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, readback, 0, count * 8);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(MapMode.READ);
    const ticks = new BigUint64Array(readback.getMappedRange().slice(0));
    readback.destroy();
    resolve.destroy();
    querySet.destroy();
    const spans: number[] = [];
    for (let i = warmup; i < warmup + reps; i++) spans.push(Number(ticks[2 * i + 1] - ticks[2 * i]) / 1e6);
    result.gpuMedianMs = median(spans);
    result.gpuMinMs = Math.min(...spans);
  }
  const wall: number[] = [];
  for (let i = 0; i < 3; i++) {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (let j = 0; j < batch; j++) encode(pass);
    pass.end();
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    wall.push((performance.now() - t0) / batch);
  }
  result.wallMs = median(wall);
  gpu.check();
  return result;
}
