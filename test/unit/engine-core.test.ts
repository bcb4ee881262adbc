// The engine page's job handling against the model run directly: a stream of chunks of awkward
// sizes scores exactly what one full forward pass scores (surprisal and per-layer Δ), generation
// matches kernels/model/generate for the same seed, cancel stops a job and leaves the engine
// usable, and bad tokens give a clear error. Driven through the host's EngineClient.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EngineCancelled, EngineError } from '../../extension/core/engine/engine-client';
import { readModelSource, type ModelSource } from '../../extension/core/analysis/model-source';
import { mambaForward } from '../../kernels/model/forward';
import { generate } from '../../kernels/model/generate';
import { tokenBatch } from '../../kernels/model/token-ids';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';
import { inProcessEngine, type InProcessEngine } from '../support/in-process-engine';
import type { KernelEngineModel } from '../../webview/engine/kernel-engine-model';
import { assertClose, TOLERANCE } from '../support/tolerance';

let engine: InProcessEngine, source: ModelSource, modelKey: string;

before(async () => {
  engine = inProcessEngine();
  source = await readModelSource(HF_FIXTURE_DIR);
  modelKey = (await engine.client.loadModel(source.key, 'cpu', source.configJson, source.weights)).modelKey;
});
after(() => engine.dispose());

function randomTokens(n: number): Int32Array {
  return Int32Array.from({ length: n }, () => 1 + Math.floor(Math.random() * 4)); // A C G T
}

/** One full forward: row t predicts token t+1; reported at position t+1, NaN at 0. */
async function reference(tokens: Int32Array): Promise<{ surprisal: Float32Array; delta: Float32Array[] }> {
  const {
    model,
    chosen: { backend },
  } = engine.core.loaded(modelKey) as KernelEngineModel;
  const n = tokens.length,
    layers = model.config.numLayers;
  const surprisal = new Float32Array(n).fill(NaN),
    delta = Array.from({ length: layers }, () => new Float32Array(n).fill(NaN));
  if (n < 2) return { surprisal, delta };
  const ids = backend.uploadIds(tokens.slice(0, n - 1), [1, n - 1]),
    targets = backend.uploadIds(tokens.slice(1), [1, n - 1]);
  const r = mambaForward(backend, model, ids, { targets, meanDelta: true });
  surprisal.set(await backend.read(r.surprisal!), 1);
  for (let l = 0; l < layers; l++) delta[l].set(await backend.read(r.meanDelta![l]), 1);
  [ids, targets, r.logits, r.surprisal!, ...r.meanDelta!].forEach((t) => backend.free(t));
  return { surprisal, delta };
}

test('streamed scoring in awkward chunks equals one forward pass (surprisal and Δ per layer)', async () => {
  const layers = source.config.numLayers;
  for (const [n, chunk] of [
    [1, 1],
    [2, 1],
    [3, 2],
    [127, 3],
    [129, 127],
    [1000, 129],
    [1000, 1000],
  ]) {
    const tokens = randomTokens(n);
    const surprisal = new Float32Array(n).fill(-1),
      delta = Array.from({ length: layers }, () => new Float32Array(n).fill(-1));
    await engine.client.score(modelKey, tokens, {
      collectDelta: true,
      chunkTokens: chunk,
      onChunk: (offset, s, d) => {
        surprisal.set(s, offset);
        for (let l = 0; l < layers; l++) delta[l].set(d.subarray(l * s.length, (l + 1) * s.length), offset);
      },
    });
    const ref = await reference(tokens);
    assert.ok(Number.isNaN(surprisal[0]) && delta.every((d) => Number.isNaN(d[0])), 'nothing before the first token');
    assertClose(
      surprisal.subarray(1),
      ref.surprisal.subarray(1),
      TOLERANCE.logitsCpu,
      `surprisal n=${n} chunk=${chunk}`,
    );
    for (let l = 0; l < layers; l++)
      assertClose(
        delta[l].subarray(1),
        ref.delta[l].subarray(1),
        TOLERANCE.logitsCpu,
        `Δ layer ${l} n=${n} chunk=${chunk}`,
      );
    assert.ok(
      surprisal.subarray(1).every((v) => v > 0),
      'surprisal is positive bits',
    );
  }
});

test('generation matches the kernels generate() for the same prompt and seed', async () => {
  const prompt = randomTokens(37);
  const got = await engine.client.generate(modelKey, prompt, {
    steps: 25,
    vocabSize: source.config.vocabSize,
    temperature: 0.9,
    topK: 3,
    seed: 7,
  });
  const {
    model,
    chosen: { backend },
  } = engine.core.loaded(modelKey) as KernelEngineModel;
  const ref = await generate(backend, model, tokenBatch([prompt], model.config.vocabSize, 'prompt'), {
    tokens: 25,
    temperature: 0.9,
    topK: 3,
    seed: 7,
  });
  assert.deepEqual(Array.from(got.tokens), ref.tokens[0]);
});

test('cancel stops a scoring job, and the engine goes on working', async () => {
  const controller = new AbortController();
  let chunks = 0;
  await assert.rejects(
    engine.client.score(modelKey, randomTokens(600), {
      collectDelta: false,
      chunkTokens: 100,
      signal: controller.signal,
      onChunk: () => {
        if (++chunks === 2) controller.abort();
      },
    }),
    EngineCancelled,
  );
  assert.equal(chunks, 2, 'no chunk after the cancel');
  let scored = 0;
  await engine.client.score(modelKey, randomTokens(50), {
    collectDelta: false,
    chunkTokens: 16,
    onChunk: (_o, s) => {
      scored += s.length;
    },
  });
  assert.equal(scored, 50);
});

test('a token outside the vocabulary fails with a message naming it', async () => {
  const tokens = randomTokens(10);
  tokens[4] = 99;
  await assert.rejects(
    engine.client.score(modelKey, tokens, { collectDelta: false, chunkTokens: 8, onChunk: () => undefined }),
    (e: Error) =>
      e instanceof EngineError && /token 99 at position 4 is outside the model's vocabulary of 16/.test(e.message),
  );
  await assert.rejects(
    engine.client.score('no-such-model', tokens, { collectDelta: false, chunkTokens: 8, onChunk: () => undefined }),
    (e: Error) => e instanceof EngineError && /no model loaded under "no-such-model"/.test(e.message),
  );
});
