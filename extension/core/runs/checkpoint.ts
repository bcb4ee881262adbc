// Checkpoints of a run: checkpoints/step-NNNNNNN/ holds a loadable model (model.safetensors,
// config.json, tokenizer.json (seqlab-dna, or seqlab-mulaw with its sample rate), training.json:
// what `seqlab eval` and the extension open), the AdamW moments
// (optimizer.safetensors) and trainer-state.json (step, tokens, time, RNG state, AdamW's step count), so a resumed
// run continues exactly. Each checkpoint is written into a temporary directory (every file
// fsynced), renamed into place (one of the same step is kept aside until then), and only then
// named by checkpoints/latest.json (replaced atomically); a crash at any point leaves the previous
// checkpoint loadable. A session prunes to the two newest of the checkpoints that are its to prune.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeSafetensors } from '../../../kernels/io/safetensors';
import { mambaConfigToJson, type MambaConfig } from '../../../kernels/model/config';
import { mambaParamsToTensors } from '../../../kernels/model/weights';
import { flatFromTensors, paramSpecs, tensorsFromFlat, type ParamSpec } from '../../../kernels/train/params';
import { DEFAULT_DT_INIT } from '../../../kernels/train/init';
import type { RngState } from '../../../kernels/train/rng';
import type { TrainerState } from '../../../kernels/train/trainer-state';
import { loadModelDir, readJsonFile, readSafetensorsFile } from '../models/load-model';
import { publishDirectory, writeFileAtomic, writeSynced } from './atomic-file';
import { JsonFields, RunFileError } from './json-fields';

/** Where a run stands: steps and tokens done, time spent, the data sampler's RNG. */
export interface RunProgress {
  step: number;
  tokens: number;
  elapsedSec: number;
  rng: RngState;
}

export interface CheckpointData {
  config: MambaConfig;
  configExtra: Record<string, unknown>; // init ranges etc., merged into config.json
  tokenizer: { type: string };
  /** What produced the weights (run, data, steps, validation loss): training.json. */
  training: Record<string, unknown>;
  specs: readonly ParamSpec[];
  trainer: TrainerState;
  progress: RunProgress;
}

const KEEP = 2;

/** config.json fields beyond the model's shape: how SeqLab initialised it (the dt range). */
export const CHECKPOINT_CONFIG_EXTRA: Record<string, unknown> = {
  time_step_min: DEFAULT_DT_INIT.dtMin,
  time_step_max: DEFAULT_DT_INIT.dtMax,
  time_step_floor: DEFAULT_DT_INIT.dtFloor,
  // The init did rescale out_proj; false tells transformers 5 not to do it again as it loads the weights.
  rescale_prenorm_residual: false,
};

export function checkpointsDir(runDir: string): string {
  return join(runDir, 'checkpoints');
}

function stepName(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
}

const STEP_NAME = /^step-(\d+)$/;

/** The step a checkpoint folder's name says, or undefined for any other name. */
function stepOfName(name: string): number | undefined {
  const m = STEP_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The checkpoint folders (step-N) under checkpoints/, newest step first. */
export async function checkpointFolders(runDir: string): Promise<{ name: string; step: number; dir: string }[]> {
  const root = checkpointsDir(runDir);
  const names = existsSync(root) ? await readdir(root) : [];
  return names
    .flatMap((name) => {
      const step = stepOfName(name);
      return step === undefined ? [] : [{ name, step, dir: join(root, name) }];
    })
    .sort((a, b) => b.step - a.step);
}

/** Test hook: milliseconds to pause after each file of a checkpoint, so a test can kill mid-write. */
function pauseMs(): number {
  return Number(process.env.SEQLAB_CHECKPOINT_PAUSE_MS ?? 0);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function writeCheckpoint(runDir: string, c: CheckpointData): Promise<string> {
  const root = checkpointsDir(runDir);
  await mkdir(root, { recursive: true });
  const { trainer, progress } = c;
  const name = stepName(progress.step),
    finalDir = join(root, name),
    tmpDir = join(root, `${name}.tmp`);
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir);
  const size = trainer.params.length;
  const files: [string, Uint8Array | string][] = [
    ['model.safetensors', writeSafetensors(tensorsFromFlat(c.specs, trainer.params), { format: 'pt' })],
    ['config.json', JSON.stringify({ ...mambaConfigToJson(c.config), ...c.configExtra }, null, 2) + '\n'],
    ['tokenizer.json', JSON.stringify(c.tokenizer, null, 2) + '\n'],
    [
      'training.json',
      JSON.stringify(
        { ...c.training, step: progress.step, tokens: progress.tokens, trainSeconds: Math.round(progress.elapsedSec) },
        null,
        2,
      ) + '\n',
    ],
    [
      'optimizer.safetensors',
      writeSafetensors(
        new Map([
          ['adam.m', { shape: [size], data: trainer.m }],
          ['adam.v', { shape: [size], data: trainer.v }],
        ]),
      ),
    ],
    ['trainer-state.json', JSON.stringify({ ...progress, adamT: trainer.t }, null, 2) + '\n'],
  ];
  for (const [file, data] of files) {
    await writeSynced(join(tmpDir, file), data);
    if (pauseMs() > 0) await pause(pauseMs());
  }
  await publishDirectory(tmpDir, finalDir);
  await writeFileAtomic(join(root, 'latest.json'), JSON.stringify({ checkpoint: name, step: progress.step }) + '\n');
  return finalDir;
}

/**
 * Keeps the KEEP newest of the checkpoints a session may remove: those up to the step it started
 * from, which its own supersede, and those it wrote. One newer than its start that it did not write
 * (a checkpoint latest.json lost track of, say) is never its to remove.
 */
export async function pruneCheckpoints(runDir: string, startStep: number, written: ReadonlySet<number>): Promise<void> {
  const prunable = (await checkpointFolders(runDir)).filter((f) => f.step <= startStep || written.has(f.step));
  for (const f of prunable.slice(KEEP)) await rm(f.dir, { recursive: true, force: true });
}

export interface LoadedCheckpoint {
  dir: string;
  config: MambaConfig;
  trainer: TrainerState;
  progress: RunProgress;
}

function latestPath(runDir: string): string {
  return join(checkpointsDir(runDir), 'latest.json');
}

/** checkpoints/latest.json, or undefined when the run has not written it; throws when it is unreadable. */
export async function readLatest(runDir: string): Promise<{ checkpoint: string; step: number } | undefined> {
  const path = latestPath(runDir);
  if (!existsSync(path)) return undefined;
  const f = new JsonFields(await readJsonFile(path), path);
  const checkpoint = f.str('checkpoint', 'a folder name step-N', STEP_NAME);
  const step = f.count('step');
  if (step !== stepOfName(checkpoint)) f.fail('step', `${stepOfName(checkpoint)}, the step checkpoint names`);
  return { checkpoint, step };
}

/** The checkpoint latest.json names, or undefined when the run has none yet. */
export async function latestCheckpointDir(runDir: string): Promise<string | undefined> {
  const latest = await readLatest(runDir);
  return latest && join(checkpointsDir(runDir), latest.checkpoint);
}

const CHECKPOINT_FILES = [
  'model.safetensors',
  'config.json',
  'tokenizer.json',
  'training.json',
  'optimizer.safetensors',
  'trainer-state.json',
];

/** trainer-state.json of the checkpoint at `step`: where the run stands and AdamW's step count. */
function parseTrainerState(raw: unknown, file: string, step: number): RunProgress & { adamT: number } {
  const f = new JsonFields(raw, file);
  if (f.count('step') !== step) f.fail('step', `${step}, the step of its folder`);
  // The generator's words, signed or unsigned as it left them (Rng.fromState reads either).
  const rng = f.check('rng', 'four 32-bit integers', (v): v is RngState => {
    return Array.isArray(v) && v.length === 4 && v.every((x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 32);
  });
  return {
    step,
    tokens: f.num('tokens', 'a non-negative number', 0),
    elapsedSec: f.num('elapsedSec', 'a non-negative number', 0),
    rng: [...rng],
    adamT: f.count('adamT'),
  };
}

/**
 * Loads a complete checkpoint, or throws saying why the folder is not one. A checkpoint folder
 * (step-N) is complete when all its six files are there and parse: config.json a Mamba config,
 * model.safetensors every weight of that config in the run's parameter layout (`specs`),
 * optimizer.safetensors adam.m and adam.v of the parameter count, trainer-state.json a trainer
 * state at step N, tokenizer.json and training.json JSON objects.
 */
export async function loadCheckpoint(dir: string, layout?: readonly ParamSpec[]): Promise<LoadedCheckpoint> {
  const step = stepOfName(basename(dir));
  if (step === undefined) throw new RunFileError(`${dir}: not a checkpoint folder (step-N)`);
  for (const file of CHECKPOINT_FILES)
    if (!existsSync(join(dir, file))) throw new RunFileError(`${join(dir, file)}: no such file`);
  // What `seqlab eval` and the extension read beside the model: each must be a JSON object.
  for (const file of ['tokenizer.json', 'training.json'])
    new JsonFields(await readJsonFile(join(dir, file)), join(dir, file));
  const model = await loadModelDir(dir);
  // Without the run's layout (an export reads the checkpoint alone), the layout its config implies.
  const specs = layout ?? paramSpecs(model.config);
  const params = flatFromTensors(
    specs,
    mambaParamsToTensors(model.config, model.params),
    join(dir, 'model.safetensors'),
  );
  const optPath = join(dir, 'optimizer.safetensors');
  const opt = (await readSafetensorsFile(optPath)).tensors;
  const m = opt.get('adam.m'),
    v = opt.get('adam.v');
  if (!m || !v || m.data.length !== params.length || v.data.length !== params.length)
    throw new Error(`${optPath}: AdamW moments missing or not of ${params.length} values`);
  const statePath = join(dir, 'trainer-state.json');
  const { adamT, ...progress } = parseTrainerState(await readJsonFile(statePath), statePath, step);
  return { dir, config: model.config, trainer: { params, m: m.data, v: v.data, t: adamT }, progress };
}
