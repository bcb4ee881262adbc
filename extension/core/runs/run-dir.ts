// A training run's directory, .seqlab/runs/NAME/ in the workspace:
//   run.json        what was asked for (data, range, sizes, hyperparameters, budget, backend, and
//                   the model it starts from, if any: init-model.ts)
//   manifest.json   the data files with size and SHA-256, checked again on resume
//   metrics.jsonl   one JSON object per line: training loss every few steps, validation loss
//   status.json     running | finished | cancelled | failed | interrupted, with the step and a message
//   checkpoints/    see checkpoint.ts
// Each JSON file is checked field by field when read back (json-fields.ts); metrics.jsonl is read
// by metrics-reader.ts, and lines that are not records are kept when a resume drops its stale records.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendChoice } from '../../../kernels/backend';
import { readJsonFile } from '../models/load-model';
import { writeFileAtomic } from './atomic-file';
import type { DataRange } from './data-range';
import type { InitRecord } from './init-model';
import { JsonFields } from './json-fields';
import { PRESETS, type PresetName, type ModelSize, type TrainHyper } from './presets';
import type { ManifestEntry } from './token-data';
import { parseMetricLine, readMetricsFile } from './metrics-reader';
import type { MetricRecord } from '../../../protocol/training-messages';

export type { MetricRecord } from '../../../protocol/training-messages';

export interface Budget {
  steps?: number;
  minutes?: number;
}

export interface RunSpec {
  name: string;
  data: string[];
  range: DataRange;
  preset?: PresetName;
  size: ModelSize;
  hyper: TrainHyper;
  budget: Budget;
  backend: BackendChoice;
  /** The model whose weights the run starts from; absent: from scratch. */
  init?: InitRecord;
}

const RUN_STATES = ['running', 'finished', 'cancelled', 'failed', 'interrupted'] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface RunStatus {
  state: RunState;
  step: number;
  updated: string;
  message?: string;
  pid?: number;
}

export const RUNS_DIR = join('.seqlab', 'runs');

const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RUN_NAME_RULE = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

export function checkRunName(name: string): string {
  if (!RUN_NAME.test(name)) throw new Error(`run name "${name}" must be ${RUN_NAME_RULE}`);
  return name;
}

export function runFiles(runDir: string) {
  return {
    spec: join(runDir, 'run.json'),
    manifest: join(runDir, 'manifest.json'),
    metrics: join(runDir, 'metrics.jsonl'),
    status: join(runDir, 'status.json'),
  };
}

function parseRange(f: JsonFields): DataRange {
  const startPct = f.num('startPct', 'a percentage from 0 to 100', 0, 100),
    endPct = f.num('endPct', 'a percentage from 0 to 100', 0, 100);
  if (startPct >= endPct) f.fail('startPct', `less than range.endPct (${endPct})`);
  const records = f.has('records')
    ? f.strings('records', 'a non-empty list of record names (one word each)', /^\S+$/, true)
    : undefined;
  return { startPct, endPct, ...(records ? { records } : {}) };
}

function parseHyper(f: JsonFields): TrainHyper {
  return {
    batch: f.positiveInt('batch'),
    length: f.positiveInt('length'),
    lr: f.num('lr', 'a positive number', 0, Infinity, true),
    minLrRatio: f.num('minLrRatio', 'a number from 0 to 1', 0, 1),
    warmupSteps: f.count('warmupSteps'),
    weightDecay: f.num('weightDecay', 'a non-negative number', 0),
    clip: f.num('clip', 'a positive number', 0, Infinity, true),
    valFraction: f.check('valFraction', 'a number between 0 and 1, both excluded', (v): v is number => {
      return typeof v === 'number' && v > 0 && v < 1;
    }),
    valWindows: f.count('valWindows'),
    evalEvery: f.positiveInt('evalEvery'),
    checkpointEvery: f.positiveInt('checkpointEvery'),
    seed: f.int('seed'),
  };
}

/** Exactly one of steps and minutes: a budget of neither would train forever. */
function parseBudget(run: JsonFields): Budget {
  const f = run.object('budget');
  const rule = '{"steps": N} (a positive integer) or {"minutes": M} (a positive number)';
  if (f.has('steps') === f.has('minutes')) run.fail('budget', f.has('steps') ? `${rule}, not both` : rule);
  return f.has('steps')
    ? { steps: f.positiveInt('steps') }
    : { minutes: f.num('minutes', 'a positive number', 0, Infinity, true) };
}

function parseInit(f: JsonFields): InitRecord {
  return {
    path: f.str('path', 'a model folder', /./),
    sha256: f.str('sha256', 'a SHA-256 in hex', /^[0-9a-f]{64}$/),
  };
}

/** run.json checked field by field (`file` names it in errors); also what createRun writes. */
export function parseRunSpec(raw: unknown, file: string): RunSpec {
  const f = new JsonFields(raw, file);
  const size = f.object('size');
  return {
    name: f.str('name', `a run name (${RUN_NAME_RULE})`, RUN_NAME),
    data: f.strings('data', 'a non-empty list of file paths', /./, true),
    range: parseRange(f.object('range')),
    ...(f.has('preset') ? { preset: f.oneOf('preset', Object.keys(PRESETS) as PresetName[]) } : {}),
    size: {
      dModel: size.positiveInt('dModel'),
      nLayer: size.positiveInt('nLayer'),
      dState: size.positiveInt('dState'),
    },
    hyper: parseHyper(f.object('hyper')),
    budget: parseBudget(f),
    backend: f.oneOf('backend', ['auto', 'webgpu', 'cpu'] as const),
    ...(f.has('init') ? { init: parseInit(f.object('init')) } : {}),
  };
}

export async function readRunSpec(runDir: string): Promise<RunSpec> {
  const path = runFiles(runDir).spec;
  return parseRunSpec(await readJsonFile(path), path);
}

function parseRunStatus(raw: unknown, file: string): RunStatus {
  const f = new JsonFields(raw, file);
  return {
    state: f.oneOf('state', RUN_STATES),
    step: f.count('step'),
    updated: f.str('updated'),
    ...(f.has('message') ? { message: f.str('message') } : {}),
    ...(f.has('pid') ? { pid: f.positiveInt('pid') } : {}),
  };
}

/** status.json, or undefined for a run that has not started yet. */
export async function readStatus(runDir: string): Promise<RunStatus | undefined> {
  const path = runFiles(runDir).status;
  return existsSync(path) ? parseRunStatus(await readJsonFile(path), path) : undefined;
}

export async function writeStatus(runDir: string, state: RunState, step: number, message?: string): Promise<void> {
  const s: RunStatus = {
    state,
    step,
    updated: new Date().toISOString(),
    pid: process.pid,
    ...(message ? { message } : {}),
  };
  await writeFileAtomic(runFiles(runDir).status, JSON.stringify(s) + '\n');
}

async function metricsText(runDir: string): Promise<string | undefined> {
  return readFile(runFiles(runDir).metrics, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/** Every metric record of a run, read in chunks (metrics-reader.ts). */
export function readMetrics(runDir: string): Promise<MetricRecord[]> {
  return readMetricsFile(runFiles(runDir).metrics);
}

/**
 * Drops the records from step `first` on, which a run starting again from step `first - 1` records
 * anew; every other line, a torn one or one the run did not write included, is kept as it was.
 */
export async function dropMetricsFrom(runDir: string, first: number): Promise<void> {
  const text = await metricsText(runDir);
  if (text === undefined) return;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kept = lines.filter((line) => {
    const step = parseMetricLine(line)?.step;
    return step === undefined || step < first;
  });
  // Rewritten also when a torn last line lacks its newline, so the next record starts a line.
  const out = kept.map((line) => line + '\n').join('');
  if (out !== text) await writeFileAtomic(runFiles(runDir).metrics, out);
}

export async function appendMetric(runDir: string, m: MetricRecord): Promise<void> {
  await writeFile(runFiles(runDir).metrics, JSON.stringify(m) + '\n', { flag: 'a' });
}

export async function writeManifest(runDir: string, entries: readonly ManifestEntry[]): Promise<void> {
  await writeFileAtomic(runFiles(runDir).manifest, JSON.stringify({ files: entries }, null, 2) + '\n');
}

export async function readManifest(runDir: string): Promise<ManifestEntry[]> {
  const path = runFiles(runDir).manifest;
  return new JsonFields(await readJsonFile(path), path).objects('files', (e) => ({
    path: e.str('path', 'a file path', /./),
    bytes: e.count('bytes'),
    sha256: e.str('sha256', 'a SHA-256 in hex', /^[0-9a-f]{64}$/),
    kind: e.oneOf('kind', ['dna', 'audio'] as const),
    totalTokens: e.count('totalTokens'),
    rangeTokens: e.count('rangeTokens'),
  }));
}

/** Throws when a data file changed since the run started (a resumed run must see the same data). */
export async function checkManifest(runDir: string, entries: readonly ManifestEntry[]): Promise<void> {
  const saved = await readManifest(runDir);
  for (const e of entries) {
    const before = saved.find((s) => s.path === e.path);
    if (!before) throw new Error(`${e.path}: not in the run's manifest ${runFiles(runDir).manifest}`);
    if (before.sha256 !== e.sha256)
      throw new Error(
        `${e.path}: changed since the run started (SHA-256 ${e.sha256.slice(0, 12)}…, manifest says ${before.sha256.slice(0, 12)}…)`,
      );
  }
}
