// The weights a cell sends to the engine: read once per model folder while its files stay the same
// (a changed file reads again), bounded in bytes with the least recently used model out first,
// passed through as stored (shards joined, names and shapes checked from the headers), and read
// without holding the event loop: a 26 MB model never stalls it for 50 ms.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readSafetensors, writeSafetensors } from '../../kernels/io/safetensors';
import { mambaParamsFromTensors, mambaParamsToTensors } from '../../kernels/model/weights';
import { readModelSource } from '../../extension/core/analysis/model-source';
import { ModelCache } from '../../extension/core/analysis/model-cache';
import { loadModelDir } from '../../extension/core/models/load-model';
import { writeRandomDnaModel } from '../support/random-dna-model';
import { StallProbe, stallText } from '../support/stall-probe';

const tmp = mkdtempSync(join(tmpdir(), 'seqlab-model-cache-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a model folder is read once while its files stay; a changed weight file is read again', async () => {
  const dir = await writeRandomDnaModel(join(tmp, 'once'), 16, 2);
  const a = await readModelSource(dir),
    b = await readModelSource(dir);
  assert.equal(b.weights, a.weights, 'the second cell gets the bytes read for the first');
  assert.equal(b.key, a.key);
  const file = join(dir, 'model.safetensors');
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  const c = await readModelSource(dir);
  assert.notEqual(c.weights, a.weights);
  assert.notEqual(c.key, a.key, 'the engine keys its upload by the files');
  assert.deepEqual(c.weights, a.weights);
});

test('the weights pass through as stored and decode to what loadModelDir reads', async () => {
  const dir = await writeRandomDnaModel(join(tmp, 'same'), 24, 3);
  const source = await readModelSource(dir);
  const loaded = await loadModelDir(dir);
  const params = mambaParamsFromTensors(loaded.config, readSafetensors(source.weights, 'sent').tensors, 'sent');
  assert.deepEqual(mambaParamsToTensors(loaded.config, params), mambaParamsToTensors(loaded.config, loaded.params));
});

test('shards become one file; a tensor in two shards and a missing layer are refused naming them', async () => {
  const dir = await writeRandomDnaModel(join(tmp, 'shards'), 16, 2);
  const loaded = await loadModelDir(dir);
  const tensors = [...mambaParamsToTensors(loaded.config, loaded.params)];
  const half = Math.floor(tensors.length / 2);
  const shard = (name: string, part: typeof tensors) => writeFileSync(join(dir, name), writeSafetensors(new Map(part)));
  shard('model-00001-of-00002.safetensors', tensors.slice(0, half));
  shard('model-00002-of-00002.safetensors', tensors.slice(half));
  rmSync(join(dir, 'model.safetensors'));
  const index = (names: string[]) =>
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: Object.fromEntries(tensors.map(([n], i) => [n, names[i < half ? 0 : 1]])) }),
    );
  index(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  const cache = new ModelCache();
  const joined = readSafetensors((await cache.weights(dir, loaded.config)).bytes, 'joined').tensors;
  assert.deepEqual(joined, new Map(tensors));

  shard('model-00002-of-00002.safetensors', tensors.slice(half - 1));
  await assert.rejects(
    cache.weights(dir, loaded.config),
    /model-00002-of-00002\.safetensors: tensor ".*" is in another shard too/,
  );
  shard('model-00002-of-00002.safetensors', tensors.slice(half));
  await assert.rejects(
    cache.weights(dir, { ...loaded.config, numLayers: 3 }),
    /: missing tensor "backbone\.layers\.2\.norm\.weight"/,
  );
});

test('the cache keeps at most its bytes, the least recently used model out first', async () => {
  const dirs = await Promise.all(['a', 'b', 'c'].map((n) => writeRandomDnaModel(join(tmp, `lru-${n}`), 16, 2)));
  const { config } = await loadModelDir(dirs[0]);
  const probe = await new ModelCache().weights(dirs[0], config);
  const cache = new ModelCache(2.5 * probe.bytes.byteLength);
  const [a, b] = [await cache.weights(dirs[0], config), await cache.weights(dirs[1], config)];
  assert.equal((await cache.weights(dirs[0], config)).bytes, a.bytes, 'a is used again');
  const c = await cache.weights(dirs[2], config);
  assert.equal((await cache.weights(dirs[0], config)).bytes, a.bytes, 'a stays');
  assert.equal((await cache.weights(dirs[2], config)).bytes, c.bytes, 'c stays');
  assert.notEqual((await cache.weights(dirs[1], config)).bytes, b.bytes, 'b, least recently used, was dropped');

  const small = new ModelCache(probe.bytes.byteLength - 1);
  const once = await small.weights(dirs[0], config);
  assert.notEqual(
    (await small.weights(dirs[0], config)).bytes,
    once.bytes,
    'a model larger than the bound is not kept',
  );
});

test('a 26 MB model loads without stalling the event loop for 50 ms', async () => {
  const dir = await writeRandomDnaModel(join(tmp, 'big'), 384, 7);
  const probe = new StallProbe();
  const source = await readModelSource(dir);
  const stalls = await probe.stop();
  console.log(`${(source.weights.byteLength / 1e6).toFixed(1)} MB: ${stallText(stalls)}`);
  assert.ok(source.weights.byteLength > 25e6, `${source.weights.byteLength} bytes`);
  assert.ok((stalls.busyMs ?? stalls.wallMs) < 50, stallText(stalls));
});
