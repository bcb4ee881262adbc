// WebGPU training against the CPU trainer: the scan's reverse pass alone, the whole model's loss
// and every parameter gradient, and parameters after AdamW steps with clipping, on awkward shapes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MambaConfig } from '../../kernels/model/config';
import { AdamW, DEFAULT_ADAMW } from '../../kernels/train/adamw';
import { clipGradNorm } from '../../kernels/train/clip';
import { columnSumCpu, columnSumWebgpu } from '../../kernels/train/column-sum';
import { initParams } from '../../kernels/train/init';
import { stridedMatmulWebgpu } from '../../kernels/train/linear-backward';
import { matmulABt } from '../../kernels/ops/matmul';
import { MambaTrainModel } from '../../kernels/train/mamba-train-model';
import { paramCount, paramSpecs, ParamViews } from '../../kernels/train/params';
import { Rng } from '../../kernels/train/rng';
import { chunkCount, ScanWorkspace, scanBackwardBufferSizes, selectiveScanBackward, selectiveScanBackwardWebgpu, selectiveScanForward } from '../../kernels/train/selective-scan-backward';
import { WebGpuTrainModel } from '../../kernels/train/webgpu-train-model';
import type { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import { TOLERANCE, assertClose } from '../support/tolerance';
import { openWebGpu, randomScan } from './webgpu-setup';

let gpu: WebGpuBackend;
before(async () => { gpu = await openWebGpu(); });
after(() => gpu.dispose());

const f32 = (n: number): Float32Array => new Float32Array(n);

test('scan backward on WebGPU equals the CPU reverse scan (b 3, l 37, c 10, n 5, chunk 8)', async () => {
  const [b, l, c, n, chunk] = [3, 37, 10, 5, 8];
  const x = randomScan(b, l, c, n, false);
  const dy = Float32Array.from({ length: b * l * c }, () => Math.random() * 2 - 1);
  const ws = new ScanWorkspace({ b, l, c, n, chunk }, f32);
  const y = f32(b * l * c), states = f32(b * chunkCount(l, chunk) * c * n);
  const cpu = { u: x.u, delta: x.delta, aLog: x.aLog, B: x.B, C: x.C, D: x.D };
  selectiveScanForward(cpu, ws, y, states);
  const g = { du: f32(b * l * c), ddelta: f32(b * l * c), daLog: f32(c * n), dB: f32(b * l * n), dC: f32(b * l * n), dD: f32(c) };
  selectiveScanBackward(cpu, dy, states, ws, g);

  const rt = gpu.runtime, up = (a: Float32Array) => rt.upload(a, [a.length], 'f32');
  const sizes = scanBackwardBufferSizes({ b, l, c, n, chunk });
  const bufs = { dUDelta: rt.alloc([sizes.dUDelta]), dBC: rt.alloc([sizes.dBC]), work: rt.alloc([sizes.work]) };
  const out = { dB: rt.alloc([b * l * n]), dC: rt.alloc([b * l * n]), daLog: rt.alloc([c * n]), dD: rt.alloc([c]) };
  selectiveScanBackwardWebgpu(rt, { b, l, c, n, chunk }, { u: up(x.u).buffer, delta: up(x.delta).buffer, aLog: up(x.aLog).buffer, B: up(x.B).buffer, C: up(x.C).buffer, D: up(x.D).buffer },
    up(dy).buffer, { dUDelta: bufs.dUDelta.buffer, dBC: bufs.dBC.buffer, work: bufs.work.buffer }, { dB: out.dB.buffer, dC: out.dC.buffer, daLog: out.daLog.buffer, dD: out.dD.buffer });
  const dUDelta = new Float32Array(await rt.read(bufs.dUDelta));
  assertClose(dUDelta.subarray(0, b * l * c), g.du, TOLERANCE.scan, 'du');
  assertClose(dUDelta.subarray(b * l * c), g.ddelta, TOLERANCE.scan, 'ddelta');
  for (const [name, t, ref] of [['dB', out.dB, g.dB], ['dC', out.dC, g.dC], ['daLog', out.daLog, g.daLog], ['dD', out.dD, g.dD]] as const) {
    assertClose(new Float32Array(await rt.read(t)), ref, TOLERANCE.scan, name);
  }
});

test('column sums on WebGPU (two stages, long and short columns) equal the CPU loop', async () => {
  for (const [rows, cols] of [[1, 3], [129, 7], [5000, 33]]) {
    const src = Float32Array.from({ length: rows * cols }, () => Math.random() * 2 - 1);
    const base = Float32Array.from({ length: cols + 2 }, () => Math.random());
    const want = base.slice();
    columnSumCpu(src, rows, cols, want, 2);
    const dst = gpu.runtime.upload(base, [base.length], 'f32');
    columnSumWebgpu(gpu.runtime, gpu.runtime.upload(src, [src.length], 'f32').buffer, rows, cols, dst.buffer, 2);
    assertClose(new Float32Array(await gpu.runtime.read(dst)), want, TOLERANCE.matmulWebgpu, `column sums of [${rows}, ${cols}]`);
  }
});

test('weight-gradient product split over a long K (5000 positions) equals the CPU product', async () => {
  const [rows, m, k] = [5000, 7, 5];
  const dy = Float32Array.from({ length: rows * m }, () => Math.random() * 2 - 1), x = Float32Array.from({ length: rows * k }, () => Math.random() * 2 - 1);
  const dyT = f32(m * rows), xT = f32(k * rows);
  for (let r = 0; r < rows; r++) { for (let j = 0; j < m; j++) dyT[j * rows + r] = dy[r * m + j]; for (let j = 0; j < k; j++) xT[j * rows + r] = x[r * k + j]; }
  const start = Float32Array.from({ length: m * k }, () => Math.random()), want = start.slice();
  matmulABt(dyT, m, rows, xT, k, want, true);
  const rt = gpu.runtime, dw = rt.upload(start, [m * k], 'f32');
  stridedMatmulWebgpu(rt, m, k, rows, { buffer: rt.upload(dy, [dy.length], 'f32').buffer, offset: 0, strideRow: 1, strideK: m },
    { buffer: rt.upload(x, [x.length], 'f32').buffer, offset: 0, strideRow: 1, strideK: k }, { buffer: dw.buffer, offset: 0 }, true);
  assertClose(new Float32Array(await rt.read(dw)), want, TOLERANCE.matmulWebgpu, 'dW += dY^T X');
});

function config(over: Partial<MambaConfig>): MambaConfig {
  return {
    vocabSize: 16, hiddenSize: 12, numLayers: 2, stateSize: 5, convKernel: 4, expand: 2, intermediateSize: 24, timeStepRank: 1,
    useBias: false, useConvBias: true, residualInFp32: true, layerNormEpsilon: 1e-5, tieWordEmbeddings: true, ...over,
  };
}

for (const [label, cfg, b, l, chunk] of [
  ['tied head', config({}), 3, 37, 8],
  ['untied, projection biases, no conv bias', config({ numLayers: 1, useBias: true, useConvBias: false, tieWordEmbeddings: false, stateSize: 3, intermediateSize: 20, hiddenSize: 10 }), 1, 29, 16],
] as const) {
  test(`WebGPU loss, every gradient and AdamW steps match the CPU trainer: ${label}`, async () => {
    const specs = paramSpecs(cfg), size = paramCount(specs);
    const rng = new Rng(11);
    const flat = f32(size);
    initParams(cfg, new ParamViews(flat, specs), rng);
    for (let i = 0; i < size; i++) flat[i] += 0.05 * rng.normal(); // away from the symmetric init
    const ids = Int32Array.from({ length: b * l }, () => rng.int(cfg.vocabSize));
    const targets = Int32Array.from({ length: b * l }, (_, i) => (i % 7 === 3 ? -1 : rng.int(cfg.vocabSize)));

    const cpu = new MambaTrainModel(cfg, b, l, f32, chunk);
    const p = new ParamViews(flat.slice(), specs), g = new ParamViews(f32(size), specs);
    const gpuModel = new WebGpuTrainModel(gpu, cfg, b, l, chunk);
    try {
      gpuModel.setParams(flat);
      const adam = new AdamW(specs, size, DEFAULT_ADAMW);
      for (let step = 0; step < 3; step++) {
        const ref = cpu.lossAndGrad(p, ids, targets, g);
        const got = await gpuModel.lossAndGrad(ids, targets);
        assert.equal(got.count, ref.count);
        assertClose([got.nats / got.count], [ref.nats / ref.count], TOLERANCE.logitsWebgpu, `mean loss, step ${step}`);
        const grads = await gpuModel.readGrads();
        for (const s of specs) assertClose(grads.subarray(s.offset, s.offset + s.size), g.flat.subarray(s.offset, s.offset + s.size), TOLERANCE.logitsWebgpu, `step ${step} d/d${s.name}`);
        const cpuNorm = clipGradNorm(g.flat, 0.5);
        adam.step(p.flat, g.flat, 1e-2);
        const gpuNorm = await gpuModel.step(1e-2, 0.5, DEFAULT_ADAMW);
        assertClose([gpuNorm], [cpuNorm], TOLERANCE.logitsWebgpu, 'gradient norm');
      }
      assertClose(await gpuModel.readParams(), p.flat, TOLERANCE.logitsWebgpu, 'parameters after 3 AdamW steps');
    } finally {
      gpuModel.dispose();
    }
  });
}
