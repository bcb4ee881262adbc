// The engine's ONNX path (webview/engine/onnx-engine-model.ts, what the engine page's ONNX worker
// runs) behind the host's EngineClient, with onnxruntime-web's wasm in Node: streamed scoring in
// awkward chunks gives the CPU engine's surprisal and per-layer Δ within 1e-4, and generation the
// same tokens for the same seed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BackendChoice } from '../../kernels/backend';
import { readModelSource, type ModelSource } from '../../extension/core/analysis/model-source';
import { nodeOrt } from '../../extension/core/onnx/ort-node';
import { onnxModels } from '../../webview/engine/onnx-engine-model';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';
import { inProcessEngine, type InProcessEngine } from '../support/in-process-engine';
import { TOLERANCE, assertClose } from '../support/tolerance';

let cpu: InProcessEngine, onnx: InProcessEngine, source: ModelSource;
const keys = { cpu: '', onnx: '' };
before(async () => {
  cpu = inProcessEngine();
  onnx = inProcessEngine(
    120_000,
    onnxModels(nodeOrt(1), async () => ({
      options: { executionProviders: ['wasm'] },
      reason: 'onnx: wasm (Node)',
      device: 'onnxruntime-web wasm',
    })),
  );
  source = await readModelSource(HF_FIXTURE_DIR);
  keys.cpu = (await cpu.client.loadModel(source.key, 'cpu', source.configJson, source.weights)).modelKey;
  // The client's parameter type names the kernels backends; the engine channel also takes 'onnx'.
  const loaded = await onnx.client.loadModel(source.key, 'onnx' as BackendChoice, source.configJson, source.weights);
  assert.deepEqual([loaded.backend, loaded.reason], ['onnx', 'onnx: wasm (Node)']);
  keys.onnx = loaded.modelKey;
});
after(() => {
  cpu.dispose();
  onnx.dispose();
});

async function scores(e: InProcessEngine, key: string, tokens: Int32Array, chunk: number) {
  const layers = source.config.numLayers,
    n = tokens.length;
  const surprisal = new Float32Array(n),
    delta = new Float32Array(layers * n);
  await e.client.score(key, tokens, {
    collectDelta: true,
    chunkTokens: chunk,
    onChunk: (offset, s, d) => {
      surprisal.set(s, offset);
      for (let l = 0; l < layers; l++) delta.set(d.subarray(l * s.length, (l + 1) * s.length), l * n + offset);
    },
  });
  return { surprisal, delta };
}

test('streamed scoring on the ONNX path equals the CPU engine (surprisal and Δ per layer)', async () => {
  for (const [n, chunk] of [
    [2, 1],
    [130, 7],
    [700, 256],
  ]) {
    const tokens = Int32Array.from({ length: n }, () => 1 + Math.floor(Math.random() * 4));
    const got = await scores(onnx, keys.onnx, tokens, chunk),
      ref = await scores(cpu, keys.cpu, tokens, chunk);
    for (const [what, a, b] of [
      ['surprisal', got.surprisal, ref.surprisal],
      ['Δ', got.delta, ref.delta],
    ] as const) {
      const nan = (x: Float32Array) => Array.from(x, Number.isNaN);
      assert.deepEqual(nan(a), nan(b), `${what}: NaN (nothing to predict from) at the same places`);
      const finite = (x: Float32Array) => x.filter((_, i) => !Number.isNaN(b[i]));
      const r = assertClose(finite(a), finite(b), TOLERANCE.logitsCpu, `${what} n=${n} chunk=${chunk}`);
      console.log(
        `${what} n=${n} chunk=${chunk}: max abs err ${r.maxAbs.toExponential(3)}, mean ${r.meanAbs.toExponential(3)}`,
      );
    }
    assert.ok(Number.isNaN(got.surprisal[0]), 'nothing before the first token');
  }
});

test('generation on the ONNX path gives the CPU engine tokens for the same seed', async () => {
  const prompt = Int32Array.from({ length: 29 }, () => 1 + Math.floor(Math.random() * 4));
  const options = { steps: 20, vocabSize: source.config.vocabSize, temperature: 0.9, topK: 3, seed: 11 };
  const got = await onnx.client.generate(keys.onnx, prompt, options),
    ref = await cpu.client.generate(keys.cpu, prompt, options);
  assert.deepEqual(Array.from(got.tokens), Array.from(ref.tokens));
});
