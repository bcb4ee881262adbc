// Export of a SeqLab model folder, checkpoint or run folder (its latest checkpoint) as a folder
// that transformers' MambaForCausalLM.from_pretrained loads: config.json with every MambaConfig
// field (hf-config.ts), a float32 model.safetensors (metadata format pt), generation_config.json,
// for a DNA model the tokenizer files (hf-tokenizer-export.ts), seqlab_tokenizer.json (the
// model's own tokenizer, so an import restores it exactly) and a README.md model card.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MambaParams } from '../../../kernels/model/weights';
import type { HostTensor } from '../../../kernels/io/safetensors';
import { describeModel } from '../analysis/model-source';
import type { DnaTokenizerJson } from '../datasets/dna-tokenizer';
import { MULAW_TOKENS } from '../datasets/mulaw';
import { type ModelOrigin, resolveModelOrigin } from '../runs/model-origin';
import type { MulawTokenizerJson } from '../runs/token-data';
import { hfExportFields, readHfConfig } from './hf-config';
import { modelCard } from './hf-model-card';
import { hfTokenizerFiles } from './hf-tokenizer-export';
import { SEQLAB_TOKENIZER_FILE } from './hf-tokenizer-import';
import { loadModelDir, readJsonFile } from './load-model';
import { writeModelFolder } from './model-output-dir';
import { saveModelDir } from './save-model';

export interface ExportResult {
  readonly origin: ModelOrigin;
  readonly files: string[];
}

const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

function parameterCount(params: MambaParams<HostTensor>): number {
  const all = [params.embedding, params.normF, ...params.layers.flatMap((l) => Object.values(l) as HostTensor[])];
  if (params.lmHead !== params.embedding) all.push(params.lmHead);
  return all.reduce((n, t) => n + t.data.length, 0);
}

export async function exportHfModel(modelPath: string, out: string, force: boolean): Promise<ExportResult> {
  const origin = await resolveModelOrigin(modelPath);
  const dir = origin.modelDir;
  const description = await describeModel(dir);
  const { config, params } = await loadModelDir(dir);
  const configPath = join(dir, 'config.json');
  const { init } = readHfConfig(await readJsonFile(configPath), configPath);
  const dna = description.tokenizer?.toJSON();
  const ids = dna
    ? { pad: dna.special.pad, bos: dna.special.bos, eos: dna.special.eos }
    : { pad: null, bos: null, eos: null };
  const fields = hfExportFields(config, init, ids, configPath);
  const own: DnaTokenizerJson | MulawTokenizerJson = dna ?? {
    type: 'seqlab-mulaw',
    version: 1,
    tokens: MULAW_TOKENS,
    sampleRate: description.sampleRate ?? 0,
    channels: 'mix',
  };
  const trainingPath = join(dir, 'training.json');
  const record = existsSync(trainingPath) ? await readJsonFile(trainingPath) : undefined;
  const training = typeof record === 'object' && record !== null ? (record as Record<string, unknown>) : undefined;
  const files: Record<string, string> = {
    'generation_config.json': json({
      _from_model_config: true,
      ...Object.fromEntries(
        Object.entries({ bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: ids.pad }).filter(
          ([, v]) => v !== null,
        ),
      ),
    }),
    [SEQLAB_TOKENIZER_FILE]: json(own),
    'README.md': modelCard({
      name: origin.run ? `${origin.run.name} (${origin.run.checkpoint})` : basename(dir),
      config,
      parameters: parameterCount(params),
      dna,
      sampleRate: description.sampleRate,
      training,
    }),
  };
  if (dna) for (const [name, content] of Object.entries(hfTokenizerFiles(dna))) files[name] = json(content);
  await writeModelFolder(out, { force, source: dir }, async (tmp) => {
    await saveModelDir(tmp, config, params, fields);
    for (const [name, content] of Object.entries(files)) await writeFile(join(tmp, name), content);
  });
  return { origin, files: ['config.json', 'model.safetensors', ...Object.keys(files)].sort() };
}
