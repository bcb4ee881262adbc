// "Mamba: Export Model for Hugging Face…": picks a model (one the Models view lists, or a model,
// checkpoint or run folder chosen on disk) and a new folder (by default .seqlab/exports/NAME-hf in
// the workspace), then runs `seqlab export-hf` in a child process
// (extension/core/models/convert-in-child.ts) with a cancellable progress notification.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { askExportFolder } from './export-folder';
import { runSeqlabWithProgress } from './seqlab-cli-progress';
import { listModels } from '../views/model-catalog';

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
  const target = await askExportFolder(model, 'hf', 'a model folder');
  if (!target) return;
  const { out, force } = target;
  await runSeqlabWithProgress(extensionUri, log, `Exporting ${basename(model)}…`, [
    'export-hf',
    '--model',
    model,
    '--out',
    out,
    ...(force ? ['--force'] : []),
  ]);
  const reveal = await vscode.window.showInformationMessage(
    `Exported ${basename(model)} for Hugging Face into ${out}.`,
    'Reveal in File Explorer',
  );
  if (reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(out));
}
