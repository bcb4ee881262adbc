// WebGPU training against the CPU trainer: the scan's reverse pass alone, the whole model's loss
// and every parameter gradient, and parameters after AdamW steps with clipping, on awkward shapes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MambaConfig } from '../../kernels/model/config';
import { AdamW, DEFAULT_ADAMW } from '../../kernels/train/adamw';
import { clipGradNorm } from '../../kernels/train/clip';
import { columnSumCpu, columnSumWebgpu } from '../../kernels/ops/column-sum';
import { initParams } from '../../kernels/train/init';
import { stridedMatmulWebgpu } from '../../kernels/ops/linear-backward';
import { matmulABt } from '../../kernels/ops/matmul';
import { MambaTrainModel } from '../../kernels/train/mamba-train-model';
import { paramCount, paramSpecs, ParamViews } from '../../kernels/train/params';
import { Rng } from '../../kernels/train/rng';
import { chunkCount, selectiveScanSequentialCpu } from '../../kernels/ops/selective-scan';
import {
  SCAN_BACKWARD_TILING,
  ScanWorkspace,
  scanBackwardScratchSize,
  selectiveScanBackwardCpu,
  selectiveScanBackwardWebgpu,
} from '../../kernels/ops/selective-scan-backward';
import { BufferPool } from '../../kernels/webgpu/runtime';
import { WebGpuTrainModel } from '../../kernels/train/webgpu-train-model';
import type { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import { TOLERANCE, assertClose } from '../support/tolerance';
import { openWebGpu, randomScan, uniform } from './webgpu-setup';

let gpu: WebGpuBackend;
before(async () => {
  gpu = await openWebGpu();
});
after(() => gpu.dispose());

const f32 = (n: number): Float32Array => new Float32Array(n);

// Tilings with several chunks per sequence (the last one partial) and a partial channel group.
for (const [b, l, c, n, tiling] of [
  [3, 37, 10, 5, SCAN_BACKWARD_TILING],
  [3, 37, 10, 5, { channels: 4, slots: 4, items: 3 }],
  [1, 129, 7, 16, { channels: 3, slots: 8, items: 2 }],
  [2, 1, 5, 3, { channels: 2, slots: 2, items: 1 }],
  // The tilings bench/TRAINING.md's sweep times on the H200 (all inside WebGPU's default limits), at several chunks of theirs.
  ...(
    [
      [8, 32, 4],
      [4, 32, 8],
      [2, 128, 4],
      [8, 32, 2],
      [2, 64, 8],
      [16, 16, 4],
    ] as const
  ).map(([channels, slots, items]) => [2, 700, 19, 16, { channels, slots, items }] as const),
] as const) {
  test(`scan backward on WebGPU equals the CPU reverse scan (b ${b}, l ${l}, c ${c}, n ${n}, tiling ${tiling.channels} ch x ${tiling.slots} slots x ${tiling.items})`, async () => {
    const chunk = 8;
    const x = randomScan(b, l, c, n, false);
    const dy = Float32Array.from({ length: b * l * c }, () => Math.random() * 2 - 1);
    const ws = new ScanWorkspace({ b, l, c, n, chunk }, f32);
    const y = f32(b * l * c),
      states = f32(b * chunkCount(l, chunk) * c * n);
    const cpu = { u: x.u, delta: x.delta, aLog: x.aLog, B: x.B, C: x.C, D: x.D };
    selectiveScanSequentialCpu(cpu, { b, l, c, n }, { y, hLast: f32(b * c * n) }, { chunk, states });
    const g = {
      du: f32(b * l * c),
      ddelta: f32(b * l * c),
      daLog: f32(c * n),
      dB: f32(b * l * n),
      dC: f32(b * l * n),
      dD: f32(c),
    };
    selectiveScanBackwardCpu(cpu, dy, states, ws, g);

    const rt = gpu.runtime,
      up = (a: Float32Array) => rt.upload(a, [a.length], 'f32');
    // du, ddelta and the scratch (reused across layers and steps) poisoned: nothing may be read before
    // it is written. The accumulated gradients start from random values.
    const poison = (size = b * l * c) => up(new Float32Array(size).fill(NaN));
    const scratch = poison(scanBackwardScratchSize({ b, l, c, n }, tiling)).buffer;
    const du = poison(),
      ddelta = poison();
    const start = { dB: uniform(b * l * n), dC: uniform(b * l * n), daLog: uniform(c * n), dD: uniform(c) };
    const acc = { dB: up(start.dB), dC: up(start.dC), daLog: up(start.daLog), dD: up(start.dD) };
    selectiveScanBackwardWebgpu(
      rt,
      { b, l, c, n },
      {
        u: up(x.u).buffer,
        delta: up(x.delta).buffer,
        aLog: up(x.aLog).buffer,
        B: up(x.B).buffer,
        C: up(x.C).buffer,
        D: up(x.D).buffer,
      },
      up(dy).buffer,
      { du: du.buffer, ddelta: ddelta.buffer },
      scratch,
      { dB: acc.dB.buffer, dC: acc.dC.buffer, daLog: acc.daLog.buffer, dD: acc.dD.buffer },
      tiling,
    );
    assertClose(new Float32Array(await rt.read(du)), g.du, TOLERANCE.scan, 'du');
    assertClose(new Float32Array(await rt.read(ddelta)), g.ddelta, TOLERANCE.scan, 'ddelta');
    for (const name of ['dB', 'dC', 'daLog', 'dD'] as const) {
      const want = g[name].map((v, i) => v + start[name][i]);
      assertClose(new Float32Array(await rt.read(acc[name])), want, TOLERANCE.scan, name);
    }
  });
}

test('scan backward refuses a slot count that is not a power of two, and a workgroup over the device limits', () => {
  const rt = gpu.runtime,
    buf = rt.alloc([64]).buffer;
  const x = { u: buf, delta: buf, aLog: buf, B: buf, C: buf, D: buf };
  const run = (tiling: { channels: number; slots: number; items: number }) =>
    selectiveScanBackwardWebgpu(
      rt,
      { b: 1, l: 4, c: 2, n: 2 },
      x,
      buf,
      { du: buf, ddelta: buf },
      buf,
      { dB: buf, dC: buf, daLog: buf, dD: buf },
      tiling,
    );
  assert.throws(() => run({ channels: 2, slots: 3, items: 1 }), /power-of-two slot count/);
  assert.throws(
    () => run({ channels: 1, slots: 2048, items: 1 }),
    /needs 2048 invocations and 32768 bytes of workgroup memory per workgroup; this device allows \d+ and \d+/,
  );
});

test('a batch with pooling: a reused buffer starts zeroed, an upload inside the batch survives, work runs in order', async () => {
  const rt = gpu.runtime,
    pool = new BufferPool();
  rt.beginBatch();
  rt.pool = pool;
  try {
    const first = rt.upload(Float32Array.from([1, 2, 3, 4]), [4], 'f32');
    const copy = rt.alloc([4]);
    rt.copy(first, copy); // encoded now, runs at the flush
    rt.recycle(first);
    const reused = rt.alloc([4]); // the pooled buffer of `first`, cleared after the copy above
    assert.equal(reused.buffer, first.buffer);
    const fresh = rt.upload(Float32Array.from([5, 6, 7, 8]), [4], 'f32');
    assert.notEqual(fresh.buffer, first.buffer);
    assert.deepEqual([...new Float32Array(await rt.read(copy))], [1, 2, 3, 4]);
    assert.deepEqual([...new Float32Array(await rt.read(reused))], [0, 0, 0, 0]);
    assert.deepEqual([...new Float32Array(await rt.read(fresh))], [5, 6, 7, 8]);
  } finally {
    rt.pool = undefined;
    rt.flush();
    pool.destroy();
  }
});

test('column sums on WebGPU (in stages, long and short columns) equal the CPU loop', async () => {
  for (const [rows, cols] of [
    [1, 3],
    [129, 7],
    [5000, 33],
  ]) {
    const src = Float32Array.from({ length: rows * cols }, () => Math.random() * 2 - 1);
    const base = Float32Array.from({ length: cols + 2 }, () => Math.random());
    const want = base.slice();
    columnSumCpu(src, rows, cols, want, 2);
    const dst = gpu.runtime.upload(base, [base.length], 'f32');
    columnSumWebgpu(gpu.runtime, gpu.runtime.upload(src, [src.length], 'f32').buffer, rows, cols, dst.buffer, 2);
    assertClose(
      new Float32Array(await gpu.runtime.read(dst)),
      want,
      TOLERANCE.matmulWebgpu,
      `column sums of [${rows}, ${cols}]`,
    );
  }
});

test('weight-gradient product split over a long K (5000 positions) equals the CPU product', async () => {
  const [rows, m, k] = [5000, 7, 5];
  const dy = Float32Array.from({ length: rows * m }, () => Math.random() * 2 - 1),
    x = Float32Array.from({ length: rows * k }, () => Math.random() * 2 - 1);
  const dyT = f32(m * rows),
    xT = f32(k * rows);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < m; j++) dyT[j * rows + r] = dy[r * m + j];
    for (let j = 0; j < k; j++) xT[j * rows + r] = x[r * k + j];
  }
  const start = Float32Array.from({ length: m * k }, () => Math.random()),
    want = start.slice();
  matmulABt(dyT, m, rows, xT, k, want, true);
  const rt = gpu.runtime,
    dw = rt.upload(start, [m * k], 'f32');
  stridedMatmulWebgpu(
    rt,
    m,
    k,
    rows,
    { buffer: rt.upload(dy, [dy.length], 'f32').buffer, offset: 0, strideRow: 1, strideK: m },
    { buffer: rt.upload(x, [x.length], 'f32').buffer, offset: 0, strideRow: 1, strideK: k },
    { buffer: dw.buffer, offset: 0 },
    true,
  );
  assertClose(new Float32Array(await rt.read(dw)), want, TOLERANCE.matmulWebgpu, 'dW += dY^T X');
});

function config(over: Partial<MambaConfig>): MambaConfig {
  return {
    vocabSize: 16,
    hiddenSize: 12,
    numLayers: 2,
    stateSize: 5,
    convKernel: 4,
    expand: 2,
    intermediateSize: 24,
    timeStepRank: 1,
    useBias: false,
    useConvBias: true,
    residualInFp32: true,
    layerNormEpsilon: 1e-5,
    tieWordEmbeddings: true,
    ...over,
  };
}

for (const [label, cfg, b, l, chunk] of [
  ['tied head', config({}), 3, 37, 8],
  [
    'untied, projection biases, no conv bias',
    config({
      numLayers: 1,
      useBias: true,
      useConvBias: false,
      tieWordEmbeddings: false,
      stateSize: 3,
      intermediateSize: 20,
      hiddenSize: 10,
    }),
    1,
    29,
    16,
  ],
] as const) {
  test(`WebGPU loss, every gradient and AdamW steps match the CPU trainer: ${label}`, async () => {
    const specs = paramSpecs(cfg),
      size = paramCount(specs);
    const rng = new Rng(11);
    const flat = f32(size);
    initParams(cfg, new ParamViews(flat, specs), rng);
    for (let i = 0; i < size; i++) flat[i] += 0.05 * rng.normal(); // away from the symmetric init
    const ids = Int32Array.from({ length: b * l }, () => rng.int(cfg.vocabSize));
    const targets = Int32Array.from({ length: b * l }, (_, i) => (i % 7 === 3 ? -1 : rng.int(cfg.vocabSize)));

    const cpu = new MambaTrainModel(cfg, b, l, f32, chunk);
    const p = new ParamViews(flat.slice(), specs),
      g = new ParamViews(f32(size), specs);
    const gpuModel = new WebGpuTrainModel(gpu, cfg, b, l);
    const oneSubmit = new WebGpuTrainModel(gpu, cfg, b, l); // the same steps through trainStep
    try {
      gpuModel.setParams(flat);
      oneSubmit.setParams(flat);
      const adam = new AdamW(specs, size, DEFAULT_ADAMW);
      const want: { nats: number; count: number; norm: number }[] = [];
      for (let step = 0; step < 3; step++) {
        const ref = cpu.lossAndGrad(p, ids, targets, g);
        const got = await gpuModel.lossAndGrad(ids, targets);
        assert.equal(got.count, ref.count);
        assertClose([got.nats / got.count], [ref.nats / ref.count], TOLERANCE.logitsWebgpu, `mean loss, step ${step}`);
        const grads = await gpuModel.readGrads();
        for (const s of specs)
          assertClose(
            grads.subarray(s.offset, s.offset + s.size),
            g.flat.subarray(s.offset, s.offset + s.size),
            TOLERANCE.logitsWebgpu,
            `step ${step} d/d${s.name}`,
          );
        const cpuNorm = clipGradNorm(g.flat, 0.5);
        adam.step(p.flat, g.flat, 1e-2);
        const gpuNorm = await gpuModel.step(1e-2, 0.5, DEFAULT_ADAMW);
        assertClose([gpuNorm], [cpuNorm], TOLERANCE.logitsWebgpu, 'gradient norm');
        want.push({ nats: ref.nats, count: ref.count, norm: cpuNorm });
        await oneSubmit.trainStep(ids, targets, 1e-2, 0.5, DEFAULT_ADAMW);
      }
      assertClose(await gpuModel.readParams(), p.flat, TOLERANCE.logitsWebgpu, 'parameters after 3 AdamW steps');
      const stats = await oneSubmit.readStats();
      assert.deepEqual(
        stats.map((s) => s.count),
        want.map((s) => s.count),
      );
      assertClose(
        stats.map((s) => s.nats),
        want.map((s) => s.nats),
        TOLERANCE.logitsWebgpu,
        'trainStep losses',
      );
      assertClose(
        stats.map((s) => s.norm),
        want.map((s) => s.norm),
        TOLERANCE.logitsWebgpu,
        'trainStep gradient norms',
      );
      assert.deepEqual(await oneSubmit.readStats(), [], 'stats are read once');
      assertClose(await oneSubmit.readParams(), p.flat, TOLERANCE.logitsWebgpu, 'parameters after 3 trainSteps');
      assert.equal(oneSubmit.t, 3);
    } finally {
      gpuModel.dispose();
      oneSubmit.dispose();
    }
  });
}

test('trainStep with a diverged loss leaves the parameters as they were, and readStats says so', async () => {
  const cfg = config({ numLayers: 1 }),
    [b, l] = [2, 9];
  const specs = paramSpecs(cfg),
    flat = f32(paramCount(specs));
  initParams(cfg, new ParamViews(flat, specs), new Rng(5));
  flat[specs[0].offset + 3] = NaN; // one embedding weight
  const model = new WebGpuTrainModel(gpu, cfg, b, l);
  try {
    model.setParams(flat);
    const ids = Int32Array.from({ length: b * l }, (_, i) => i % cfg.vocabSize),
      targets = ids.map((x) => (x + 1) % cfg.vocabSize);
    await model.trainStep(ids, targets, 1e-2, 1, DEFAULT_ADAMW);
    await assert.rejects(model.readStats(), /gradient norm is NaN: the loss diverged/);
    const after = await model.readParams();
    assert.ok(
      after.every((x, i) => Object.is(x, flat[i])),
      'parameters unchanged',
    );
    const { m } = await model.readMoments();
    assert.ok(
      m.every((x) => x === 0),
      'moments unchanged',
    );
  } finally {
    model.dispose();
  }
});

test('a target outside the vocabulary is named with its position', async () => {
  const cfg = config({ numLayers: 1 }),
    [b, l] = [1, 4];
  const model = new WebGpuTrainModel(gpu, cfg, b, l);
  try {
    await assert.rejects(
      model.lossAndGrad(Int32Array.from([1, 2, 3, 4]), Int32Array.from([2, 3, 16, -1])),
      /target id 16 at position 2 is outside the vocabulary \[0, 16\)/,
    );
  } finally {
    model.dispose();
  }
});
