// What a path given as a model names, and what the weights were trained on: a run folder (from
// `seqlab train --out`) stands for the checkpoint its checkpoints/latest.json names, with the data
// and range of its run.json and the hashes of its manifest.json; a model folder stands for itself,
// with the data and range its training.json records when it came from a run. `seqlab eval` takes
// its defaults (data, held-out range, the Markov baseline's training range) from here.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonFile } from '../models/load-model';
import { latestCheckpointDir } from './checkpoint';
import { parseRangeText, type DataRange } from './data-range';
import { readManifest, readRunSpec, runFiles } from './run-dir';
import type { ManifestEntry } from './token-data';

export interface TrainingRecord {
  /** The data files, as the run saw them (absolute paths). */
  data: string[];
  range: DataRange;
  /** SHA-256 of each file when the run started, by path. */
  sha256: Map<string, string>;
  /** The file these come from, for messages. */
  source: string;
}

export interface ModelOrigin {
  /** The model folder to load. */
  modelDir: string;
  /** Set when the path was a run folder: its name and the checkpoint in use. */
  run?: { dir: string; name: string; checkpoint: string; step: number };
  /** Set when the run or the model folder records what the weights were trained on. */
  training?: TrainingRecord;
}

export async function resolveModelOrigin(path: string): Promise<ModelOrigin> {
  if (existsSync(runFiles(path).spec)) return runOrigin(path);
  if (!existsSync(join(path, 'config.json')))
    throw new Error(`${path}: neither a model folder (config.json) nor a run folder (run.json)`);
  return { modelDir: path, training: await modelTraining(path) };
}

async function runOrigin(runDir: string): Promise<ModelOrigin> {
  const checkpoint = await latestCheckpointDir(runDir);
  if (!checkpoint)
    throw new Error(`${runDir}: the run has no checkpoint yet (checkpoints/latest.json names none); train it longer`);
  const spec = await readRunSpec(runDir);
  const manifest = await readManifest(runDir);
  return {
    modelDir: checkpoint,
    run: { dir: runDir, name: spec.name, checkpoint: basename(checkpoint), step: await checkpointStep(checkpoint) },
    training: {
      data: spec.data,
      range: spec.range,
      sha256: new Map(manifest.map((e) => [e.path, e.sha256])),
      source: runFiles(runDir).spec,
    },
  };
}

/** The step training.json records; a checkpoint always has one. */
async function checkpointStep(dir: string): Promise<number> {
  const path = join(dir, 'training.json');
  const step = ((await readJsonFile(path)) as { step?: unknown }).step;
  if (!Number.isInteger(step)) throw new Error(`${path}: no "step"`);
  return step as number;
}

/** What a model folder's training.json says it was trained on; undefined for models from elsewhere. */
async function modelTraining(dir: string): Promise<TrainingRecord | undefined> {
  const path = join(dir, 'training.json');
  if (!existsSync(path)) return undefined;
  const t = (await readJsonFile(path)) as { data?: unknown; range?: unknown };
  if (!Array.isArray(t.data) || typeof t.range !== 'string') return undefined;
  const entries = t.data as Partial<ManifestEntry>[];
  if (!entries.every((e) => typeof e.path === 'string' && typeof e.sha256 === 'string'))
    throw new Error(`${path}: "data" must list {path, sha256} entries`);
  return {
    data: entries.map((e) => e.path!),
    range: parseRangeText(t.range, `${path} "range"`),
    sha256: new Map(entries.map((e) => [e.path!, e.sha256!])),
    source: path,
  };
}
