// Where an export goes: a folder the user confirms, by default .seqlab/exports/NAME-SUFFIX in the
// workspace (beside the source without one); an existing folder is replaced only after a modal yes.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import * as vscode from 'vscode';

const EXPORTS_DIR = join('.seqlab', 'exports');

/** The folder and whether it must be replaced (--force), or undefined when the user backs out. */
export async function askExportFolder(
  source: string,
  suffix: string,
  what: string,
): Promise<{ out: string; force: boolean } | undefined> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const base = workspace ?? dirname(source);
  const typed = await vscode.window.showInputBox({
    title: 'Export into which folder?',
    prompt: `A new folder (${what} there is replaced only if you confirm)`,
    value: join(base, workspace ? EXPORTS_DIR : '', `${basename(source)}-${suffix}`),
    validateInput: (v) => (v.trim() ? undefined : 'Give a folder path'),
  });
  if (!typed) return undefined;
  const out = isAbsolute(typed.trim()) ? typed.trim() : resolve(base, typed.trim());
  const force = existsSync(out);
  if (force) {
    const answer = await vscode.window.showWarningMessage(`${out} exists. Replace it?`, { modal: true }, 'Replace');
    if (answer !== 'Replace') return undefined;
  }
  return { out, force };
}
