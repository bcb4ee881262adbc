// Import of a Hugging Face Mamba-1 model folder (config.json with model.safetensors, or shards
// under model.safetensors.index.json; F32, F16 or BF16; transformers' or mamba_ssm's config and
// parameter names) as a SeqLab model folder: config.json, a float32 model.safetensors, the
// tokenizer mapped onto SeqLab's (hf-tokenizer-import.ts; none: raw ids) and a training.json that
// records where the weights came from (so the folder counts as trained). Everything is read and
// checked before anything is written, and written only into the output folder.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MambaConfig } from '../../../kernels/model/config';
import { mambaParamsFromTensors } from '../../../kernels/model/weights';
import { describeModel } from '../analysis/model-source';
import { readHfConfig, TRAINED_WEIGHTS } from './hf-config';
import { type ImportedTokenizer, importTokenizer } from './hf-tokenizer-import';
import { readJsonFile, readModelTensors } from './load-model';
import { writeModelFolder } from './model-output-dir';
import { saveModelDir } from './save-model';

/** Where the extension imports models to, in a workspace folder (the Models view lists them). */
export const WORKSPACE_MODELS_DIR = join('.seqlab', 'models');

export interface ImportResult {
  readonly config: MambaConfig;
  readonly configLayout: 'transformers' | 'mamba_ssm';
  /** Whose parameter names the weights used (mamba_ssm: backbone.embedding). */
  readonly parameterNames: 'transformers' | 'mamba_ssm';
  readonly tensors: number;
  readonly weightFiles: number;
  readonly tokenizer: ImportedTokenizer;
  /** How SeqLab reads a model without a tokenizer (raw ids only). */
  readonly rawIds: string | undefined;
  /** Where SeqLab's model differs from what the source gives elsewhere. */
  readonly notes: string[];
}

/** What SeqLab makes of a folder without a tokenizer, from how it describes it. */
async function rawIdReading(dir: string): Promise<string> {
  try {
    const d = await describeModel(dir);
    return d.modality === 'audio'
      ? `the notebook hears it as 8-bit mu-law audio at ${d.sampleRate} Hz`
      : 'the notebook reads it with the default DNA vocabulary (dna-vocabulary.md): check that its ids mean the same';
  } catch (err) {
    return `only seqlab logits and generate on token ids run it (${(err as Error).message.replace(`${dir}: `, '')})`;
  }
}

export async function importHfModel(src: string, out: string, force: boolean): Promise<ImportResult> {
  const configPath = join(src, 'config.json');
  const hf = readHfConfig(await readJsonFile(configPath), configPath);
  const { tensors, fileOf } = await readModelTensors(src);
  const params = mambaParamsFromTensors(hf.config, tensors, fileOf);
  const tokenizer = await importTokenizer(src, hf.config.vocabSize);
  const parameterNames = tensors.has('backbone.embedding.weight') ? 'mamba_ssm' : 'transformers';
  let rawIds: string | undefined;
  await writeModelFolder(out, { force, source: src }, async (dir) => {
    await saveModelDir(dir, hf.config, params, { ...hf.init, ...TRAINED_WEIGHTS });
    if (tokenizer.json) await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.json, null, 2) + '\n');
    const record = {
      origin: 'hugging-face-import',
      source: resolve(src),
      configLayout: hf.layout,
      parameterNames,
      tokenizer: tokenizer.from ?? null,
      importedAt: new Date().toISOString(),
    };
    await writeFile(join(dir, 'training.json'), JSON.stringify(record, null, 2) + '\n');
    // The folder as SeqLab will open it: a tokenizer it cannot use fails the import here.
    if (tokenizer.json) await describeModel(dir);
    else rawIds = await rawIdReading(dir);
  });
  return {
    config: hf.config,
    configLayout: hf.layout,
    parameterNames,
    tensors: tensors.size,
    weightFiles: new Set([...tensors.keys()].map(fileOf)).size,
    tokenizer,
    rawIds,
    notes: [
      ...(hf.init.rescale_prenorm_residual === true
        ? [
            'rescale_prenorm_residual is true: transformers 5 divides each out_proj weight by sqrt(num_hidden_layers) as it loads that folder (an initialisation step); SeqLab runs the weights as stored, as mamba_ssm does, and the imported config.json says false',
          ]
        : []),
      ...tokenizer.notes,
    ],
  };
}
