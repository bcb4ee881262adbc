// Times WebGPU work on the device: GPU timestamps around each compute pass where the device has
// `timestamp-query`, and wall time of back-to-back dispatches (submit to completion) always; and
// a per-kernel profile of whatever a GpuRuntime dispatches (a training step's breakdown).
import type { WebGpuDevice } from '../kernels/webgpu/device';
import type { PassObserver } from '../kernels/webgpu/runtime';
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
export async function timeDispatch(
  gpu: WebGpuDevice,
  encode: (pass: GPUComputePassEncoder) => void,
  reps: number,
  batch: number,
): Promise<Timing> {
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
      const pass = encoder.beginComputePass({
        timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
      });
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

/** GPU time of one kernel (by the op function that dispatched it) within a profiled stretch of work. */
export interface KernelTime {
  kernel: string;
  dispatches: number;
  gpuMs: number;
}

/** Function names that stand between an op and the pass it begins: the op is the first frame after them. */
const DISPATCH_FRAMES = /^(?:GpuRuntime\.|KernelProfiler\.|Array\.|runElementwise$)/;

/**
 * Puts GPU timestamps around every compute pass the runtime begins while it is the runtime's
 * observer, and names each pass by the op function that dispatched it and that op's caller (from
 * the JavaScript stack, so the ops need no labels). Needs the device's `timestamp-query` (with
 * Dawn's timestamp quantization off for sub-microsecond spans); without it, only counts.
 */
export class KernelProfiler implements PassObserver {
  private readonly labels: string[] = [];
  private readonly querySet: GPUQuerySet | undefined;

  constructor(
    private readonly gpu: WebGpuDevice,
    private readonly capacity = 2048,
  ) {
    // WebGPU caps a query set at 4096 timestamps
    this.querySet = gpu.hasTimestamps
      ? gpu.device.createQuerySet({ type: 'timestamp', count: 2 * capacity })
      : undefined;
  }

  passDescriptor(): GPUComputePassDescriptor | undefined {
    const i = this.labels.length;
    if (i >= this.capacity) throw new RangeError(`KernelProfiler: more than ${this.capacity} passes`);
    this.labels.push(callerLabel(new Error().stack ?? ''));
    return this.querySet
      ? {
          timestampWrites: {
            querySet: this.querySet,
            beginningOfPassWriteIndex: 2 * i,
            endOfPassWriteIndex: 2 * i + 1,
          },
        }
      : undefined;
  }

  /** Per-kernel totals of the passes seen so far (run after their work is submitted), largest first; then forgets them. */
  async collect(): Promise<{ kernels: KernelTime[]; passes: number; gpuSpanMs: number }> {
    const count = this.labels.length,
      device = this.gpu.device;
    const totals = new Map<string, KernelTime>();
    let span = NaN;
    let ticks: BigUint64Array | undefined;
    if (this.querySet && count > 0) {
      const resolve = device.createBuffer({
        size: count * 16,
        usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC,
      });
      const readback = device.createBuffer({ size: count * 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder();
      encoder.resolveQuerySet(this.querySet, 0, 2 * count, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, readback, 0, count * 16);
      device.queue.submit([encoder.finish()]);
      await readback.mapAsync(MapMode.READ);
      ticks = new BigUint64Array(readback.getMappedRange().slice(0));
      readback.destroy();
      resolve.destroy();
      span = Number(ticks[2 * count - 1] - ticks[0]) / 1e6;
    }
    this.labels.forEach((kernel, i) => {
      const t = totals.get(kernel) ?? { kernel, dispatches: 0, gpuMs: 0 };
      t.dispatches++;
      if (ticks) t.gpuMs += Number(ticks[2 * i + 1] - ticks[2 * i]) / 1e6;
      totals.set(kernel, t);
    });
    this.labels.length = 0;
    this.gpu.check();
    return {
      kernels: [...totals.values()].sort((a, b) => b.gpuMs - a.gpuMs || b.dispatches - a.dispatches),
      passes: count,
      gpuSpanMs: span,
    };
  }

  destroy(): void {
    this.querySet?.destroy();
  }
}

/** "op < caller" from a V8 stack: the first two function names past the runtime's own frames. */
function callerLabel(stack: string): string {
  const names = stack
    .split('\n')
    .slice(1)
    .map((line) => /^\s*at (?:async )?([\w$.<>]+) \(/.exec(line)?.[1])
    .filter((n): n is string => n !== undefined);
  const outside = names.filter((n) => !DISPATCH_FRAMES.test(n));
  return outside.slice(0, 2).join(' < ') || 'unknown';
}
