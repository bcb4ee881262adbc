// "Mamba: Export Training Run for PyTorch…" (also on a run in the Runs view): picks a run and a new
// folder (by default .seqlab/exports/NAME-pytorch in the workspace), runs `seqlab export-run` in a
// child process (extension/core/models/convert-in-child.ts) with a cancellable progress
// notification, then offers the folder's README, which has the accelerate launch commands.
// "Mamba: Import PyTorch Training Result…" brings what train.py trained back (`seqlab import-run`).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { askExportFolder } from './export-folder';
import { runSeqlabWithProgress } from './seqlab-cli-progress';
import { HANDOFF_FILE } from '../../core/runs/export-run';
import { RunManager } from '../../core/runs/run-manager';
import { runFiles } from '../../core/runs/run-dir';
import { runDirOf, type RunItem } from '../views/runs-view';

const workspaceRoot = (): string | undefined => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

async function pickRun(): Promise<string | undefined> {
  const root = workspaceRoot();
  const runsRoot = root ? RunManager.runsRoot(root) : undefined;
  const names = runsRoot ? await readdir(runsRoot).catch(() => [] as string[]) : [];
  const runs = names.filter((n) => existsSync(runFiles(join(runsRoot!, n)).spec));
  const choose = { label: '$(folder) Choose a run folder…', dir: undefined as string | undefined };
  const picked = await vscode.window.showQuickPick(
    [
      ...runs.map((n) => ({ label: n, detail: join(runsRoot!, n), dir: join(runsRoot!, n) as string | undefined })),
      choose,
    ],
    { title: 'Export which training run for PyTorch?' },
  );
  if (!picked) return undefined;
  if (picked.dir) return picked.dir;
  const folder = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: 'Export',
  });
  return folder?.[0]?.fsPath;
}

export async function exportTrainingRun(
  extensionUri: vscode.Uri,
  log: vscode.OutputChannel,
  item: RunItem | undefined,
): Promise<void> {
  const run = item ? runDirOf(item) : await pickRun();
  if (!run) return;
  const target = await askExportFolder(run, 'pytorch', 'an exported run');
  if (!target) return;
  const { out, force } = target;
  await runSeqlabWithProgress(extensionUri, log, `Exporting run ${basename(run)} for PyTorch…`, [
    'export-run',
    '--run',
    run,
    '--out',
    out,
    ...(force ? ['--force'] : []),
  ]);
  const open = await vscode.window.showInformationMessage(
    `Exported run ${basename(run)} into ${out}: its README has the launch commands for 1, 8 and many GPUs.`,
    'Open README',
  );
  if (open) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(join(out, 'README.md')));
}

export async function importTrainingResult(extensionUri: vscode.Uri, log: vscode.OutputChannel): Promise<boolean> {
  const folder = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: 'Import',
    title: 'The exported run folder (or train.py --out folder) holding checkpoints/',
  });
  const from = folder?.[0]?.fsPath;
  if (!from) return false;
  let run: string | undefined;
  try {
    run = (JSON.parse(await readFile(join(from, HANDOFF_FILE), 'utf8')) as { runDir?: string }).runDir;
  } catch (err) {
    throw new Error(
      `${join(from, HANDOFF_FILE)}: ${(err as Error).message} (is this a folder seqlab export-run wrote?)`,
    );
  }
  if (!run || !existsSync(runFiles(run).spec)) run = await pickRun();
  if (!run) return false;
  const printed = await runSeqlabWithProgress(
    extensionUri,
    log,
    `Importing ${basename(from)} into run ${basename(run)}…`,
    ['import-run', '--from', from, '--run', run],
  );
  void vscode.window.showInformationMessage(printed.trim().split('\n').pop() ?? `Imported ${from}`);
  return true;
}
