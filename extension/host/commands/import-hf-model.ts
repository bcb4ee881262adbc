// "Mamba: Import Hugging Face Model…": asks for a Hugging Face model folder and where to put it
// (by default .seqlab/models/NAME in the workspace, which the Models view lists), then runs
// `seqlab import-hf` in a child process (extension/core/models/convert-in-child.ts) with a
// cancellable progress notification. What the import printed (tokenizer mapping, notes) goes to
// the log. Resolves to the new model folder, or undefined when the user stopped.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { runSeqlabWithProgress } from './seqlab-cli-progress';
import { WORKSPACE_MODELS_DIR } from '../../core/models/import-hf';

export async function importHfModel(extensionUri: vscode.Uri, log: vscode.OutputChannel): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Import',
    title: 'Hugging Face model folder (config.json and model.safetensors or shards)',
  });
  const src = picked?.[0]?.fsPath;
  if (!src) return undefined;
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const suggested = workspace
    ? join(workspace, WORKSPACE_MODELS_DIR, basename(src))
    : join(dirname(src), `${basename(src)}-seqlab`);
  const typed = await vscode.window.showInputBox({
    title: 'Import into which folder?',
    prompt: 'A new folder (a model folder there is replaced only if you confirm)',
    value: suggested,
    validateInput: (v) => (v.trim() ? undefined : 'Give a folder path'),
  });
  if (!typed) return undefined;
  const out = isAbsolute(typed.trim()) ? typed.trim() : resolve(workspace ?? dirname(src), typed.trim());
  const force = existsSync(out);
  if (force) {
    const answer = await vscode.window.showWarningMessage(`${out} exists. Replace it?`, { modal: true }, 'Replace');
    if (answer !== 'Replace') return undefined;
  }
  await runSeqlabWithProgress(extensionUri, log, `Importing ${basename(src)}…`, [
    'import-hf',
    src,
    '--out',
    out,
    ...(force ? ['--force'] : []),
  ]);
  void vscode.window
    .showInformationMessage(
      `Imported ${basename(src)} into ${vscode.workspace.asRelativePath(out, false)}.`,
      'Show Details',
    )
    .then((choice) => choice && log.show(true));
  return out;
}
