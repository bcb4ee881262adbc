// Hugging Face import and export: export then import gives back the same model (logits on the CPU
// engine, bit for bit) and the same tokenizer, through seqlab_tokenizer.json and through the
// Hugging Face tokenizer files alone, for the HF fixture and an odd config; shards, F16, BF16 and
// mamba_ssm's names and config import with the values the half dtypes hold; refusals name the
// field, file, tensor or token; --out is written whole or not at all, and only with --force over
// a model folder already there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type HostTensor, readSafetensors, writeSafetensors } from '../../kernels/io/safetensors';
import { parseMambaConfig } from '../../kernels/model/config';
import { mambaParamsFromTensors } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import { DnaTokenizer, type DnaTokenizerJson } from '../../extension/core/datasets/dna-tokenizer';
import { exportHfModel } from '../../extension/core/models/export-hf';
import { importHfModel } from '../../extension/core/models/import-hf';
import { loadModelDir, readSafetensorsFile } from '../../extension/core/models/load-model';
import { saveModelDir } from '../../extension/core/models/save-model';
import { randomMambaParams } from '../support/engine-suites';
import { ODD_CONFIG, ODD_VOCABULARY, writeOddModel } from '../support/odd-model';
import { HF_FIXTURE_DIR, fixtureJson } from '../support/hf-fixture';
import { bf16Bits, cpuLogits, f16Bits, type HalfDtype, rounded, writeShards } from '../support/hf-model-files';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

const CLI = join(__dirname, '..', '..', 'extension', 'core', 'cli', 'main.js');
const seqlab = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SEQLAB_DEBUG: '' } });
const IDS = fixtureJson<number[][]>('input_ids.json');
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8'));

async function logitsOf(dir: string, ids: number[][] = IDS): Promise<Float32Array> {
  const m = await loadModelDir(dir);
  return cpuLogits(m.config, m.params, ids);
}

function assertSameLogits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  const worst = got.reduce((w, x, i) => Math.max(w, Math.abs(x - want[i])), 0);
  assert.equal(worst, 0, `${what}: logits differ by up to ${worst}`);
}

const fixtureTensors = async (): Promise<Map<string, HostTensor>> =>
  (await readSafetensorsFile(join(HF_FIXTURE_DIR, 'model.safetensors'))).tensors;

/** A folder with the fixture's config (changed by `config`) and the tensors written by `write`. */
function hfFolder(
  root: string,
  name: string,
  write: (dir: string) => void,
  config: Record<string, unknown> = readJson(join(HF_FIXTURE_DIR, 'config.json')),
): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  write(dir);
  return dir;
}

describe('export then import', () => {
  it('gives back the HF fixture: its logits bit for bit, and the default DNA tokenizer both ways', async () => {
    const root = tempDir('hf-roundtrip');
    const out = join(root, 'exported');
    const { files } = await exportHfModel(HF_FIXTURE_DIR, out, false);
    assert.deepEqual(files, readdirSync(out).sort());
    const config = readJson(join(out, 'config.json'));
    for (const [key, value] of Object.entries({
      model_type: 'mamba',
      architectures: ['MambaForCausalLM'],
      vocab_size: 16,
      hidden_size: 64,
      state_size: 16,
      num_hidden_layers: 2,
      expand: 2,
      conv_kernel: 4,
      time_step_rank: 4,
      use_bias: false,
      use_conv_bias: true,
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: true,
      residual_in_fp32: true,
      pad_token_id: 0,
      bos_token_id: 8,
      eos_token_id: 9,
      time_step_scale: 1,
      time_step_init_scheme: 'random',
      rescale_prenorm_residual: false,
      torch_dtype: 'float32',
    }))
      assert.deepEqual(config[key], value, key);
    // transformers 5 checks float fields strictly: 1 must be written as 1.0.
    assert.match(readFileSync(join(out, 'config.json'), 'utf8'), /"time_step_scale": 1\.0,/);
    const weights = readSafetensors(readFileSync(join(out, 'model.safetensors')), 'exported');
    assert.deepEqual(weights.metadata, { format: 'pt' });
    assert.deepEqual(readJson(join(out, 'generation_config.json')), {
      _from_model_config: true,
      bos_token_id: 8,
      eos_token_id: 9,
      pad_token_id: 0,
    });
    assert.match(
      readFileSync(join(out, 'README.md'), 'utf8'),
      /^---\nlibrary_name: transformers\n[\s\S]*MambaForCausalLM/,
    );

    const want = await logitsOf(HF_FIXTURE_DIR);
    const back = join(root, 'imported');
    const r = await importHfModel(out, back, false);
    assert.equal(r.tokenizer.from, join(out, 'seqlab_tokenizer.json'));
    assertSameLogits(await logitsOf(back), want, 'export then import');
    assert.deepEqual(readJson(join(back, 'tokenizer.json')), DnaTokenizer.default().toJSON());

    // Without SeqLab's own file the Hugging Face tokenizer.json alone gives the same table.
    rmSync(join(out, 'seqlab_tokenizer.json'));
    const viaHf = join(root, 'via-hf-tokenizer');
    const r2 = await importHfModel(out, viaHf, false);
    assert.equal(r2.tokenizer.from, join(out, 'tokenizer.json'));
    assert.deepEqual(r2.notes, []);
    assert.deepEqual(readJson(join(viaHf, 'tokenizer.json')), DnaTokenizer.default().toJSON());
  });

  it('gives back an odd config (untied head, biases, no conv bias, rank 7) and its own 11-token vocabulary', async () => {
    const root = tempDir('hf-odd');
    const src = join(root, 'odd');
    const params = await writeOddModel(src);
    const [config, vocab] = [ODD_CONFIG, ODD_VOCABULARY];
    const ids = [
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 3, 2, 1],
      [4, 4, 3, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const want = await cpuLogits(config, params, ids);
    const out = join(root, 'exported');
    await exportHfModel(src, out, false);
    const exported = readJson(join(out, 'config.json'));
    assert.deepEqual(
      [exported.time_step_min, exported.time_step_scale, exported.time_step_max, exported.tie_word_embeddings],
      [0.002, 1.5, 0.1, false],
    );
    // transformers 5 would divide the loaded out_proj weights by sqrt(layers) were it true.
    assert.equal(exported.rescale_prenorm_residual, false);
    const direct = await importHfModel(src, join(root, 'direct'), false);
    assert.match(direct.notes[0], /^rescale_prenorm_residual is true: transformers 5 divides each out_proj weight/);
    assert.equal(readJson(join(root, 'direct', 'config.json')).rescale_prenorm_residual, false);
    assert.ok(readSafetensors(readFileSync(join(out, 'model.safetensors')), 'x').tensors.has('lm_head.weight'));
    const back = join(root, 'imported');
    await importHfModel(out, back, false);
    assertSameLogits(await logitsOf(back, ids), want, 'odd config');
    assert.deepEqual((await loadModelDir(back)).config, config);
    assert.deepEqual(readJson(join(back, 'tokenizer.json')), vocab);
    rmSync(join(out, 'seqlab_tokenizer.json'));
    await importHfModel(out, join(root, 'via-hf'), false);
    assert.deepEqual(readJson(join(root, 'via-hf', 'tokenizer.json')), vocab);
  });

  it('exports a run folder as its latest checkpoint, and refuses a non-integer expand', async () => {
    const root = tempDir('hf-export-run');
    const fasta = writeFasta(join(root, 'train.fa'), { one: randomBases(3000), two: randomBases(2000) });
    const run = join(root, 'tiny');
    let r = seqlab(
      'train',
      ...['--data', fasta, '--out', run, '--range', '0%-80%', '--steps', '6', '--checkpoint-every', '3'],
      ...['--d-model', '8', '--n-layer', '1', '--d-state', '4', '--batch', '2', '--length', '32', '--backend', 'cpu'],
    );
    assert.equal(r.status, 0, r.stderr);
    r = seqlab('export-hf', '--model', run, '--out', join(root, 'exported'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^exported run tiny, step-0000006 \(step 6\) -> /);
    assert.match(
      readFileSync(join(root, 'exported', 'README.md'), 'utf8'),
      /Trained with Mamba SeqLab \(run `tiny`, 6 steps, .*\) on `train\.fa` \(range 0%-80% of each file\)/,
    );
    await importHfModel(join(root, 'exported'), join(root, 'back'), false);
    const ids = [[1, 2, 3, 4, 5, 1, 2, 3]];
    const checkpoint = join(run, 'checkpoints', 'step-0000006');
    assertSameLogits(await logitsOf(join(root, 'back'), ids), await logitsOf(checkpoint, ids), 'run export');
    // A checkpoint's weights were rescaled at initialisation; transformers must not rescale them again.
    assert.equal(readJson(join(checkpoint, 'config.json')).rescale_prenorm_residual, false, 'as checkpoints say');
    assert.equal(readJson(join(root, 'exported', 'config.json')).rescale_prenorm_residual, false);

    const odd = join(root, 'expand');
    const cfg = parseMambaConfig({ vocab_size: 16, hidden_size: 8, num_hidden_layers: 1, expand: 1.5 }, 'x');
    await saveModelDir(odd, cfg, randomMambaParams(cfg, new Rng(1)));
    await assert.rejects(exportHfModel(odd, join(root, 'no'), false), {
      message: `${join(odd, 'config.json')}: "expand" 1.5 is not an integer, which transformers requires`,
    });
    assert.equal(existsSync(join(root, 'no')), false);
  });
});

describe('import of what Hugging Face writes', () => {
  /** One tensor value each half dtype rounds in a known way: 1/3 is 0x3555 in F16 and 0x3eab in BF16. */
  const THIRD = { F16: 0.333251953125, BF16: 0.333984375 };

  for (const dtype of ['F16', 'BF16'] as HalfDtype[]) {
    it(`reads ${dtype} weights, sharded, as the float32 values they hold`, async () => {
      const root = tempDir(`hf-${dtype}`);
      const tensors = await fixtureTensors();
      tensors.get('backbone.layers.0.mixer.D')!.data[0] = 1 / 3;
      const src = hfFolder(root, 'src', (dir) => assert.equal(writeShards(dir, tensors, dtype, 3).length, 3));
      const out = join(root, 'out');
      const r = await importHfModel(src, out, false);
      assert.equal(r.weightFiles, 3);
      const got = (await readSafetensorsFile(join(out, 'model.safetensors'))).tensors;
      assert.equal(got.get('backbone.layers.0.mixer.D')!.data[0], THIRD[dtype]);
      const halved = new Map([...tensors].map(([n, t]) => [n, { shape: t.shape, data: rounded(dtype, t.data) }]));
      for (const [name, t] of halved) assert.deepEqual(got.get(name)!.data, t.data, name);
      const config = (await loadModelDir(HF_FIXTURE_DIR)).config;
      const want = await cpuLogits(config, mambaParamsFromTensors(config, halved, 'halved'), IDS);
      assertSameLogits(await logitsOf(out), want, `${dtype} import`);
    });
  }

  it('rounds like torch: known half bit patterns', () => {
    assert.deepEqual([f16Bits(1 / 3), f16Bits(-2), f16Bits(65504), f16Bits(2 ** -24)], [0x3555, 0xc000, 0x7bff, 1]);
    assert.deepEqual([bf16Bits(1 / 3), bf16Bits(-2), bf16Bits(1 + 2 ** -8)], [0x3eab, 0xc000, 0x3f80]);
  });

  it("reads mamba_ssm's config and names (backbone.embedding, a stored tied lm_head, a padded vocabulary)", async () => {
    const root = tempDir('hf-mamba-ssm');
    const tensors = await fixtureTensors();
    const emb = tensors.get('backbone.embeddings.weight')!;
    tensors.delete('backbone.embeddings.weight');
    tensors.set('backbone.embedding.weight', emb);
    tensors.set('lm_head.weight', emb);
    const config = {
      d_model: 64,
      n_layer: 2,
      vocab_size: 13, // padded to a multiple of 8 by MambaLMHeadModel: 16 rows
      ssm_cfg: { d_state: 16, d_conv: 4, expand: 2, dt_rank: 'auto', dt_min: 0.001, layer: 'Mamba1' },
      rms_norm: true,
      residual_in_fp32: true,
      fused_add_norm: true,
      pad_vocab_size_multiple: 8,
      tie_embeddings: true,
    };
    const src = hfFolder(
      root,
      'src',
      (dir) => writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors)),
      config,
    );
    const out = join(root, 'out');
    const r = await importHfModel(src, out, false);
    assert.deepEqual([r.configLayout, r.parameterNames, r.config.vocabSize], ['mamba_ssm', 'mamba_ssm', 16]);
    assert.equal(readJson(join(out, 'config.json')).time_step_min, 0.001);
    assertSameLogits(await logitsOf(out), await logitsOf(HF_FIXTURE_DIR), 'mamba_ssm import');
  });
});

describe('character tokenizers map onto SeqLab DNA tokenizer over the model ids', () => {
  const hyena = { char_ords: [65, 67, 71, 84, 78], model_max_length: 1024 };
  const caduceus = {
    tokenizer_class: 'CaduceusTokenizer',
    characters: ['A', 'C', 'G', 'T', 'N'],
    complement_map: { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' },
    bos_token: '[BOS]',
    eos_token: '[SEP]',
    model_max_length: 131072,
  };
  const cases: [string, string, unknown, Partial<DnaTokenizerJson>, RegExp[]][] = [
    [
      "HyenaDNA's CharacterTokenizer (tokenizer_config.json char_ords)",
      'tokenizer_config.json',
      hyena,
      {
        special: { pad: 4, bos: 2, eos: 1, sep: 1, mask: 3 },
        complementPairs: [
          [7, 10],
          [8, 9],
        ],
      },
      [
        /^lowercase a c g t n: .* reads them as "\[UNK\]"$/,
        /^U R Y S W K M B D H V - \. are not in its vocabulary: read as "\[UNK\]" \(id 6\)/,
        /adds special tokens/,
      ],
    ],
    [
      'CaduceusTokenizer (characters, complement_map; uppercases)',
      'tokenizer_config.json',
      caduceus,
      {
        special: { pad: 7, bos: 5, eos: 2, sep: 2, mask: 6 },
        complementPairs: [
          [10, 13],
          [11, 12],
        ],
      },
      [/^U R Y S W K M B D H V - \. are not in its vocabulary: read as "\[UNK\]" \(id 9\)/, /adds special tokens/],
    ],
    [
      'vocab.txt with <...> specials, both cases of each base and no unknown token',
      'vocab.txt',
      '<pad>\n<s>\n</s>\n<mask>\nA\nC\nG\nT\nN\na\nc\ng\nt\nn\n',
      { special: { pad: 0, bos: 1, eos: 2, sep: 2, mask: 3 } },
      [
        ...[...'acgtn'].map(
          (c, i) => new RegExp(`^token "${c}" \\(id ${9 + i}\\) is never read: SeqLab reads either case`),
        ),
        /^U R Y S W K M B D H V - \. are not in its vocabulary and it has no unknown token: SeqLab refuses them/,
      ],
    ],
  ];
  for (const [what, file, content, expected, notes] of cases) {
    it(what, async () => {
      const root = tempDir('hf-chars');
      const src = hfFolder(root, 'src', (dir) => {
        copyFileSync(join(HF_FIXTURE_DIR, 'model.safetensors'), join(dir, 'model.safetensors'));
        writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
      });
      const r = await importHfModel(src, join(root, 'out'), false);
      const json = readJson(join(root, 'out', 'tokenizer.json')) as unknown as DnaTokenizerJson;
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual(json[key as keyof DnaTokenizerJson], value, key);
      const tokenizer = DnaTokenizer.fromJSON(json);
      const first = file === 'vocab.txt' ? 4 : json.special.mask === 6 ? 10 : 7;
      assert.deepEqual(
        [...tokenizer.encodeString('ACGTNacgtn')],
        [0, 1, 2, 3, 4, 0, 1, 2, 3, 4].map((i) => first + i),
      );
      assert.equal(json.tokens.length, 16, 'names for every id of the model');
      assert.equal(r.notes.length, notes.length, r.notes.join('\n'));
      notes.forEach((re, i) => assert.match(r.notes[i], re));
    });
  }
});

describe('refusals name what they refuse, and nothing is written', () => {
  const fixtureConfig = (): Record<string, unknown> => readJson(join(HF_FIXTURE_DIR, 'config.json'));
  const copyWeights = (dir: string) =>
    copyFileSync(join(HF_FIXTURE_DIR, 'model.safetensors'), join(dir, 'model.safetensors'));

  /** The import fails with a message that starts with `prefix`, and writes nothing anywhere. */
  async function refused(src: string, prefix: string): Promise<void> {
    const out = join(src, '..', 'out');
    await assert.rejects(importHfModel(src, out, false), (err: Error) => {
      assert.ok(err.message.startsWith(prefix), `${err.message}\ndoes not start with\n${prefix}`);
      return true;
    });
    assert.deepEqual(readdirSync(join(src, '..')), ['src'], 'no output folder, nothing beside it');
  }

  const configs: [string, Record<string, unknown>, string][] = [
    ['a Mamba-2 config', { model_type: 'mamba2' }, 'model_type "mamba2" (Mamba-2) is not supported'],
    ['quantised weights', { quantization_config: { load_in_8bit: true } }, '"quantization_config": quantised weights'],
    ['another head', { architectures: ['MambaModel'] }, 'architectures ["MambaModel"] has no MambaForCausalLM'],
    ['another activation', { hidden_act: 'gelu' }, 'hidden_act "gelu" is not supported'],
  ];
  for (const [what, change, message] of configs) {
    it(`refuses ${what}`, async () => {
      const src = hfFolder(tempDir('hf-refuse'), 'src', copyWeights, { ...fixtureConfig(), ...change });
      await refused(src, `${join(src, 'config.json')}: ${message}`);
    });
  }

  const mambaSsm: [string, Record<string, unknown>, string][] = [
    ['a Mamba2 layer', { ssm_cfg: { layer: 'Mamba2' } }, '"ssm_cfg.layer" "Mamba2" is not supported; only Mamba1 is'],
    ['a Mamba-2 setting', { ssm_cfg: { headdim: 64 } }, '"ssm_cfg.headdim" is not a Mamba1 setting (a Mamba-2 layer?)'],
    ['LayerNorm blocks', { rms_norm: false }, '"rms_norm" false (LayerNorm blocks) is not supported'],
    ['attention layers', { attn_layer_idx: [1] }, '"attn_layer_idx" [1] (attention layers) is not supported'],
    ['MLP blocks', { d_intermediate: 128 }, '"d_intermediate" 128 (an MLP after each mixer) is not supported'],
    [
      'a bad Δ rank, named as mamba_ssm names it',
      { ssm_cfg: { dt_rank: 0 } },
      '"ssm_cfg.dt_rank" must be "auto" or a positive integer, got 0',
    ],
  ];
  for (const [what, change, message] of mambaSsm) {
    it(`refuses a mamba_ssm config with ${what}`, async () => {
      const config = { d_model: 64, n_layer: 2, vocab_size: 16, ...change };
      const src = hfFolder(tempDir('hf-refuse'), 'src', copyWeights, config);
      await refused(src, `${join(src, 'config.json')}: ${message}`);
    });
  }

  it('names a missing shard with a tensor it holds, an F64 tensor and a wrong shape with their files', async () => {
    const tensors = await fixtureTensors();
    let src = hfFolder(tempDir('hf-refuse'), 'src', (dir) => rmSync(join(dir, writeShards(dir, tensors, 'F32', 2)[1])));
    const index = readJson(join(src, 'model.safetensors.index.json')).weight_map as Record<string, string>;
    const inSecond = Object.keys(index).filter((t) => index[t].startsWith('model-00002'));
    await refused(
      src,
      `${join(src, 'model-00002-of-00002.safetensors')}: no such file (model.safetensors.index.json puts "${inSecond[0]}" and ${inSecond.length - 1} more in it)`,
    );

    src = hfFolder(tempDir('hf-refuse'), 'src', (dir) => {
      const bytes = writeSafetensors(
        new Map([['backbone.norm_f.weight', { shape: [32], data: new Float32Array(32) }]]),
      );
      bytes.set(Buffer.from('"F64"'), Buffer.from(bytes).indexOf('"F32"'));
      writeFileSync(join(dir, 'model.safetensors'), bytes);
    });
    await refused(src, `${join(src, 'model.safetensors')}: tensor "backbone.norm_f.weight": unsupported dtype "F64"`);

    const wrong = new Map(tensors);
    wrong.set('backbone.layers.1.mixer.A_log', { shape: [128, 8], data: new Float32Array(1024) });
    src = hfFolder(tempDir('hf-refuse'), 'src', (dir) => writeShards(dir, wrong, 'BF16', 2));
    const shard = (readJson(join(src, 'model.safetensors.index.json')).weight_map as Record<string, string>)[
      'backbone.layers.1.mixer.A_log'
    ];
    await refused(
      src,
      `${join(src, shard)}: tensor "backbone.layers.1.mixer.A_log" has shape [128, 8], config says [128, 16]`,
    );
  });

  const tokenizers: [string, string, string, string][] = [
    [
      'a k-mer vocabulary',
      'vocab.json',
      JSON.stringify({ '[PAD]': 0, A: 1, C: 2, G: 3, T: 4, AC: 5 }),
      'token "AC" (id 5) is neither one character nor a special token; SeqLab reads DNA one base per token, so a k-mer or subword vocabulary cannot be mapped',
    ],
    [
      'a token past the model',
      'vocab.txt',
      ['[PAD]', 'A', 'C', 'G', 'T', ...Array.from({ length: 11 }, (_, i) => `[unused${i}]`), '[EXTRA]'].join('\n'),
      'token "[EXTRA]" has id 16, past the model\'s vocab_size 16',
    ],
    ['no bases', 'vocab.txt', '[PAD]\n[UNK]\nx\ny\n', 'no token reads the base "A": not a DNA tokenizer'],
    [
      'an unknown character tokenizer',
      'tokenizer_config.json',
      JSON.stringify({ tokenizer_class: 'MyTokenizer', characters: ['A'] }),
      'tokenizer_class "MyTokenizer" lists characters but keeps its ids in its code; SeqLab knows CharacterTokenizer and CaduceusTokenizer',
    ],
  ];
  for (const [what, file, content, message] of tokenizers) {
    it(`refuses ${what}, naming it`, async () => {
      const src = hfFolder(tempDir('hf-refuse'), 'src', (dir) => {
        copyWeights(dir);
        writeFileSync(join(dir, file), content);
      });
      await refused(src, `${join(src, file)}: ${message}`);
    });
  }
});

describe('seqlab import-hf and export-hf', () => {
  it('write --out whole and alone, keep an existing one without --force, replace only a model folder', () => {
    const root = tempDir('hf-cli');
    const out = join(root, 'imported');
    let r = seqlab('import-hf', HF_FIXTURE_DIR, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        `imported ${HF_FIXTURE_DIR} (transformers config, transformers parameter names; 2 layers, d_model 64, vocab 16) -> ${out}`,
        'weights: 22 tensors from 1 file(s), written as float32',
        'tokenizer: none, a raw-id model: the notebook reads it with the default DNA vocabulary (dna-vocabulary.md): check that its ids mean the same',
        '',
      ].join('\n'),
    );
    assert.deepEqual(readdirSync(root), ['imported']);
    assert.deepEqual(readdirSync(out).sort(), ['config.json', 'model.safetensors', 'training.json']);
    const before = readFileSync(join(out, 'training.json'), 'utf8');

    r = seqlab('import-hf', HF_FIXTURE_DIR, '--out', out);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `seqlab: ${out} exists; --force replaces it`);
    assert.equal(readFileSync(join(out, 'training.json'), 'utf8'), before);

    const exported = join(root, 'exported');
    r = seqlab('export-hf', '--model', out, '--out', exported);
    assert.equal(r.status, 0, r.stderr);
    r = seqlab('import-hf', exported, '--out', out, '--force');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /tokenizer: .*seqlab_tokenizer\.json: SeqLab's own \(seqlab-dna\)/);
    assert.deepEqual(readdirSync(out).sort(), ['config.json', 'model.safetensors', 'tokenizer.json', 'training.json']);
    assert.deepEqual(readdirSync(root).sort(), ['exported', 'imported']);

    const notModel = join(root, 'notes');
    mkdirSync(notModel);
    writeFileSync(join(notModel, 'keep.txt'), 'mine');
    r = seqlab('import-hf', HF_FIXTURE_DIR, '--out', notModel, '--force');
    assert.equal(r.stderr.trim(), `seqlab: ${notModel} is not a model folder (no config.json), so it is not replaced`);
    r = seqlab('import-hf', exported, '--out', exported, '--force');
    assert.equal(
      r.stderr.trim(),
      `seqlab: ${exported} holds the model being read (${exported}); choose another folder`,
    );
    assert.deepEqual(readdirSync(notModel), ['keep.txt']);
    assert.deepEqual(readdirSync(root).sort(), ['exported', 'imported', 'notes']);
  });
});
