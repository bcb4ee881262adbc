// "Mamba: Export Model for Hugging Face…": picks a model (one the Models view lists, or a model,
// checkpoint or run folder chosen on disk) and a new folder (by default .seqlab/exports/NAME-hf in
// the workspace), then runs `seqlab export-hf` in a child process
// (extension/core/models/convert-in-child.ts) with a cancellable progress notification.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { runSeqlabInChild } from '../../core/models/convert-in-child';
import { listModels } from '../views/model-catalog';

const EXPORTS_DIR = join('.seqlab', 'exports');

async function pickModel(extensionUri: vscode.Uri): Promise<string | undefined> {
  const entries = (await listModels(extensionUri)).filter((e) => e.description);
  const choose = { label: '$(folder) Choose a model, checkpoint or run folder…', dir: undefined };
  const picked = await vscode.window.showQuickPick(
    [
      ...entries.map((e) => ({
        label: e.description!.name,
        description: `${e.description!.modality} · ${e.origin}`,
        detail: e.dir,
        dir: e.dir as string | undefined,
      })),
      choose,
    ],
    { title: 'Export which model for Hugging Face?' },
  );
  if (!picked) return undefined;
  if (picked.dir) return picked.dir;
  const folder = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Export',
  });
  return folder?.[0]?.fsPath;
}

export async function exportHfModel(extensionUri: vscode.Uri, log: vscode.OutputChannel): Promise<void> {
  const model = await pickModel(extensionUri);
  if (!model) return;
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const suggested = join(workspace ?? dirname(model), workspace ? EXPORTS_DIR : '', `${basename(model)}-hf`);
  const typed = await vscode.window.showInputBox({
    title: 'Export into which folder?',
    prompt: 'A new folder (a model folder there is replaced only if you confirm)',
    value: suggested,
    validateInput: (v) => (v.trim() ? undefined : 'Give a folder path'),
  });
  if (!typed) return;
  const out = isAbsolute(typed.trim()) ? typed.trim() : resolve(workspace ?? dirname(model), typed.trim());
  const force = existsSync(out);
  if (force) {
    const answer = await vscode.window.showWarningMessage(`${out} exists. Replace it?`, { modal: true }, 'Replace');
    if (answer !== 'Replace') return;
  }
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  const printed = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Exporting ${basename(model)}…`, cancellable: true },
    (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runSeqlabInChild(
        cli,
        ['export-hf', '--model', model, '--out', out, ...(force ? ['--force'] : [])],
        abort.signal,
      );
    },
  );
  log.appendLine(printed.trimEnd());
  const reveal = await vscode.window.showInformationMessage(
    `Exported ${basename(model)} for Hugging Face into ${out}.`,
    'Reveal in File Explorer',
  );
  if (reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(out));
}
