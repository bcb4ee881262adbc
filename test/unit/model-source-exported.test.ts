// A model folder exported for Hugging Face still reads as the model it was: its HF tokenizer.json
// is not SeqLab's, so describeModel takes seqlab_tokenizer.json beside it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeModel } from '../../extension/core/analysis/model-source';
import { exportHfModel } from '../../extension/core/models/export-hf';

const root = join(__dirname, '..', '..', '..');

test('an exported DNA model is described with its SeqLab tokenizer, as the original is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-exported-'));
  try {
    const source = join(root, 'samples', 'models', 'dna-saureus');
    const out = join(dir, 'dna-saureus-hf');
    await exportHfModel(source, out, false);
    const original = await describeModel(source);
    const exported = await describeModel(out);
    assert.equal(exported.modality, 'dna');
    assert.deepEqual(exported.tokenizer?.toJSON(), original.tokenizer?.toJSON());
    assert.equal(exported.config.vocabSize, original.config.vocabSize);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
