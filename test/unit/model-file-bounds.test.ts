// Model files that would swell or mislead: a safetensors header length past the limit is refused
// after reading its 8 bytes (not the whole file), a dtype named like an Object method is not a
// dtype, NaN or infinite weights fail at load naming the tensor and index, and logits that
// overflow fail `seqlab logits` and generation naming the position instead of writing NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend } from '../../kernels/cpu-backend';
import { readSafetensors, writeSafetensors, type HostTensor } from '../../kernels/io/safetensors';
import { NonFiniteError } from '../../kernels/model/finite';
import { generate } from '../../kernels/model/generate';
import { uploadMambaModel, WeightsError } from '../../kernels/model/weights';
import { logitsCommand } from '../../extension/core/cli/logits';
import { loadModelDir, readSafetensorsFile, readSafetensorsSource } from '../../extension/core/models/load-model';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';

test('a header length past 100 MB is refused after reading 8 bytes of a 300 MB file', async () => {
  const reads: Array<[number, number]> = [];
  const first8 = new Uint8Array(8);
  new DataView(first8.buffer).setBigUint64(0, 200_000_000n, true);
  const src = {
    name: 'huge.safetensors',
    size: 300_000_000,
    read: async (position: number, length: number) => {
      reads.push([position, length]);
      return position === 0 ? first8.subarray(0, length) : new Uint8Array(length);
    },
    close: async () => undefined,
  };
  await assert.rejects(
    readSafetensorsSource(src),
    /^SafetensorsError: huge\.safetensors: header length 200000000 exceeds the limit of 100000000 \(byte 0\)$/,
  );
  assert.deepEqual(reads, [[0, 8]]);
});

test('a dtype of "toString" (an Object method, not a dtype) is refused as unsupported', () => {
  const header = new TextEncoder().encode(
    JSON.stringify({ t: { dtype: 'toString', shape: [1], data_offsets: [0, 4] } }),
  );
  const file = new Uint8Array(8 + header.length + 4);
  new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
  file.set(header, 8);
  assert.throws(
    () => readSafetensors(file, 'odd.safetensors'),
    /^SafetensorsError: odd\.safetensors: tensor "t": unsupported dtype "toString" \(supported: F32, F16, BF16\) \(byte 8\)$/,
  );
});

/** The HF fixture with `change` applied to its tensors, in a fresh folder. */
async function fixtureWith(dir: string, change: (tensors: Map<string, HostTensor>) => void): Promise<string> {
  const tensors = (await readSafetensorsFile(join(HF_FIXTURE_DIR, 'model.safetensors'))).tensors;
  change(tensors);
  copyFileSync(join(HF_FIXTURE_DIR, 'config.json'), join(dir, 'config.json'));
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors));
  return dir;
}

test('NaN or infinite weights fail at load, naming the tensor and the first bad index', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'seqlab-nan-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [bad, text] of [
    [NaN, 'NaN'],
    [-Infinity, '-Infinity'],
  ] as const) {
    const dir = await fixtureWith(mkdtempSync(join(root, 'm')), (ts) => {
      ts.get('backbone.layers.1.mixer.x_proj.weight')!.data[2 * 128 + 5] = bad;
    });
    await assert.rejects(loadModelDir(dir), (err) => {
      assert.ok(err instanceof WeightsError);
      assert.equal(
        err.message,
        `${dir}: tensor "backbone.layers.1.mixer.x_proj.weight" holds ${text} at [2, 5] (flat index 261); a model with NaN or infinite weights gives NaN logits`,
      );
      return true;
    });
  }
});

test('logits that overflow fail `seqlab logits` and generation, naming the position', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-overflow-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Finite weights whose final norm scales the hidden state past float32: the logits overflow (which
  // token first depends on where the forward rounds to float32; the message names it).
  await fixtureWith(dir, (ts) => ts.get('backbone.norm_f.weight')!.data.fill(3e38));
  const ids = join(dir, 'ids.json'),
    out = join(dir, 'logits.bin');
  writeFileSync(ids, JSON.stringify([[1, 2, 3, 4]]));
  await assert.rejects(logitsCommand.run(['--model', dir, '--ids', ids, '--out', out]), (err) => {
    assert.ok(err instanceof NonFiniteError);
    assert.match(err.message, /: the logits at row 0, position 0 are not finite \((-?Infinity|NaN) for token \d+\)/);
    return true;
  });
  assert.equal(existsSync(out), false, 'no logits file is written');

  const loaded = await loadModelDir(dir);
  const backend = new CpuBackend();
  try {
    const model = uploadMambaModel(backend, loaded.config, loaded.params);
    await assert.rejects(
      generate(backend, model, { ids: Int32Array.of(1, 2, 3), batch: 1, length: 3 }, { tokens: 4, temperature: 0 }),
      {
        name: 'NonFiniteError',
        message: /^generate: the logits at row 0, position 2 are not finite/,
      },
    );
  } finally {
    backend.dispose();
  }
});
