// A model whose files the engine page may read (its webview resource roots) is not posted by the
// host: loadModel names the files and the page fetches them (webview/engine/fetch-weights.ts),
// feeding its engine as the host's chunks would. A file that changed since the host read it fails
// the load; a file the page may not read is posted in chunks as before.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CpuBackend } from '../../kernels/cpu-backend';
import { readModelSource } from '../../extension/core/analysis/model-source';
import { EngineClient } from '../../extension/core/engine/engine-client';
import { Channel } from '../../protocol/channel';
import {
  ENGINE_CHANNEL,
  PROTOCOL_VERSION,
  engineServerValidators,
  type EngineCaller,
  type EngineServer,
} from '../../protocol/engine-messages';
import { EngineCore } from '../../webview/engine/engine-core';
import { fetchWeights } from '../../webview/engine/fetch-weights';
import { kernelModels } from '../../webview/engine/kernel-engine-model';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';
import { portPair } from '../support/port-pair';

/** A page that reads the files the host names through `get`, beside a client whose page may read `readable` files. */
function page(readable: (path: string) => boolean, get: typeof fetch) {
  const { a, b } = portPair();
  // Counted as posted: a transfer empties them after.
  let posted = 0;
  const post = a.post.bind(a);
  a.post = (m, transfer) => {
    const { type, payload } = m as { type?: string; payload: { bytes: Uint8Array } };
    if (type === 'weights') posted += payload.bytes.length;
    return post(m, transfer);
  };
  const backend = new CpuBackend();
  const core = new EngineCore(kernelModels(async () => ({ backend, name: 'cpu', reason: 'cpu: requested' })));
  const channel = new Channel<EngineServer, EngineCaller>({
    name: ENGINE_CHANNEL,
    port: b,
    validate: engineServerValidators,
  });
  channel.serve({
    ...core.handlers,
    loadModel: async ({ fetch: from, ...p }, ctx) => {
      const loaded = core.handlers.loadModel(p, ctx);
      if (from)
        await fetchWeights(
          from,
          async (offset, bytes) => core.handlers.weights({ modelKey: p.modelKey, offset, bytes }, ctx),
          ctx.signal,
          get,
        );
      return loaded;
    },
  });
  const client = new EngineClient(
    a,
    () => ({ backend: 'cpu', cpuWorkerUri: 'test', timeoutMs: 10_000 }),
    undefined,
    (path) => (readable(path) ? pathToFileURL(path).href : undefined),
  );
  channel.notify('ready', { protocol: PROTOCOL_VERSION, webgpu: { available: false, detail: 'test page' } });
  return {
    client,
    core,
    postedBytes: () => posted,
    dispose() {
      client.dispose('done');
      channel.dispose('done');
      core.dispose();
      backend.dispose();
    },
  };
}

const fromDisk: typeof fetch = async (url) => new Response(await readFile(fileURLToPath(String(url))));

test('a model the page may read is fetched by the page: no weight bytes are posted', async () => {
  const source = await readModelSource(HF_FIXTURE_DIR);
  const p = page(() => true, fromDisk);
  try {
    const loaded = await p.client.loadModel(source.key, 'cpu', source.configJson, source.weights, source.layout);
    assert.equal(p.postedBytes(), 0);
    assert.equal(p.core.loaded(loaded.modelKey)?.config.numLayers, loaded.layers);
  } finally {
    p.dispose();
  }
});

test('a model file that changed since the host read it fails the load', async () => {
  const source = await readModelSource(HF_FIXTURE_DIR);
  const shorter: typeof fetch = async (url) => new Response((await readFile(fileURLToPath(String(url)))).subarray(1));
  const p = page(() => true, shorter);
  try {
    await assert.rejects(
      p.client.loadModel(source.key, 'cpu', source.configJson, source.weights, source.layout),
      /model\.safetensors: \d+ bytes, \d+ when the host read it \(changed since\)/,
    );
  } finally {
    p.dispose();
  }
});

test('a model the page may not read is posted in chunks', async () => {
  const source = await readModelSource(HF_FIXTURE_DIR);
  const p = page(
    () => false,
    () => Promise.reject(new Error('not to be fetched')),
  );
  try {
    const loaded = await p.client.loadModel(source.key, 'cpu', source.configJson, source.weights, source.layout);
    assert.equal(p.postedBytes(), source.weights.length);
    assert.ok(p.core.loaded(loaded.modelKey));
  } finally {
    p.dispose();
  }
});
