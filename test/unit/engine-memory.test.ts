// Device memory discipline, observed through a backend that counts live tensors around the real
// CPU backend: the forward frees every intermediate it does not return, and a stream's live
// tensors do not grow with the sequence length. Also createBackend's choice and reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, Tensor } from '../../kernels/backend';
import { CpuBackend } from '../../kernels/cpu-backend';
import { createBackend } from '../../kernels/create-backend';
import { mambaForward } from '../../kernels/model/forward';
import { chunkRows, scoreStream, streamScores } from '../../kernels/model/stream';
import { type MambaModel, freeMambaModel, uploadMambaModel } from '../../kernels/model/weights';
import { WebGpuUnavailableError } from '../../kernels/webgpu/device';
import { Rng } from '../../kernels/train/rng';
import { GENERALISATION_CONFIGS, randomMambaParams } from '../support/engine-suites';

/** The CPU backend with every tensor it hands out tracked until freed. */
function countingBackend(): { backend: Backend; live: Set<Tensor> } {
  const live = new Set<Tensor>(),
    inner = new CpuBackend();
  const track = (v: unknown): void => {
    if (v && typeof v === 'object' && 'shape' in v && 'dtype' in v) live.add(v as Tensor);
    else if (v && typeof v === 'object') Object.values(v).forEach(track);
  };
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'free')
        return (t: Tensor) => {
          assert.ok(live.delete(t), 'freed a tensor that is not live');
        };
      if (prop === 'read' || prop === 'readIds' || prop === 'dispose') return value.bind(target);
      return (...args: unknown[]) => {
        const out = value.apply(target, args);
        track(out);
        return out;
      };
    },
  });
  return { backend, live };
}

describe('engine memory', () => {
  const [, config] = GENERALISATION_CONFIGS[0];
  const setup = (): { backend: Backend; live: Set<Tensor>; model: MambaModel; params: number } => {
    const { backend, live } = countingBackend();
    const model = uploadMambaModel(backend, config, randomMambaParams(config, new Rng(5)));
    return { backend, live, model, params: live.size };
  };

  it('the forward leaves only what it returns', async () => {
    const { backend, live, model, params } = setup();
    const ids = backend.uploadIds(
      Int32Array.from({ length: 2 * 9 }, (_, i) => i % config.vocabSize),
      [2, 9],
    );
    const plain = mambaForward(backend, model, ids);
    assert.equal(live.size, params + 2, 'parameters, ids and logits');
    backend.free(plain.logits);
    const full = mambaForward(backend, model, ids, { returnState: true, meanDelta: true, hiddenStates: true });
    const returned = 1 + 2 * config.numLayers + config.numLayers + config.numLayers;
    assert.equal(live.size, params + 1 + returned, 'parameters, ids, logits, states, mean Δ, layer outputs');
    for (const t of [
      full.logits,
      ...(full.state?.conv ?? []),
      ...(full.state?.ssm ?? []),
      ...(full.meanDelta ?? []),
      ...(full.hiddenStates ?? []),
    ])
      backend.free(t);
    backend.free(ids);
    freeMambaModel(backend, model);
    assert.equal(live.size, 0);
  });

  it("a stream's live tensors do not grow with the sequence length", async () => {
    const { backend, live, model, params } = setup();
    const peak = async (length: number): Promise<number> => {
      const rng = new Rng(length),
        row = Int32Array.from({ length }, () => rng.int(config.vocabSize));
      let max = 0;
      for await (const r of streamScores(backend, model, chunkRows([row], 32), { meanDelta: true })) {
        assert.equal(r.surprisal.length, Math.min(32, length - r.start));
        max = Math.max(max, live.size);
      }
      assert.equal(live.size, params, 'everything but the parameters is freed at the end');
      return max;
    };
    assert.equal(await peak(3200), await peak(96));
  });

  it('a stream skips empty chunks instead of ending early (callback form)', async () => {
    const { backend, model } = setup();
    const chunks = [[Int32Array.of(1, 2)], [new Int32Array()], [Int32Array.of(3)]];
    const starts: number[] = [];
    await scoreStream(backend, model, chunks, (r) => {
      starts.push(r.start);
    });
    assert.deepEqual(starts, [0, 2]);
  });
});

describe('createBackend', () => {
  const noAdapter = async (): Promise<GPU> => ({ requestAdapter: async () => null }) as unknown as GPU;

  it('cpu when asked, with the reason', async () => {
    const { backend, reason } = await createBackend('cpu');
    assert.equal(backend.name, 'cpu');
    assert.equal(reason, 'cpu: requested');
  });

  it('auto falls back to the cpu and says why when there is no adapter', async () => {
    const { backend, reason } = await createBackend('auto', { gpu: noAdapter });
    assert.equal(backend.name, 'cpu');
    assert.match(reason, /^cpu: no WebGPU adapter \(no WebGPU adapter: requestAdapter\(\) returned null\)$/);
  });

  it('webgpu without an adapter is an error, not a silent fallback', async () => {
    await assert.rejects(createBackend('webgpu', { gpu: noAdapter }), WebGpuUnavailableError);
  });
});
