// The model a run starts from (`seqlab train --init MODEL`, "Start from" in VS Code): a model
// folder, checkpoint or run folder (resolveModelOrigin, as export-hf reads it). run.json records
// the model folder and the SHA-256 of its model.safetensors, so a run that starts over (a resume
// before its first checkpoint) reads the same weights or refuses. The init fixes the run's size;
// its tokenizer must be the data's. Only the weights carry over: AdamW's moments start at zero.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MambaConfig } from '../../../kernels/model/config';
import { mambaParamsToTensors } from '../../../kernels/model/weights';
import { flatFromTensors, type ParamSpec } from '../../../kernels/train/params';
import { describeModel, type ModelDescription } from '../analysis/model-source';
import { loadModelDir } from '../models/load-model';
import { resolveModelOrigin } from './model-origin';
import type { ModelSize } from './presets';
import { sha256File, type DataKind, type TokenData } from './token-data';

/** run.json's `init`, and training.json's. */
export interface InitRecord {
  /** The model folder (absolute). */
  path: string;
  /** SHA-256 of its model.safetensors. */
  sha256: string;
}

export interface InitModel {
  record: InitRecord;
  description: ModelDescription;
  size: ModelSize;
}

// The sample model (a folder under samples/models/) a new run of each kind starts from when no
// init is named; none yet, so runs start from scratch.
const DEFAULT_INIT: Record<DataKind, string | undefined> = { dna: undefined, audio: undefined };

/** The model a new run on data of `kind` starts from by default, or undefined: from scratch. */
export function defaultInitFor(kind: DataKind): string | undefined {
  const name = DEFAULT_INIT[kind];
  return name === undefined ? undefined : sampleModelDir(name);
}

/** samples/models/NAME beside the code: the repository from source, the extension's folder from the .vsix. */
function sampleModelDir(name: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const path = join(dir, 'samples', 'models', name);
    if (existsSync(join(path, 'config.json'))) return path;
    if (dirname(dir) === dir) throw new Error(`samples/models/${name}: not found beside ${__dirname}`);
  }
}

function weightsFile(dir: string): string {
  return join(dir, 'model.safetensors');
}

/** What `path` names as an init: its model folder, the hash of its weights, its description and size. */
export async function resolveInit(path: string): Promise<InitModel> {
  const dir = resolve((await resolveModelOrigin(path)).modelDir);
  if (!existsSync(weightsFile(dir)))
    throw new Error(`${dir}: no model.safetensors (a sharded model cannot start a run; export it as one file)`);
  const description = await describeModel(dir);
  const c = description.config;
  return {
    record: { path: dir, sha256: await sha256File(weightsFile(dir)) },
    description,
    size: { dModel: c.hiddenSize, nLayer: c.numLayers, dState: c.stateSize },
  };
}

/** Refuses an init of another kind than the data (a DNA model for DNA data, an audio model for WAV). */
export function checkInitKind(init: ModelDescription, kind: DataKind): void {
  if (init.modality !== kind)
    throw new Error(`the init model ${init.dir} is ${MODEL_KIND[init.modality]}; the data is ${DATA_KIND[kind]}`);
}

const MODEL_KIND: Record<DataKind, string> = { dna: 'a DNA model', audio: 'an audio model' };
const DATA_KIND: Record<DataKind, string> = { dna: 'DNA (FASTA)', audio: 'audio (WAV)' };

/** Refuses an init whose tokens mean something else than the data's (another DNA vocabulary, another sample rate). */
function checkTokenizer(init: ModelDescription, data: TokenData): void {
  checkInitKind(init, data.kind);
  const mine = init.tokenizer ? JSON.stringify(init.tokenizer.toJSON()) : `mu-law at ${init.sampleRate} Hz`;
  const theirs =
    data.tokenizer.type === 'seqlab-mulaw'
      ? `mu-law at ${data.tokenizer.sampleRate} Hz`
      : JSON.stringify(data.tokenizer);
  if (mine !== theirs)
    throw new Error(`the init model ${init.dir}: its tokenizer (${mine}) is not the data's (${theirs})`);
}

/** Refuses an init whose config differs from the run's model in any field, naming both values. */
function checkConfig(init: ModelDescription, cfg: MambaConfig): void {
  for (const key of Object.keys(cfg) as (keyof MambaConfig)[])
    if (init.config[key] !== cfg[key])
      throw new Error(`the init model ${init.dir}: its ${key} is ${init.config[key]}, the run's model has ${cfg[key]}`);
}

/**
 * The init's weights in the run's flat layout, after checking that model.safetensors is the one
 * run.json recorded (by SHA-256), that it reads the data's tokens and that it has the run's shape.
 */
export async function loadInitParams(
  init: InitRecord,
  cfg: MambaConfig,
  specs: readonly ParamSpec[],
  data: TokenData,
): Promise<Float32Array> {
  const file = weightsFile(init.path);
  if (!existsSync(file)) throw new Error(`${file}: no such file; the run starts from it (run.json "init")`);
  const sha256 = await sha256File(file);
  if (sha256 !== init.sha256)
    throw new Error(
      `${file}: changed since the run was created (SHA-256 ${sha256.slice(0, 12)}…, run.json "init" says ${init.sha256.slice(0, 12)}…)`,
    );
  const description = await describeModel(init.path);
  checkTokenizer(description, data);
  checkConfig(description, cfg);
  const model = await loadModelDir(init.path);
  return flatFromTensors(specs, mambaParamsToTensors(model.config, model.params), file);
}
