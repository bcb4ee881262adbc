// A training run's directory, .seqlab/runs/NAME/ in the workspace:
//   run.json        what was asked for (data, range, sizes, hyperparameters, budget, backend)
//   manifest.json   the data files with size and SHA-256, checked again on resume
//   metrics.jsonl   one JSON object per line: training loss every few steps, validation loss
//   status.json     running | finished | cancelled | failed | interrupted, with the step and a message
//   checkpoints/    see checkpoint.ts
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendChoice } from '../../../kernels/backend';
import { readJsonFile } from '../models/load-model';
import { writeFileAtomic } from './atomic-file';
import type { DataRange } from './data-range';
import type { PresetName, ModelSize, TrainHyper } from './presets';
import type { ManifestEntry } from './token-data';
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
}

export type RunState = 'running' | 'finished' | 'cancelled' | 'failed' | 'interrupted';

export interface RunStatus {
  state: RunState;
  step: number;
  updated: string;
  message?: string;
  pid?: number;
}

export const RUNS_DIR = join('.seqlab', 'runs');

export function checkRunName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new Error(
      `run name "${name}" must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
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

export async function readRunSpec(runDir: string): Promise<RunSpec> {
  return (await readJsonFile(runFiles(runDir).spec)) as RunSpec;
}

export async function readStatus(runDir: string): Promise<RunStatus | undefined> {
  return (await readJsonFile(runFiles(runDir).status).catch(() => undefined)) as RunStatus | undefined;
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

export async function readMetrics(runDir: string): Promise<MetricRecord[]> {
  const text = await readFile(runFiles(runDir).metrics, 'utf8').catch(() => '');
  const out: MetricRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as MetricRecord);
    } catch {
      /* a line torn by a crash mid-append is dropped */
    }
  }
  return out;
}

/** Keeps only records up to `step` (a resumed run continues its curve from its checkpoint). */
export async function truncateMetrics(runDir: string, step: number): Promise<void> {
  const kept = (await readMetrics(runDir)).filter((m) => m.step <= step);
  await writeFileAtomic(runFiles(runDir).metrics, kept.map((m) => JSON.stringify(m) + '\n').join(''));
}

export async function appendMetric(runDir: string, m: MetricRecord): Promise<void> {
  await writeFile(runFiles(runDir).metrics, JSON.stringify(m) + '\n', { flag: 'a' });
}

export async function writeManifest(runDir: string, entries: readonly ManifestEntry[]): Promise<void> {
  await writeFileAtomic(runFiles(runDir).manifest, JSON.stringify({ files: entries }, null, 2) + '\n');
}

/** Throws when a data file changed since the run started (a resumed run must see the same data). */
export async function checkManifest(runDir: string, entries: readonly ManifestEntry[]): Promise<void> {
  const saved = ((await readJsonFile(runFiles(runDir).manifest)) as { files: ManifestEntry[] }).files;
  for (const e of entries) {
    const before = saved.find((s) => s.path === e.path);
    if (!before) throw new Error(`${e.path}: not in the run's manifest ${runFiles(runDir).manifest}`);
    if (before.sha256 !== e.sha256)
      throw new Error(
        `${e.path}: changed since the run started (SHA-256 ${e.sha256.slice(0, 12)}…, manifest says ${before.sha256.slice(0, 12)}…)`,
      );
  }
}
