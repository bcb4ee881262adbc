// "Mamba: Train Model…" (and "Train" on a file or folder in the Explorer, seqlab.train, which
// passes it): asks for the data, the model to start from (one the Models view lists, its size and
// the fine-tuning schedule) or from scratch (then a preset or custom size), a budget, a backend,
// the range of each file to train on and a name; the run gets .seqlab/runs/NAME/ in the workspace (removed again if
// it fails before its first step) and starts in a worker thread, with its notification and live
// pane. Its WebGPU steps (backend webgpu, or auto on a hardware adapter) run on the engine webview's
// GPU; otherwise the worker's CPU trains.
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { resolveInit, type InitModel } from '../../core/runs/init-model';
import { DEFAULT_HYPER, FINE_TUNE_HYPER, type ModelSize, type PresetName } from '../../core/runs/presets';
import { RUNS_DIR, type RunSpec } from '../../core/runs/run-dir';
import { dataKindOf } from '../../core/runs/token-data';
import { createRun } from '../../core/runs/train-session';
import {
  pickBackend,
  pickBudget,
  pickData,
  pickInit,
  pickRange,
  pickRunName,
  pickSize,
} from '../training/train-model-prompts';
import type { TrainingHost } from '../training/training-host';
import { listModels } from '../views/model-catalog';

/** The init's size, or the size the user picks for a run from scratch; undefined when dismissed. */
async function sizeFor(init: InitModel | undefined): Promise<{ size: ModelSize; preset?: PresetName } | undefined> {
  return init ? { size: init.size } : pickSize();
}

export async function trainModel(extensionUri: vscode.Uri, training: TrainingHost, given?: unknown): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('Train Model needs an open workspace folder: runs are kept in its .seqlab/runs');
  const data = await pickData(given instanceof vscode.Uri ? given : undefined);
  if (!data) return;
  if (data.length === 0) throw new Error('no FASTA or WAV files in that folder');
  if (new Set(data.map(dataKindOf)).size > 1) throw new Error('pick FASTA files or WAV files, not both');
  const from = await pickInit(dataKindOf(data[0]), await listModels(extensionUri));
  if (!from) return;
  const init = from.dir === undefined ? undefined : await resolveInit(from.dir);
  const size = await sizeFor(init);
  if (!size) return;
  const budget = await pickBudget();
  if (!budget) return;
  const backend = await pickBackend();
  if (!backend) return;
  const range = await pickRange();
  if (!range) return;
  const name = await pickRunName(data[0], init ? `from-${basename(init.record.path)}` : (size.preset ?? 'custom'));
  if (!name) return;
  const spec: RunSpec = {
    name,
    data,
    range,
    size: size.size,
    hyper: init ? FINE_TUNE_HYPER : DEFAULT_HYPER,
    budget,
    backend,
    ...(size.preset ? { preset: size.preset } : {}),
    ...(init ? { init: init.record } : {}),
  };
  const dir = join(folder.uri.fsPath, RUNS_DIR, name);
  await training.start(dir, await createRun(dir, spec));
}
