// Initialisation as mamba_ssm, AdamW with decoupled decay only on matrices, clipping, and the
// warmup + cosine schedule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdamW } from '../../kernels/train/adamw';
import { clipGradNorm } from '../../kernels/train/clip';
import { DEFAULT_DT_INIT, initParams, inverseSoftplus } from '../../kernels/train/init';
import { paramCount, paramSpecs, ParamViews } from '../../kernels/train/params';
import { Rng } from '../../kernels/train/rng';
import { learningRate, stepProgress } from '../../kernels/train/schedule';
import { softplus } from '../../kernels/ops/activation';
import { modelConfig } from '../../extension/core/runs/presets';
import { TOLERANCE, assertClose } from '../support/tolerance';

const cfg = modelConfig({ dModel: 40, nLayer: 3, dState: 7 }, 16);

function init(seed: number): ParamViews<Float32Array> {
  const specs = paramSpecs(cfg),
    p = new ParamViews(new Float32Array(paramCount(specs)), specs);
  initParams(cfg, p, new Rng(seed));
  return p;
}

test('initialisation follows mamba_ssm: A_log = log(1..n), D = 1, dt bias = softplus^-1 of [dt_min, dt_max], norms 1', () => {
  const p = init(5);
  const { intermediateSize: c, stateSize: n, timeStepRank: r, numLayers } = cfg;
  for (let i = 0; i < numLayers; i++) {
    const pre = `backbone.layers.${i}`;
    const aLog = p.get(`${pre}.mixer.A_log`);
    for (let ch = 0; ch < c; ch++)
      for (let s = 0; s < n; s++) assert.equal(aLog[ch * n + s], Math.fround(Math.log(s + 1)));
    assert.ok(p.get(`${pre}.mixer.D`).every((v) => v === 1));
    assert.ok(p.get(`${pre}.norm.weight`).every((v) => v === 1));
    for (const b of p.get(`${pre}.mixer.dt_proj.bias`)) {
      const dt = softplus(b);
      assert.ok(
        dt >= DEFAULT_DT_INIT.dtMin * 0.999 && dt <= DEFAULT_DT_INIT.dtMax * 1.001,
        `softplus(dt bias) = ${dt}`,
      );
    }
    const bound = 1 / Math.sqrt(r);
    assert.ok(p.get(`${pre}.mixer.dt_proj.weight`).every((v) => Math.abs(v) <= bound));
    const out = p.get(`${pre}.mixer.out_proj.weight`),
      outBound = 1 / Math.sqrt(c) / Math.sqrt(numLayers);
    assert.ok(
      out.every((v) => Math.abs(v) <= outBound) && out.some((v) => Math.abs(v) > outBound / 2),
      'out_proj rescaled by 1/sqrt(n_layer)',
    );
  }
  const emb = p.get('backbone.embeddings.weight');
  const std = Math.sqrt(emb.reduce((a, v) => a + v * v, 0) / emb.length);
  assert.ok(Math.abs(std - 0.02) < 0.003, `embedding std ${std}`);
  assertClose([softplus(inverseSoftplus(0.01))], [0.01], TOLERANCE.matmulCpu, 'softplus(inverse softplus(y)) = y');
  assert.deepEqual(init(5).flat, p.flat, 'same seed, same model');
  assert.notDeepEqual(init(6).flat, p.flat);
});

test('AdamW: bias-corrected first step, decoupled decay only on matrices and the embedding', () => {
  const specs = paramSpecs(cfg),
    size = paramCount(specs);
  const params = Float32Array.from({ length: size }, () => Math.random() * 2 - 1),
    before = params.slice();
  const grad = Float32Array.from({ length: size }, (_, i) => (i % 3 === 0 ? 0 : Math.random() * 2 - 1));
  const adam = new AdamW(specs, size, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
  const lr = 1e-2;
  adam.step(params, grad, lr);
  const want = new Float32Array(size);
  for (const s of specs) {
    for (let i = s.offset; i < s.offset + s.size; i++) {
      const g = grad[i],
        step = g === 0 ? 0 : (lr * g) / (Math.abs(g) + 1e-8); // m^ = g, v^ = g^2 after one step
      want[i] = before[i] - step - (s.decay ? lr * 0.1 * before[i] : 0);
    }
  }
  assertClose(params, want, TOLERANCE.matmulCpu, 'AdamW first step');
  const noDecay = specs.filter((s) => !s.decay).map((s) => s.name);
  for (const suffix of ['norm.weight', 'A_log', '.D', 'dt_proj.bias', 'conv1d.bias', 'norm_f.weight'])
    assert.ok(
      noDecay.some((n) => n.endsWith(suffix)),
      `${suffix} has no weight decay`,
    );
  assert.ok(
    specs.filter((s) => s.decay).every((s) => s.shape.length >= 2),
    'decay only on matrices',
  );
});

test('clipping scales to the maximum norm and leaves small gradients alone', () => {
  const g = Float32Array.from([3, 4]);
  assert.equal(clipGradNorm(g, 1), 5);
  assertClose(g, [0.6, 0.8], TOLERANCE.matmulCpu, 'clipped');
  const small = Float32Array.from([0.3, 0.4]);
  clipGradNorm(small, 1);
  assert.deepEqual([...small], [Math.fround(0.3), Math.fround(0.4)]);
  assert.throws(() => clipGradNorm(Float32Array.from([NaN]), 1), /diverged/);
});

test('schedule: linear warmup to the peak, cosine down to the floor', () => {
  const s = { peak: 1e-3, warmup: 10, minRatio: 0.1 };
  assertClose(
    [learningRate(0, 0, s), learningRate(4, 0, s), learningRate(9, 0, s)],
    [1e-4, 5e-4, 1e-3],
    TOLERANCE.matmulCpu,
    'warmup',
  );
  const total = 110,
    lrs = Array.from({ length: 101 }, (_, i) => learningRate(10 + i, stepProgress(10 + i, 10, total), s));
  assertClose([lrs[0], lrs[50], lrs[100]], [1e-3, 5.5e-4, 1e-4], TOLERANCE.matmulCpu, 'cosine');
  assert.ok(
    lrs.every((v, i) => i === 0 || v <= lrs[i - 1]),
    'decreasing after warmup',
  );
  assert.equal(learningRate(500, 3, s), 1e-4, 'held at the floor past the end');
});
