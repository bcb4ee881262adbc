// Checkpoints of a run: checkpoints/step-NNNNNNN/ holds a loadable model (model.safetensors,
// config.json, tokenizer.json (seqlab-dna, or seqlab-mulaw with its sample rate), training.json:
// what `seqlab eval` and the extension open), the AdamW moments
// (optimizer.safetensors) and trainer-state.json (step, tokens, time, RNG state, AdamW's step count), so a resumed
// run continues exactly. Each checkpoint is written into a temporary directory (every file
// fsynced), renamed into place, and only then named by checkpoints/latest.json (replaced
// atomically); a crash at any point leaves the previous checkpoint loadable. The two newest
// checkpoints are kept.
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../../../kernels/io/safetensors';
import { mambaConfigToJson, type MambaConfig } from '../../../kernels/model/config';
import { mambaParamsToTensors } from '../../../kernels/model/weights';
import { flatFromTensors, tensorsFromFlat, type ParamSpec } from '../../../kernels/train/params';
import type { RngState } from '../../../kernels/train/rng';
import type { TrainerState } from '../../../kernels/train/trainer-state';
import { loadModelDir, readJsonFile } from '../models/load-model';
import { publishDirectory, writeFileAtomic, writeSynced } from './atomic-file';

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

export function checkpointsDir(runDir: string): string {
  return join(runDir, 'checkpoints');
}

function stepName(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
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
  const old = (await readdir(root)).filter((n) => /^step-\d+$/.test(n)).sort();
  for (const n of old.slice(0, Math.max(0, old.length - KEEP)))
    await rm(join(root, n), { recursive: true, force: true });
  return finalDir;
}

export interface LoadedCheckpoint {
  dir: string;
  config: MambaConfig;
  trainer: TrainerState;
  progress: RunProgress;
}

/** The checkpoint latest.json names, or undefined when the run has none yet. */
export async function latestCheckpointDir(runDir: string): Promise<string | undefined> {
  const root = checkpointsDir(runDir);
  const latest = await readJsonFile(join(root, 'latest.json')).catch(() => undefined);
  const name = (latest as { checkpoint?: unknown } | undefined)?.checkpoint;
  if (typeof name !== 'string' || !/^step-\d+$/.test(name)) return undefined;
  return join(root, name);
}

export async function loadCheckpoint(dir: string, specs: readonly ParamSpec[]): Promise<LoadedCheckpoint> {
  const model = await loadModelDir(dir);
  const params = flatFromTensors(
    specs,
    mambaParamsToTensors(model.config, model.params),
    join(dir, 'model.safetensors'),
  );
  const optPath = join(dir, 'optimizer.safetensors');
  const opt = readSafetensors(new Uint8Array(await readFile(optPath)), optPath).tensors;
  const m = opt.get('adam.m'),
    v = opt.get('adam.v');
  if (!m || !v || m.data.length !== params.length || v.data.length !== params.length)
    throw new Error(`${optPath}: AdamW moments missing or not of ${params.length} values`);
  const { adamT, ...progress } = (await readJsonFile(join(dir, 'trainer-state.json'))) as RunProgress & {
    adamT: number;
  };
  if (
    !Number.isInteger(progress.step) ||
    !Number.isInteger(adamT) ||
    !Array.isArray(progress.rng) ||
    progress.rng.length !== 4
  )
    throw new Error(`${join(dir, 'trainer-state.json')}: not a trainer state`);
  return { dir, config: model.config, trainer: { params, m: m.data, v: v.data, t: adamT }, progress };
}
