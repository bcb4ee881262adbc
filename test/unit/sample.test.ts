// Token choice: greedy argmax, top-k support, sampling frequencies against the softmax, and
// seeded generation that repeats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CpuBackend } from '../../kernels/cpu-backend';
import { generate } from '../../kernels/model/generate';
import { argmax, sampleToken } from '../../kernels/model/sample';
import { tokenBatch } from '../../kernels/model/token-ids';
import { uploadMambaModel } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import { loadModelDir } from '../../extension/core/models/load-model';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';

describe('sampling', () => {
  const logits = Float32Array.of(0.5, 2, -1, 2, 1.5, 0);

  it('greedy takes the first largest logit', () => {
    assert.equal(argmax(logits), 1);
    const rng = new Rng(1);
    assert.equal(
      sampleToken(logits, { temperature: 0 }, () => rng.uniform()),
      1,
    );
    assert.equal(
      sampleToken(logits, { temperature: 3, topK: 1 }, () => rng.uniform()),
      1,
    );
  });

  it('top-k draws only from the k most likely tokens', () => {
    const rng = new Rng(2),
      seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(logits, { temperature: 2, topK: 3 }, () => rng.uniform()));
    assert.deepEqual([...seen].sort(), [1, 3, 4]);
  });

  it('temperature sampling follows softmax(logits / T)', () => {
    const T = 0.8,
      draws = 40000,
      counts = new Array<number>(logits.length).fill(0),
      rng = new Rng(Math.floor(Math.random() * 2 ** 31));
    for (let i = 0; i < draws; i++) counts[sampleToken(logits, { temperature: T }, () => rng.uniform())]++;
    const w = [...logits].map((x) => Math.exp(x / T)),
      z = w.reduce((a, b) => a + b);
    w.forEach((wi, i) => {
      const p = wi / z,
        sd = Math.sqrt((p * (1 - p)) / draws);
      assert.ok(
        Math.abs(counts[i] / draws - p) < 5 * sd + 1e-9,
        `token ${i}: frequency ${counts[i] / draws}, softmax ${p}`,
      );
    });
  });

  it('rejects a negative temperature and a fractional top-k', () => {
    assert.throws(
      () => sampleToken(logits, { temperature: -1 }, Math.random),
      /temperature -1 must be a finite number >= 0/,
    );
    assert.throws(
      () => sampleToken(logits, { temperature: 1, topK: 1.5 }, Math.random),
      /top-k 1.5 must be a non-negative integer/,
    );
  });

  it('seeded generation repeats and a different seed changes it', async () => {
    const backend = new CpuBackend(),
      loaded = await loadModelDir(HF_FIXTURE_DIR);
    const model = uploadMambaModel(backend, loaded.config, loaded.params);
    const prompt = tokenBatch(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      16,
      'prompt',
    );
    const run = async (seed: number) =>
      (await generate(backend, model, prompt, { tokens: 24, temperature: 5, seed })).tokens;
    const a = await run(7);
    assert.deepEqual(await run(7), a);
    assert.notDeepEqual(await run(8), a);
    assert.deepEqual((await generate(backend, model, prompt, { tokens: 0, temperature: 0 })).tokens, [[], []]);
  });
});
