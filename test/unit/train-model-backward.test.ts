// The CPU training model: its forward is the inference forward (the same logits, bit for bit, as
// mambaForward's op-by-op path on the CPU backend; the fused scoring path within tolerance) and reproduces the Hugging Face reference logits, and its full
// backward (every parameter of a whole model) matches float64 central differences.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CpuBackend } from '../../kernels/cpu-backend';
import { readSafetensors } from '../../kernels/io/safetensors';
import { parseMambaConfig, type MambaConfig } from '../../kernels/model/config';
import { mambaForward } from '../../kernels/model/forward';
import { mambaParamsFromTensors, mambaParamsToTensors, uploadMambaModel } from '../../kernels/model/weights';
import { MambaTrainModel } from '../../kernels/train/mamba-train-model';
import { flatFromTensors, paramCount, paramSpecs, ParamViews } from '../../kernels/train/params';
import { TOLERANCE, assertClose } from '../support/tolerance';
import { checkGradients, randomArray } from '../support/train-finite-difference';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hf-mamba-dna');

test('training forward equals the inference forward bit for bit and reproduces the HF float64 logits of the fixture', async () => {
  const cfg = parseMambaConfig(JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8')), 'config.json');
  const file = readSafetensors(new Uint8Array(readFileSync(join(FIXTURE, 'model.safetensors'))), 'model.safetensors');
  const params = mambaParamsFromTensors(cfg, file.tensors, 'model.safetensors');
  const specs = paramSpecs(cfg);
  const flat = flatFromTensors(specs, mambaParamsToTensors(cfg, params), 'model.safetensors');
  const ids = Int32Array.from((JSON.parse(readFileSync(join(FIXTURE, 'input_ids.json'), 'utf8')) as number[][]).flat());
  const ref = new Float32Array(readFileSync(join(FIXTURE, 'logits_f64.bin')).buffer.slice(0));
  const model = new MambaTrainModel(cfg, 2, 257, (n): Float32Array => new Float32Array(n), 64);
  model.forward(new ParamViews(flat, specs), ids);
  assertClose(model.logits, ref, TOLERANCE.logitsCpu, 'train forward logits vs HF');

  const cpu = new CpuBackend();
  const upload = () => [uploadMambaModel(cpu, cfg, params), cpu.uploadIds(ids, [2, 257])] as const;
  const inference = mambaForward(cpu, ...upload(), { scan: 'sequential', ops: true });
  assert.deepEqual(model.logits, await cpu.read(inference.logits), 'train forward logits vs the op-by-op mambaForward');
  // Scoring takes the fused CPU forward (float64 inside), the same model within the CPU tolerance.
  const fused = mambaForward(cpu, ...upload());
  assertClose(await cpu.read(fused.logits), model.logits, TOLERANCE.logitsCpu, 'fused CPU forward vs train forward');
});

function smallConfig(over: Partial<MambaConfig>): MambaConfig {
  return {
    vocabSize: 5,
    hiddenSize: 6,
    numLayers: 2,
    stateSize: 3,
    convKernel: 4,
    expand: 2,
    intermediateSize: 10,
    timeStepRank: 2,
    useBias: false,
    useConvBias: true,
    residualInFp32: true,
    layerNormEpsilon: 1e-5,
    tieWordEmbeddings: true,
    ...over,
  };
}

for (const [label, cfg, b, l, chunk] of [
  ['tied head, conv bias', smallConfig({}), 2, 7, 3],
  [
    'untied head, projection biases, no conv bias, one layer',
    smallConfig({
      numLayers: 1,
      useBias: true,
      useConvBias: false,
      tieWordEmbeddings: false,
      convKernel: 3,
      intermediateSize: 7,
    }),
    3,
    5,
    2,
  ],
  ['three layers, l 1', smallConfig({ numLayers: 3, stateSize: 2 }), 3, 1, 4],
] as const) {
  test(`whole-model gradient matches finite differences: ${label} (b ${b}, l ${l}, chunk ${chunk})`, () => {
    const specs = paramSpecs(cfg),
      size = paramCount(specs);
    const flat = randomArray(size, 0.5);
    for (const s of specs)
      if (s.name.endsWith('norm.weight') || s.name.endsWith('norm_f.weight') || s.name.endsWith('.D'))
        for (let i = 0; i < s.size; i++) flat[s.offset + i] += 1;
    const p = new ParamViews(flat, specs),
      grad = new ParamViews(new Float64Array(size), specs);
    const model = new MambaTrainModel(cfg, b, l, (n): Float64Array => new Float64Array(n), chunk);
    const ids = Int32Array.from({ length: b * l }, () => Math.floor(Math.random() * cfg.vocabSize));
    const targets = Int32Array.from({ length: b * l }, (_, i) =>
      i % 4 === 1 ? -1 : Math.floor(Math.random() * cfg.vocabSize),
    );
    const res = model.lossAndGrad(p, ids, targets, grad);
    const loss = () => {
      model.forward(p, ids);
      const r = model.loss(targets);
      return r.nats / r.count;
    };
    checkGradients({ params: flat }, { params: grad.flat }, loss, `model (${res.count} targets)`);
  });
}
