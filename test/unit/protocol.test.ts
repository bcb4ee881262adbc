// The engine boundary's checks (protocol/engine-messages.ts): good calls, answers, progress and
// notifications pass through unchanged, each malformed field is named, sizes are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_CHUNK_TOKENS,
  MAX_GENERATE_STEPS,
  MAX_LAYERS,
  MAX_WEIGHT_CHUNK_BYTES,
  engineCallParsers,
  engineProgressParsers,
  engineReplyParsers,
  parseConfigure,
  parseReady,
} from '../../protocol/engine-messages';
import { ProtocolError } from '../../protocol/validate';

function randomFloats(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 4 - 1;
  return a;
}

/** Asserts that `parse(raw)` throws a ProtocolError whose message matches `says`. */
function refuses(parse: (raw: unknown) => unknown, raw: unknown, says: RegExp): void {
  assert.throws(
    () => parse(raw),
    (e: unknown) => e instanceof ProtocolError && says.test(e.message),
    `${String(says)} for ${JSON.stringify(raw)?.slice(0, 200)}`,
  );
}

const calls = {
  loadModel: { modelKey: 'm|cpu', backend: 'auto', config: { d_model: 8 }, weightsBytes: 1000 },
  weights: { modelKey: 'm|cpu', offset: 0, bytes: new Uint8Array([1, 2, 3]) },
  score: { job: 3, modelKey: 'm|cpu', totalTokens: 5000, collectDelta: true },
  scoreChunk: { job: 3, modelKey: 'm|cpu', offset: 4096, tokens: new Int32Array([1, 2, 3, 4]) },
  generate: { modelKey: 'm|cpu', prompt: new Int32Array([1, 2]), steps: 25, temperature: 0.9, topK: 3, seed: 7 },
};

test('engine calls, answers, progress and notifications of every type parse to themselves', () => {
  for (const [type, payload] of Object.entries(calls))
    assert.deepEqual(engineCallParsers[type as keyof typeof calls](payload), payload, type);
  const n = 129,
    layers = 3;
  const loaded = { modelKey: 'm', backend: 'cpu', reason: 'no WebGPU adapter', device: 'worker', layers, loadMs: 12.5 };
  assert.deepEqual(engineReplyParsers.loadModel(loaded), loaded);
  assert.equal(engineReplyParsers.weights(null), null);
  assert.equal(engineReplyParsers.score(null), null);
  for (const chunk of [
    { offset: 1000, surprisal: randomFloats(n), delta: randomFloats(n * layers), elapsedMs: 3 },
    { offset: 0, surprisal: randomFloats(1), delta: new Float32Array(0), elapsedMs: 0 },
  ])
    assert.deepEqual(engineReplyParsers.scoreChunk(chunk), chunk);
  assert.deepEqual(engineReplyParsers.generate({ elapsedMs: 4 }), { elapsedMs: 4 });
  assert.deepEqual(engineProgressParsers.loadModel({ received: 8 }), { received: 8 });
  assert.deepEqual(engineProgressParsers.score({ scored: 4100 }), { scored: 4100 });
  const tokens = { offset: 3, tokens: new Int32Array([1, 2, 3]) };
  assert.deepEqual(engineProgressParsers.generate(tokens), tokens);
  const ready = { protocol: 2, webgpu: { available: true, detail: 'SwiftShader (fallback adapter)' } };
  assert.deepEqual(parseReady(ready), ready);
  const configure = { backend: 'webgpu', cpuWorkerUri: 'https://file+.vscode-resource/cpu-worker.js' };
  assert.deepEqual(parseConfigure(configure), configure);
});

test('engine calls with a bad field are refused with the field named', () => {
  const { loadModel, weights, score, scoreChunk, generate } = engineCallParsers;
  refuses(loadModel, { ...calls.loadModel, backend: 'tpu' }, /^loadModel\.backend: expected one of auto, webgpu, cpu/);
  refuses(loadModel, { ...calls.loadModel, config: [1] }, /^loadModel\.config: expected an object/);
  refuses(loadModel, { ...calls.loadModel, weightsBytes: 0 }, /^loadModel\.weightsBytes: /);
  refuses(weights, { ...calls.weights, bytes: [1, 2] }, /^weights\.bytes: expected a Uint8Array/);
  refuses(
    weights,
    { ...calls.weights, bytes: new Uint8Array(MAX_WEIGHT_CHUNK_BYTES + 1) },
    new RegExp(`^weights\\.bytes: \\d+ values, at most ${MAX_WEIGHT_CHUNK_BYTES} allowed`),
  );
  refuses(score, { ...calls.score, job: 0 }, /^score\.job: /);
  refuses(score, { ...calls.score, collectDelta: 'yes' }, /^score\.collectDelta: expected a boolean/);
  refuses(scoreChunk, { ...calls.scoreChunk, job: 1.5 }, /^scoreChunk\.job: /);
  refuses(scoreChunk, { ...calls.scoreChunk, offset: '0' }, /^scoreChunk\.offset: /);
  refuses(
    scoreChunk,
    { ...calls.scoreChunk, tokens: new Int32Array(MAX_CHUNK_TOKENS + 1) },
    /^scoreChunk\.tokens: 65537 values, at most 65536 allowed/,
  );
  refuses(
    scoreChunk,
    { ...calls.scoreChunk, tokens: new Float32Array(2) },
    /^scoreChunk\.tokens: expected a Int32Array/,
  );
  refuses(generate, { ...calls.generate, steps: MAX_GENERATE_STEPS + 1 }, /^generate\.steps: /);
  refuses(generate, { ...calls.generate, steps: 0 }, /^generate\.steps: /);
  refuses(generate, { ...calls.generate, temperature: Number.NaN }, /^generate\.temperature: /);
  refuses(generate, { ...calls.generate, modelKey: 7 }, /^generate\.modelKey: /);
  refuses(parseConfigure, { backend: 'cpu' }, /^configure\.cpuWorkerUri: /);
  for (const raw of [null, 3, 'score', [1]]) refuses(score, raw, /^score: expected an object/);
});

test('engine answers with a bad field are refused with the field named', () => {
  const good = { offset: 0, surprisal: randomFloats(3), delta: randomFloats(6), elapsedMs: 1 };
  const chunk = engineReplyParsers.scoreChunk;
  refuses(chunk, { ...good, offset: -1 }, /^chunkScored\.offset: /);
  refuses(chunk, { ...good, surprisal: [1, 2, 3] }, /^chunkScored\.surprisal: expected a Float32Array/);
  refuses(chunk, { ...good, surprisal: new Float64Array(3) }, /^chunkScored\.surprisal: /);
  refuses(chunk, { ...good, delta: randomFloats(7) }, /^chunkScored\.delta: length 7 is not a multiple of 3/);
  refuses(chunk, { ...good, surprisal: new Float32Array(MAX_CHUNK_TOKENS + 1) }, /at most 65536/);
  refuses(chunk, { ...good, elapsedMs: Number.NaN }, /^chunkScored\.elapsedMs: /);
  const loaded = { modelKey: 'm', backend: 'cpu', reason: '', device: '', layers: 2, loadMs: 1 };
  refuses(
    engineReplyParsers.loadModel,
    { ...loaded, backend: 'tpu' },
    /^modelLoaded\.backend: expected one of webgpu, cpu/,
  );
  refuses(engineReplyParsers.loadModel, { ...loaded, layers: MAX_LAYERS + 1 }, /^modelLoaded\.layers: /);
  refuses(engineReplyParsers.score, {}, /expected null/);
  refuses(
    engineProgressParsers.generate,
    { offset: 0, tokens: new Float32Array(2) },
    /^generated\.tokens: expected a Int32Array/,
  );
  refuses(parseReady, { protocol: 2, webgpu: null }, /^ready\.webgpu: expected an object/);
  refuses(parseReady, { protocol: 2, webgpu: { available: 1, detail: '' } }, /^ready\.webgpu\.available: /);
});
