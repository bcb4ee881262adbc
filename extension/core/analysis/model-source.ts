// A model folder as the notebook uses it: config.json + weights (read once, checked by name and
// shape, in model-cache.ts), its tokenizer, its modality and whether it was trained, and the bytes
// the engine webview receives. A folder describes itself with:
//   tokenizer.json  {type: "seqlab-dna", ...}  -> a DNA model reading with that vocabulary;
//   tokenizer.json  {type: "seqlab-mulaw", ...} -> an audio model over 8-bit mu-law samples at its
//                                                 sampleRate (what training runs save);
//   no tokenizer.json and vocab_size 256       -> an audio model over 8-bit mu-law at 16 kHz;
//   no tokenizer.json and a smaller vocabulary -> DNA with the default vocabulary (HF checkpoints);
//   training.json present                      -> trained (written by a training run); otherwise the
//                                                 pane says the numbers are not meaningful.
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { mambaConfigToJson, parseMambaConfig, type MambaConfig } from '../../../kernels/model/config';
import { DnaTokenizer } from '../datasets/dna-tokenizer';
import { MULAW_TOKENS } from '../datasets/mulaw';
import { readJsonFile } from '../models/load-model';
import { modelCache } from './model-cache';
import type { Modality, ModelInfo } from '../../../protocol/notebook-output';
import { AUDIO_MODEL_RATE } from '../runs/token-data';

export interface ModelDescription {
  dir: string;
  name: string;
  modality: Modality;
  trained: boolean;
  config: MambaConfig;
  /** The DNA tokenizer (DNA models only). */ tokenizer: DnaTokenizer | undefined;
  /** The rate (Hz) an audio model hears; WAV files are resampled to it (audio models only). */ sampleRate:
    number | undefined;
}

/** The sample rate of a seqlab-mulaw tokenizer.json, checked against the model. */
function mulawRate(json: Record<string, unknown>, path: string, vocabSize: number): number {
  if (json.version !== 1) throw new Error(`${path}: unsupported seqlab-mulaw version ${String(json.version)}`);
  if (json.tokens !== MULAW_TOKENS || vocabSize < MULAW_TOKENS) {
    throw new Error(
      `${path}: mu-law needs ${MULAW_TOKENS} tokens; the tokenizer says ${String(json.tokens)}, the model has ${vocabSize}`,
    );
  }
  const rate = json.sampleRate;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1000 || rate > 384_000)
    throw new Error(
      `${path}: sampleRate must be a whole number of Hz from 1000 to 384000, got ${JSON.stringify(rate)}`,
    );
  return rate;
}

export interface ModelSource extends ModelDescription {
  /** Changes when the folder's files change: the engine caches models by it. */ key: string;
  configJson: Record<string, unknown>;
  /** One safetensors file of every parameter, as stored (model-cache.ts): do not modify. */ weights: Uint8Array;
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/** Reads what a folder says about its model (config, tokenizer, training record) without its weights. */
export async function describeModel(dir: string): Promise<ModelDescription> {
  const configPath = join(dir, 'config.json');
  const config = parseMambaConfig(await readJsonFile(configPath), configPath);
  // A folder exported for Hugging Face keeps SeqLab's own tokenizer beside the HF tokenizer.json.
  const seqlabTokenizerPath = join(dir, 'seqlab_tokenizer.json');
  const tokenizerPath = (await exists(seqlabTokenizerPath)) ? seqlabTokenizerPath : join(dir, 'tokenizer.json');
  let tokenizer: DnaTokenizer | undefined;
  let sampleRate: number | undefined;
  let modality: Modality;
  const tokenizerJson = (await exists(tokenizerPath)) ? await readJsonFile(tokenizerPath) : undefined;
  if (tokenizerJson !== undefined && (tokenizerJson as { type?: unknown } | null)?.type === 'seqlab-mulaw') {
    sampleRate = mulawRate(tokenizerJson as Record<string, unknown>, tokenizerPath, config.vocabSize);
    modality = 'audio';
  } else if (tokenizerJson !== undefined) {
    tokenizer = DnaTokenizer.fromJSON(tokenizerJson, tokenizerPath);
    modality = 'dna';
  } else if (config.vocabSize === MULAW_TOKENS) {
    sampleRate = AUDIO_MODEL_RATE;
    modality = 'audio';
  } else {
    tokenizer = DnaTokenizer.default();
    modality = 'dna';
  }
  if (tokenizer && tokenizer.vocabSize > config.vocabSize) {
    throw new Error(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens, the model only ${config.vocabSize}`);
  }
  return {
    dir,
    name: basename(dir),
    modality,
    trained: await exists(join(dir, 'training.json')),
    config,
    tokenizer,
    sampleRate,
  };
}

/** Everything the engine needs to run the model in `dir`; the weights are read once while the files stay the same. */
export async function readModelSource(dir: string): Promise<ModelSource> {
  const description = await describeModel(dir);
  const { key, bytes } = await modelCache.weights(dir, description.config);
  return { ...description, key, configJson: mambaConfigToJson(description.config), weights: bytes };
}

export function modelInfo(m: ModelDescription, shownPath: string): ModelInfo {
  return {
    name: m.name,
    path: shownPath,
    modality: m.modality,
    vocabSize: m.config.vocabSize,
    layers: m.config.numLayers,
    dModel: m.config.hiddenSize,
    dState: m.config.stateSize,
    trained: m.trained,
  };
}
