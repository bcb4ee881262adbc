// The two WGSL scans against the float64 recurrence and against each other, with the chunked
// kernel forced into shapes the default never picks: more chunks than steps, one channel per
// workgroup, channel groups that leave a ragged last group, unrolled blocks that overrun the
// chunk, states split over 2 and 4 invocations (subgroup shuffles), n not a multiple of 4 (scalar lanes), and a dispatch split over two dimensions.
import { after, before, describe, test } from 'node:test';
import { type ChunkedScanConfig, prepareScanWebgpu } from '../../kernels/ops/selective-scan';
import type { GpuTensor } from '../../kernels/webgpu/tensor';
import type { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import { refScan } from '../support/reference-ops';
import { assertClose, TOLERANCE } from '../support/tolerance';
import { openWebGpu, randomScan } from './webgpu-setup';

const CONFIGS: ChunkedScanConfig[] = [
  { channels: 8, chunks: 16, unroll: 1, split: 1 },
  { channels: 3, chunks: 5, unroll: 4, split: 2 },
  { channels: 1, chunks: 64, unroll: 3, split: 4 },
  { channels: 32, chunks: 2, unroll: 8, split: 1 },
  { channels: 5, chunks: 7, unroll: 2, split: 4 },
];
const SHAPES: [number, number, number, number, boolean][] = [
  [1, 1, 5, 16, true],
  [2, 3, 130, 4, false],
  [3, 127, 70, 16, true],
  [1, 129, 67, 5, true],
  [3, 1000, 70, 16, false],
  [2, 200, 9, 8, true],
];

function scanSuite(label: string, shapes: typeof SHAPES, maxWorkgroupsPerDimension?: number): void {
  describe(`WGSL selective scan (${label})`, () => {
    let gpu: WebGpuBackend;
    before(async () => {
      gpu = await openWebGpu({ maxWorkgroupsPerDimension });
    });
    after(() => gpu.dispose());

    for (const [b, l, c, n, withH0] of shapes) {
      test(`b ${b} l ${l} c ${c} n ${n}${withH0 ? ' from h0' : ''}: sequential and 4 chunked shapes`, async () => {
        const host = randomScan(b, l, c, n, withH0);
        const ref = refScan(host, b, l, c, n);
        const up = (data: Float32Array, shape: number[]) => gpu.upload(data, shape) as GpuTensor;
        const inputs = {
          u: up(host.u, [b, l, c]),
          delta: up(host.delta, [b, l, c]),
          aLog: up(host.aLog, [c, n]),
          B: up(host.B, [b, l, n]),
          C: up(host.C, [b, l, n]),
          D: up(host.D, [c]),
        };
        const run = async (config?: ChunkedScanConfig) => {
          const y = gpu.runtime.alloc([b, l, c]);
          const state = host.h0 ? up(host.h0, [b, c, n]) : gpu.runtime.alloc([b, c, n]);
          gpu.runtime.submit(prepareScanWebgpu(gpu.runtime, { ...inputs, y, state }, config));
          return { y: await gpu.read(y), h: await gpu.read(state) };
        };
        const seq = await run();
        assertClose(seq.y, ref.y, TOLERANCE.scan, 'sequential y');
        assertClose(seq.h, ref.hLast, TOLERANCE.scan, 'sequential hLast');
        // A split must divide the state lanes (n / 4 vec4s, or n scalars when n % 4 != 0).
        for (const config of CONFIGS.filter((k) => (n % 4 === 0 ? n / 4 : n) % k.split === 0)) {
          const what = `chunked ${config.channels} channels x ${config.chunks} chunks, unroll ${config.unroll}, split ${config.split}`;
          const got = await run(config);
          assertClose(got.y, ref.y, TOLERANCE.scan, `${what} y`);
          assertClose(got.h, ref.hLast, TOLERANCE.scan, `${what} hLast`);
          assertClose(got.y, seq.y, TOLERANCE.scan, `${what} y vs sequential WGSL`);
        }
      });
    }
  });
}

scanSuite('device limits', SHAPES);
// Two shapes whose chunked dispatches exceed 20 workgroups for all CONFIGS but the 32-channel one.
scanSuite('dispatch split at 20 workgroups per dimension', [SHAPES[1], SHAPES[2]], 20);
