// The questions "Mamba: Train Model…" asks, one function each: the data (files, or a folder of
// FASTA or WAV files), the model to start from (or from scratch), the model size (a preset or
// custom), the budget (steps or minutes), the backend, the range of each file to train on and the
// run's name. Each returns undefined when the user dismisses it.
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { BackendChoice } from '../../../kernels/backend';
import { parseRange, type DataRange } from '../../core/runs/data-range';
import { defaultInitFor } from '../../core/runs/init-model';
import { PRESETS, type ModelSize, type PresetName } from '../../core/runs/presets';
import { checkRunName, type Budget } from '../../core/runs/run-dir';
import { dataKindOf, type DataKind } from '../../core/runs/token-data';
import type { CatalogEntry } from '../views/model-catalog';

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

/** An input box validator from a parser that throws on bad input: the parser's message, or none. */
function complaintOf(parse: (text: string) => unknown): (text: string) => string | undefined {
  return (text) => {
    try {
      parse(text);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
}

/** The data files: `given` (a file, or a folder's data files) when the command came from a menu. */
export async function pickData(given?: vscode.Uri): Promise<string[] | undefined> {
  if (given)
    return (await vscode.workspace.fs.stat(given)).type === vscode.FileType.Directory
      ? dataFilesIn(given.fsPath)
      : [given.fsPath];
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

/**
 * The model whose weights the run starts from: one of `models` (the Models view's) of the data's
 * kind, or from scratch (`dir` undefined); the default (defaultInitFor) comes first, so Enter takes it.
 */
export async function pickInit(
  kind: DataKind,
  models: readonly CatalogEntry[],
): Promise<{ dir: string | undefined } | undefined> {
  const fallback = defaultInitFor(kind);
  const items = [
    {
      label: 'From scratch',
      description: 'random weights, a size of your choice',
      dir: undefined as string | undefined,
    },
    ...models.flatMap(({ dir, origin, description: m }) =>
      m?.modality === kind
        ? [
            {
              label: m.name,
              description: `d_model ${m.config.hiddenSize}, ${m.config.numLayers} layers, d_state ${m.config.stateSize} · ${origin}`,
              detail: dir,
              dir: dir as string | undefined,
            },
          ]
        : [],
    ),
  ];
  const isDefault = (dir: string | undefined) =>
    dir && fallback ? resolve(dir) === resolve(fallback) : dir === fallback;
  const ordered = [...items.filter((i) => isDefault(i.dir)), ...items.filter((i) => !isDefault(i.dir))];
  const pick = await vscode.window.showQuickPick(ordered, {
    title: 'Train Model: start from',
    placeHolder: 'a model of this kind fine-tuned on the data (its size, a lower learning rate), or new weights',
  });
  return pick && { dir: pick.dir };
}

export async function pickSize(): Promise<{ size: ModelSize; preset?: PresetName } | undefined> {
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

/** "N steps" (a whole number) or "M min"; undefined for anything else. */
function parseBudget(text: string): Budget | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(steps?|min(?:utes?)?)\s*$/i.exec(text);
  if (!m || !(Number(m[1]) > 0)) return undefined;
  if (m[2].toLowerCase().startsWith('step'))
    return Number.isInteger(Number(m[1])) ? { steps: Number(m[1]) } : undefined;
  return { minutes: Number(m[1]) };
}

export async function pickBudget(): Promise<Budget | undefined> {
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

/** auto, webgpu or cpu; the seqlab.backend setting's choice is marked. */
export async function pickBackend(): Promise<BackendChoice | undefined> {
  const configured = vscode.workspace.getConfiguration('seqlab').get<string>('backend', 'auto');
  const pick = await vscode.window.showQuickPick(
    ['auto', 'webgpu', 'cpu'].map((b) => ({ label: b, description: b === configured ? 'seqlab.backend' : '' })),
    { title: 'Train Model: backend' },
  );
  return pick?.label as BackendChoice | undefined;
}

export async function pickRange(): Promise<DataRange | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Train Model: range',
    prompt: 'the part of each file to train on (START%-END%); the last 2% of it is held out for validation',
    value: '0%-100%',
    validateInput: complaintOf(parseRange),
  });
  return text ? parseRange(text) : undefined;
}

/** The run's name, offered as the first file's name, `tag` (the preset, or the model it starts from) and the time. */
export async function pickRunName(firstFile: string, tag: string): Promise<string | undefined> {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const stem = basename(firstFile)
    .replace(/\..*$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '-');
  return vscode.window.showInputBox({
    title: 'Train Model: run name',
    value: `${stem}-${tag.replace(/[^A-Za-z0-9._-]/g, '-')}-${stamp}`,
    validateInput: complaintOf(checkRunName),
  });
}
