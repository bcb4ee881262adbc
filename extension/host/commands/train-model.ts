// "Mamba: Train Model…": pick data (files, or a folder of FASTA or WAV files), a preset or custom
// sizes, a budget (steps or minutes), a backend and the range of each file to train on; the run
// gets .seqlab/runs/NAME/ in the workspace and trains in a worker thread, with a cancellable
// progress notification and a live pane. Its WebGPU steps (backend webgpu, or auto on a hardware
// adapter) run on the engine webview's GPU, relayed by this thread; otherwise the worker's CPU
// trains. Also registers the Runs view and its actions, and on activation offers to resume runs a
// crash, a closed window or a lost engine view interrupted.
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { parseRange } from '../../core/runs/data-range';
import { DEFAULT_HYPER, PRESETS, type ModelSize, type PresetName } from '../../core/runs/presets';
import { checkRunName, RUNS_DIR, type Budget, type BackendChoice, type RunSpec } from '../../core/runs/run-dir';
import type { EngineView } from '../panels/engine-view';
import { RunManager, type RunInfo, type RunOutcome } from '../../core/runs/run-manager';
import { dataKindOf } from '../../core/runs/token-data';
import { createRun } from '../../core/runs/train-session';
import { TrainingPanes } from '../panels/training-pane';
import { StepCallRelay } from '../../core/runs/webview-step-engine';
import { RunItem, RunsView } from '../views/runs-view';

function isDataFile(path: string): boolean {
  try {
    dataKindOf(path);
    return true;
  } catch {
    return false;
  }
}

async function dataFilesIn(dir: string, depth = 2): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && isDataFile(p)) out.push(p);
    else if (e.isDirectory() && depth > 0 && !e.name.startsWith('.')) out.push(...(await dataFilesIn(p, depth - 1)));
  }
  return out.sort();
}

async function pickData(preset?: vscode.Uri): Promise<string[] | undefined> {
  if (preset)
    return (await vscode.workspace.fs.stat(preset)).type === vscode.FileType.Directory
      ? dataFilesIn(preset.fsPath)
      : [preset.fsPath];
  const how = await vscode.window.showQuickPick(
    [
      { label: 'Files…', folder: false },
      { label: 'Folder…', folder: true },
    ],
    { title: 'Train Model: data', placeHolder: 'FASTA (.fa, .fasta, .fna, .gz) or WAV files' },
  );
  if (!how) return undefined;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: !how.folder,
    canSelectFiles: !how.folder,
    canSelectFolders: how.folder,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: 'Train on this',
    ...(how.folder ? {} : { filters: { 'FASTA or WAV': ['fa', 'fasta', 'fna', 'gz', 'wav'] } }),
  });
  if (!picked || picked.length === 0) return undefined;
  return how.folder ? dataFilesIn(picked[0].fsPath) : picked.map((u) => u.fsPath);
}

async function pickSize(): Promise<{ size: ModelSize; preset?: PresetName } | undefined> {
  const items = [
    ...(Object.entries(PRESETS) as [PresetName, ModelSize][]).map(([name, s]) => ({
      label: name,
      description: `d_model ${s.dModel}, ${s.nLayer} layers, d_state ${s.dState}`,
      preset: name as PresetName | undefined,
    })),
    { label: 'custom…', description: 'd_model, layers, d_state', preset: undefined },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Train Model: model size' });
  if (!pick) return undefined;
  if (pick.preset) return { size: PRESETS[pick.preset], preset: pick.preset };
  const text = await vscode.window.showInputBox({
    title: 'Train Model: custom size',
    prompt: 'd_model, layers, d_state',
    value: '48, 2, 16',
    validateInput: (v) =>
      /^\s*\d+\s*,\s*\d+\s*,\s*\d+\s*$/.test(v) && v.split(',').every((x) => Number(x) >= 1)
        ? undefined
        : 'three positive integers, e.g. 48, 2, 16',
  });
  if (!text) return undefined;
  const [dModel, nLayer, dState] = text.split(',').map((x) => Number(x.trim()));
  return { size: { dModel, nLayer, dState } };
}

export function parseBudget(text: string): Budget | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(steps?|min(?:utes?)?)\s*$/i.exec(text);
  if (!m || !(Number(m[1]) > 0)) return undefined;
  if (m[2].toLowerCase().startsWith('step'))
    return Number.isInteger(Number(m[1])) ? { steps: Number(m[1]) } : undefined;
  return { minutes: Number(m[1]) };
}

async function pickBudget(): Promise<Budget | undefined> {
  const pick = await vscode.window.showQuickPick(['1000 steps', '5 min', '30 min', 'custom…'], {
    title: 'Train Model: budget',
  });
  if (!pick) return undefined;
  const text =
    pick === 'custom…'
      ? await vscode.window.showInputBox({
          title: 'Train Model: budget',
          prompt: 'N steps, or M min',
          value: '2000 steps',
          validateInput: (v) => (parseBudget(v) ? undefined : 'e.g. 2000 steps or 15 min'),
        })
      : pick;
  return text ? parseBudget(text) : undefined;
}

export function registerTraining(
  context: vscode.ExtensionContext,
  log: vscode.OutputChannel,
  engineView: EngineView,
): vscode.Disposable[] {
  const relay = new StepCallRelay(() => engineView.engine());
  const manager = new RunManager(vscode.Uri.joinPath(context.extensionUri, 'dist', 'train-worker.js').fsPath, (call) =>
    relay.answer(call),
  );
  const start = async (dir: string): Promise<void> => {
    const info = await manager.info(dir);
    manager.start(dir);
    void panes.show(dir).then(() => panes.refresh(dir));
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${info.name}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          token.onCancellationRequested(() => void manager.cancel(dir));
          let shown = 0;
          const onProgress = (
            d: string,
            p: {
              step: number;
              elapsedSec: number;
              totalSteps?: number;
              budgetSec?: number;
              valBits?: number;
              trainBits?: number;
            },
          ) => {
            if (d !== dir) return;
            const share = p.totalSteps ? p.step / p.totalSteps : p.budgetSec ? p.elapsedSec / p.budgetSec : 0;
            const pct = Math.min(100, 100 * share);
            progress.report({
              increment: pct - shown,
              message: `step ${p.step}${p.trainBits !== undefined ? ` · ${p.trainBits.toFixed(3)} bits/token` : ''}`,
            });
            shown = pct;
          };
          const onEnded = (d: string, o: RunOutcome) => {
            if (d !== dir) return;
            manager.off('progress', onProgress);
            manager.off('ended', onEnded);
            if (o.error) void vscode.window.showErrorMessage(`Training ${info.name} failed: ${o.error}`);
            else if (o.state === 'interrupted') {
              void vscode.window
                .showWarningMessage(
                  `Training ${info.name} was interrupted: ${o.message ?? 'its engine went away'}.`,
                  'Resume',
                )
                .then((pick) => {
                  if (pick === 'Resume') void start(dir);
                });
            } else
              void vscode.window.showInformationMessage(
                `Training ${info.name}: ${o.state} at step ${o.step}. The model is in ${join(dir, 'checkpoints')}.`,
              );
            resolve();
          };
          manager.on('progress', onProgress);
          manager.on('ended', onEnded);
        }),
    );
  };
  const panes = new TrainingPanes(context.extensionUri, manager, start);
  const view = new RunsView(manager);
  manager.on('log', (dir, line) => log.appendLine(`[train ${basename(dir)}] ${line}`));

  const trainModel = async (preset?: vscode.Uri): Promise<void> => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error('Train Model needs an open workspace folder: runs are kept in its .seqlab/runs');
    const data = await pickData(preset instanceof vscode.Uri ? preset : undefined);
    if (!data) return;
    if (data.length === 0) throw new Error('no FASTA or WAV files in that folder');
    const kinds = new Set(data.map(dataKindOf));
    if (kinds.size > 1) throw new Error('pick FASTA files or WAV files, not both');
    const size = await pickSize();
    if (!size) return;
    const budget = await pickBudget();
    if (!budget) return;
    const configured = vscode.workspace.getConfiguration('seqlab').get<string>('backend', 'auto');
    const backendPick = await vscode.window.showQuickPick(
      ['auto', 'webgpu', 'cpu'].map((b) => ({ label: b, description: b === configured ? 'seqlab.backend' : '' })),
      { title: 'Train Model: backend' },
    );
    if (!backendPick) return;
    const rangeText = await vscode.window.showInputBox({
      title: 'Train Model: range',
      prompt: 'the part of each file to train on (START%-END%); the last 2% of it is held out for validation',
      value: '0%-100%',
      validateInput: (v) => {
        try {
          parseRange(v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    if (!rangeText) return;
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
    const name = await vscode.window.showInputBox({
      title: 'Train Model: run name',
      value: `${basename(data[0])
        .replace(/\..*$/, '')
        .replace(/[^A-Za-z0-9._-]/g, '-')}-${size.preset ?? 'custom'}-${stamp}`,
      validateInput: (v) => {
        try {
          checkRunName(v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    if (!name) return;
    const dir = join(folder.uri.fsPath, RUNS_DIR, name);
    const spec: RunSpec = {
      name,
      data,
      range: parseRange(rangeText),
      size: size.size,
      hyper: DEFAULT_HYPER,
      budget,
      backend: backendPick.label as BackendChoice,
      ...(size.preset ? { preset: size.preset } : {}),
    };
    await createRun(dir, spec);
    await start(dir);
  };

  const runDir = (item: RunItem | RunInfo | undefined): string => {
    const dir = item instanceof RunItem ? item.run.dir : item?.dir;
    if (!dir) throw new Error('pick a run in the Runs view');
    return dir;
  };
  const offerResume = async () => {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const run of await manager.list(folder.uri.fsPath)) {
        if (run.phase !== 'interrupted') continue;
        const pick = await vscode.window.showInformationMessage(
          `Training run ${run.name} was interrupted at step ${run.step}. Resume it from its last checkpoint?`,
          'Resume',
          'Not now',
        );
        if (pick === 'Resume') await start(run.dir);
      }
    }
  };
  void offerResume();

  const command = (name: string, f: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(name, async (...args: never[]) => {
      try {
        return await f(...args);
      } catch (e) {
        void vscode.window.showErrorMessage(`Mamba SeqLab: ${(e as Error).message}`);
        return undefined;
      }
    });
  return [
    panes,
    view,
    vscode.window.registerTreeDataProvider('seqlab.runs', view),
    command('seqlab.trainModel', () => trainModel()),
    command('seqlab.train', (uri: vscode.Uri) => trainModel(uri)),
    command('seqlab.runs.open', (item: RunItem) => panes.show(runDir(item))),
    command('seqlab.runs.cancel', (item: RunItem) => manager.cancel(runDir(item))),
    command('seqlab.runs.resume', (item: RunItem) => start(runDir(item))),
    command('seqlab.runs.refresh', () => view.refresh()),
    { dispose: () => void manager.dispose() },
  ];
}
