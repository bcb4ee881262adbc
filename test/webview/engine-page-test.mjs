// Test page script for the engine webview (bundled by test/webview/run.mjs): stands in for VS Code
// with acquireVsCodeApi and window messages, and drives dist/webview/engine.js with the host's
// real EngineClient. window.engineTest.run(backend, chunk) loads the HF fixture model on that
// backend and scores the lambda tokens, reporting timings, the backend and reason, and the scores.
import { EngineCancelled, EngineClient } from '../../extension/core/engine/engine-client';

// The page posts to the host through acquireVsCodeApi; the host posts to the page's window.
const fromPage = new Set();
window.acquireVsCodeApi = () => ({
  postMessage: (m) => setTimeout(() => fromPage.forEach((f) => f(m)), 0),
});
const client = new EngineClient(
  {
    post: (m, transfer) => window.postMessage(m, '*', transfer ?? []),
    subscribe: (listener) => {
      fromPage.add(listener);
      return () => fromPage.delete(listener);
    },
  },
  () => ({ backend: 'auto', cpuWorkerUri: new URL('cpu-worker.js', location.href).toString(), timeoutMs: 300_000 }),
);

async function bytes(name) {
  return new Uint8Array(await (await fetch(name)).arrayBuffer());
}

const modelKeys = {};
window.engineTest = {
  ready: client.whenReady(),
  async run(backend, chunkTokens, limit) {
    const config = JSON.parse(new TextDecoder().decode(await bytes('hf-mamba-dna/config.json')));
    const weights = await bytes('hf-mamba-dna/model.safetensors');
    const all = new Int32Array((await bytes('lambda.tokens')).buffer);
    const tokens = all.subarray(0, limit ?? all.length);
    const t0 = performance.now();
    const loaded = await client.loadModel(`fixture-${backend}`, backend, config, weights);
    modelKeys[backend] = loaded.modelKey;
    const t1 = performance.now();
    const surprisal = new Float32Array(tokens.length).fill(NaN);
    let firstChunkMs = null;
    const { engineMs } = await client.score(loaded.modelKey, tokens, {
      collectDelta: true,
      chunkTokens,
      onChunk: (offset, s) => {
        surprisal.set(s, offset);
        firstChunkMs ??= performance.now() - t1;
      },
    });
    return {
      backend: loaded.backend,
      reason: loaded.reason,
      device: loaded.device,
      loadMs: t1 - t0,
      firstChunkMs,
      totalMs: performance.now() - t1,
      engineMs,
      tokens: tokens.length,
      surprisal: Array.from(surprisal),
    };
  },
  async cancel(backend) {
    const tokens = new Int32Array((await bytes('lambda.tokens')).buffer);
    const controller = new AbortController();
    let chunks = 0;
    try {
      await client.score(modelKeys[backend], tokens, {
        collectDelta: false,
        chunkTokens: 2048,
        signal: controller.signal,
        onChunk: () => {
          if (++chunks === 1) controller.abort();
        },
      });
      return 'finished';
    } catch (e) {
      return e instanceof EngineCancelled ? `cancelled after ${chunks} chunk(s)` : `error: ${e.message}`;
    }
  },
  status: () => document.body.innerText,
};
