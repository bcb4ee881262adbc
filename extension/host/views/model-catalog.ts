// Where models live: the sample models shipped in the extension (samples/models/), folders named in
// seqlab.modelFolders, the workspace's imported models (.seqlab/models/) and model folders in the
// workspace (a config.json beside model.safetensors).
// Each entry is described lazily from its own files (extension/core/analysis/model-source.ts).
import * as vscode from 'vscode';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeModel, type ModelDescription } from '../../core/analysis/model-source';
import { WORKSPACE_MODELS_DIR } from '../../core/models/import-hf';

export interface CatalogEntry {
  dir: string;
  origin: 'sample' | 'setting' | 'workspace';
  description: ModelDescription | undefined;
  problem: string | undefined;
}

const isModelDir = (dir: string): Promise<boolean> =>
  Promise.all([
    stat(join(dir, 'config.json')),
    stat(join(dir, 'model.safetensors')).catch(() => stat(join(dir, 'model.safetensors.index.json'))),
  ]).then(
    () => true,
    () => false,
  );

/** The folder itself when it holds a model, else its subfolders that do. */
async function modelDirsIn(root: string): Promise<string[]> {
  if (await isModelDir(root)) return [root];
  const names = await readdir(root, { withFileTypes: true }).catch(() => []);
  const dirs = names.filter((d) => d.isDirectory()).map((d) => join(root, d.name));
  const keep = await Promise.all(dirs.map(isModelDir));
  return dirs.filter((_, i) => keep[i]).sort();
}

export async function listModels(extensionUri: vscode.Uri): Promise<CatalogEntry[]> {
  const found = new Map<string, CatalogEntry['origin']>();
  for (const d of await modelDirsIn(join(extensionUri.fsPath, 'samples', 'models'))) found.set(d, 'sample');
  for (const folder of vscode.workspace.getConfiguration('seqlab').get<string[]>('modelFolders', [])) {
    for (const d of await modelDirsIn(folder)) if (!found.has(d)) found.set(d, 'setting');
  }
  // Imported models, wherever a file search's excludes stand (.seqlab is a dot folder).
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const d of await modelDirsIn(join(folder.uri.fsPath, WORKSPACE_MODELS_DIR)))
      if (!found.has(d)) found.set(d, 'workspace');
  }
  const files = await vscode.workspace.findFiles('**/model.safetensors', '**/node_modules/**', 200);
  for (const f of files) {
    const d = dirname(f.fsPath);
    if (!found.has(d) && (await isModelDir(d))) found.set(d, 'workspace');
  }
  return Promise.all(
    [...found].map(async ([dir, origin]) => {
      try {
        return { dir, origin, description: await describeModel(dir), problem: undefined };
      } catch (e) {
        return { dir, origin, description: undefined, problem: (e as Error).message };
      }
    }),
  );
}
