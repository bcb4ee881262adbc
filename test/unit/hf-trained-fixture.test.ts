// A model SeqLab never touched: test/fixtures/hf-trained-mamba, made by
// bench/hf_train_then_export.py (transformers trained it and wrote its own logits; meta.json says
// with which versions). `seqlab import-hf` then `seqlab logits` must give transformers' logits
// within 1e-4, for the float32 folder with its character tokenizer and for the bfloat16 shards;
// the mapped tokenizer must read the held-out bases as the Hugging Face tokenizer did.
//
// The fixture's layout:
//   f32/              config.json, model.safetensors (F32), tokenizer.json (tokenizers WordLevel,
//                     HyenaDNA's layout: A C G T N at ids 7-11), tokenizer_config.json
//   bf16-sharded/     config.json, model.safetensors.index.json, model-0000i-of-0000n.safetensors (BF16)
//   input_ids.json    [2][96]: row 0 is dna.txt encoded by f32/'s tokenizer, row 1 random ids 0-15
//   dna.txt           the bases of row 0
//   logits_f32.bin    transformers' logits of f32/, little-endian float32 [2, 96, 16]
//   logits_bf16.bin   the same of bf16-sharded/ loaded as float32
//   logits_shape.json {"shape": [2, 96, 16]}
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DnaTokenizer } from '../../extension/core/datasets/dna-tokenizer';
import { REPO_ROOT } from '../support/hf-fixture';
import { assertClose } from '../support/tolerance';
import { tempDir } from '../support/train-data';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'hf-trained-mamba');
const CLI = join(__dirname, '..', '..', 'extension', 'core', 'cli', 'main.js');
const seqlab = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SEQLAB_DEBUG: '' } });
const IDS = join(FIXTURE, 'input_ids.json');

function floats(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Imports `folder` of the fixture and runs `seqlab logits` on the fixture's ids. */
function importedLogits(folder: string): { stdout: string; logits: Float32Array; dir: string } {
  const root = tempDir('hf-trained');
  const dir = join(root, folder);
  const r = seqlab('import-hf', join(FIXTURE, folder), '--out', dir);
  assert.equal(r.status, 0, r.stderr);
  const out = join(root, 'logits.bin');
  const l = seqlab('logits', '--model', dir, '--ids', IDS, '--out', out);
  assert.equal(l.status, 0, l.stderr);
  return { stdout: r.stdout, logits: floats(out), dir };
}

describe('a model trained and saved by transformers', () => {
  const shape = (JSON.parse(readFileSync(join(FIXTURE, 'logits_shape.json'), 'utf8')) as { shape: number[] }).shape;

  it('imports from float32 with its character tokenizer: logits within 1e-4, the bases read as it read them', () => {
    const { stdout, logits, dir } = importedLogits('f32');
    assert.match(stdout, /tokenizer: .*tokenizer\.json: A=7 C=8 G=9 T=10 N=11; pad=4 bos=2 eos=1 sep=1 mask=3/);
    const want = floats(join(FIXTURE, 'logits_f32.bin'));
    assert.equal(
      want.length,
      shape.reduce((a, b) => a * b, 1),
    );
    const r = assertClose(logits, want, { rtol: 0, atol: 1e-4 }, 'f32 import vs transformers');
    console.log(`f32: max abs err ${r.maxAbs.toExponential(3)}, mean ${r.meanAbs.toExponential(3)}`);
    const tokenizer = DnaTokenizer.fromJSON(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')));
    const [row0] = JSON.parse(readFileSync(IDS, 'utf8')) as number[][];
    assert.deepEqual([...tokenizer.encodeString(readFileSync(join(FIXTURE, 'dna.txt'), 'utf8').trim())], row0);
  });

  it('imports bfloat16 shards as a raw-id model: logits within 1e-4 of transformers on the widened weights', () => {
    const { stdout, logits } = importedLogits('bf16-sharded');
    assert.match(stdout, /weights: 22 tensors from 3 file\(s\), written as float32\ntokenizer: none, a raw-id model/);
    const r = assertClose(logits, floats(join(FIXTURE, 'logits_bf16.bin')), { rtol: 0, atol: 1e-4 }, 'bf16 import');
    console.log(`bf16: max abs err ${r.maxAbs.toExponential(3)}, mean ${r.meanAbs.toExponential(3)}`);
  });
});
