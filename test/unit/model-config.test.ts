// HF config.json parsing (defaults, resolution, validation), parameter name mapping and shape
// checks (mamba_ssm naming, tied and untied heads), and token id batches.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readSafetensors } from '../../kernels/io/safetensors';
import { type MambaConfig, HF_MAMBA_DEFAULTS, mambaConfigToJson, parseMambaConfig } from '../../kernels/model/config';
import { tokenBatch } from '../../kernels/model/token-ids';
import { mambaParamsFromTensors, mambaParamsToTensors } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import { randomMambaParams } from '../support/engine-suites';
import { HF_FIXTURE_DIR, fixtureJson } from '../support/hf-fixture';

const fixtureConfig = (): MambaConfig => parseMambaConfig(fixtureJson('config.json'), 'config.json');
const fixtureTensors = () =>
  readSafetensors(new Uint8Array(readFileSync(join(HF_FIXTURE_DIR, 'model.safetensors'))), 'model.safetensors').tensors;

describe('MambaConfig', () => {
  it('resolves the fixture config', () => {
    assert.deepEqual(fixtureConfig(), {
      vocabSize: 16,
      hiddenSize: 64,
      numLayers: 2,
      stateSize: 16,
      convKernel: 4,
      expand: 2,
      intermediateSize: 128,
      timeStepRank: 4,
      useBias: false,
      useConvBias: true,
      residualInFp32: true,
      layerNormEpsilon: 1e-5,
      tieWordEmbeddings: true,
    });
  });

  it('fills HF\'s defaults for absent fields and resolves time_step_rank "auto"', () => {
    const c = parseMambaConfig({}, 'empty.json');
    assert.equal(c.vocabSize, HF_MAMBA_DEFAULTS.vocab_size);
    assert.equal(c.hiddenSize, 768);
    assert.equal(c.numLayers, 32);
    assert.equal(c.intermediateSize, 1536);
    assert.equal(c.timeStepRank, 48);
    assert.equal(c.useBias, false);
    assert.equal(c.useConvBias, true);
    assert.equal(c.tieWordEmbeddings, true);
    assert.equal(parseMambaConfig({ hidden_size: 40, time_step_rank: 7 }, 'x').timeStepRank, 7);
    assert.equal(parseMambaConfig({ hidden_size: 40 }, 'x').timeStepRank, 3);
  });

  it('round-trips through mambaConfigToJson', () => {
    const c = parseMambaConfig(
      {
        vocab_size: 300,
        hidden_size: 36,
        expand: 1.5,
        time_step_rank: 5,
        use_bias: true,
        tie_word_embeddings: false,
        layer_norm_epsilon: 1e-6,
      },
      'x',
    );
    assert.deepEqual(parseMambaConfig(mambaConfigToJson(c), 'y'), c);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', [1], /^cfg\.json: not a JSON object$/],
    ['another model type', { model_type: 'llama' }, /model_type "llama" is not "mamba"/],
    ['another activation', { hidden_act: 'gelu' }, /hidden_act "gelu" is not supported/],
    [
      'a bad time_step_rank',
      { time_step_rank: 'big' },
      /"time_step_rank" must be "auto" or a positive integer, got "big"/,
    ],
    ['a zero vocabulary', { vocab_size: 0 }, /"vocab_size" must be a positive integer, got 0/],
    [
      'intermediate_size against expand',
      { hidden_size: 64, intermediate_size: 100 },
      /intermediate_size 100 disagrees with int\(expand \* hidden_size\) = 128/,
    ],
    ['a string boolean', { use_bias: 'yes' }, /"use_bias" must be true or false/],
    // 1e999 in a file reads as Infinity.
    ['an infinite expand', { expand: Infinity }, /expand \* hidden_size = Infinity is not a number of channels/],
    ['an expand past any array', { expand: 1e300 }, /expand \* hidden_size = .* is not a number of channels/],
    [
      'an infinite layer_norm_epsilon',
      { layer_norm_epsilon: Infinity },
      /"layer_norm_epsilon" must be a positive number, got Infinity/,
    ],
    ['a model_type whose own toString is no function', { model_type: { toString: 1 } }, /model_type \{"toString":1\}/],
    [
      'an activation nested deeper than JSON.stringify can write',
      { hidden_act: JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) },
      /hidden_act \[\.\.\.\] is not supported/,
    ],
  ];
  for (const [what, json, message] of bad) {
    it(`rejects ${what}`, () =>
      assert.throws(() => parseMambaConfig(json, 'cfg.json'), { name: 'ConfigError', message }));
  }
});

describe('Mamba parameters', () => {
  it('maps the fixture tensors, ties lm_head and writes back what it read', () => {
    const cfg = fixtureConfig(),
      tensors = fixtureTensors();
    const p = mambaParamsFromTensors(cfg, tensors, 'fixture');
    assert.equal(p.lmHead, p.embedding);
    assert.deepEqual(p.layers[1].convWeight.shape, [128, 4]);
    const back = mambaParamsToTensors(cfg, p);
    assert.deepEqual([...back.keys()].sort(), [...tensors.keys()].sort());
    for (const [name, t] of tensors) assert.deepEqual(back.get(name), t, name);
  });

  it("accepts mamba_ssm's backbone.embedding.weight", () => {
    const cfg = fixtureConfig(),
      tensors = fixtureTensors();
    const emb = tensors.get('backbone.embeddings.weight');
    tensors.delete('backbone.embeddings.weight');
    tensors.set('backbone.embedding.weight', emb as NonNullable<typeof emb>);
    assert.equal(mambaParamsFromTensors(cfg, tensors, 'fixture').embedding, emb);
  });

  it('needs lm_head.weight when the head is untied and stores it', () => {
    const cfg = { ...fixtureConfig(), tieWordEmbeddings: false };
    assert.throws(() => mambaParamsFromTensors(cfg, fixtureTensors(), 'dir'), {
      message: 'dir: missing tensor "lm_head.weight" (shape [16, 64])',
    });
    const p = randomMambaParams(cfg, new Rng(3));
    assert.notEqual(p.lmHead, p.embedding);
    assert.ok(mambaParamsToTensors(cfg, p).has('lm_head.weight'));
  });

  it('names a missing tensor, a wrong shape, an unexpected tensor and a bias the config turns off', () => {
    const cfg = fixtureConfig();
    let t = fixtureTensors();
    t.delete('backbone.layers.1.mixer.D');
    assert.throws(() => mambaParamsFromTensors(cfg, t, 'dir'), {
      name: 'WeightsError',
      message: 'dir: missing tensor "backbone.layers.1.mixer.D" (shape [128])',
    });
    t = fixtureTensors();
    t.set('backbone.layers.0.mixer.A_log', { shape: [128, 8], data: new Float32Array(1024) });
    assert.throws(() => mambaParamsFromTensors(cfg, t, 'dir'), {
      message: 'dir: tensor "backbone.layers.0.mixer.A_log" has shape [128, 8], config says [128, 16]',
    });
    t = fixtureTensors();
    t.set('backbone.layers.2.norm.weight', { shape: [64], data: new Float32Array(64) });
    assert.throws(() => mambaParamsFromTensors(cfg, t, 'dir'), {
      message: 'dir: unexpected tensor(s) for this config: backbone.layers.2.norm.weight',
    });
    t = fixtureTensors();
    t.set('backbone.layers.0.mixer.in_proj.bias', { shape: [256], data: new Float32Array(256) });
    assert.throws(() => mambaParamsFromTensors(cfg, t, 'dir'), {
      message: 'dir: tensor "backbone.layers.0.mixer.in_proj.bias" is present but the config turns it off',
    });
  });
});

describe('token id batches', () => {
  it('flattens a rectangular batch', () => {
    const b = tokenBatch(
      [
        [1, 2, 3],
        [4, 5, 0],
      ],
      6,
      'ids.json',
    );
    assert.deepEqual([b.batch, b.length, [...b.ids]], [2, 3, [1, 2, 3, 4, 5, 0]]);
  });
  const bad: [string, unknown, RegExp][] = [
    ['a flat array', [1, 2], /^ids\.json: expected a non-empty array of arrays of token ids \[batch\]\[length\]$/],
    ['an empty batch', [], /expected a non-empty array/],
    ['an empty row', [[]], /row 0 is empty/],
    ['ragged rows', [[1, 2], [3]], /row 1 has 1 ids, row 0 has 2/],
    [
      'an id out of range',
      [
        [1, 2],
        [3, 16],
      ],
      /^ids\.json: id 16 at \[1\]\[1\] is not an integer in the vocabulary \[0, 16\)$/,
    ],
    ['a negative id', [[-1]], /id -1 at \[0\]\[0\]/],
    ['a fractional id', [[0.5]], /id 0\.5 at \[0\]\[0\]/],
    ['a string id', [['7']], /id "7" at \[0\]\[0\]/],
  ];
  for (const [what, rows, message] of bad) {
    it(`rejects ${what}`, () =>
      assert.throws(() => tokenBatch(rows, 16, 'ids.json'), { name: 'TokenIdsError', message }));
  }
});
