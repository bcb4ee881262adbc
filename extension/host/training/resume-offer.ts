// On activation: offers to resume each run a crash, a closed window or a lost engine view
// interrupted, one question per run. A run's run.json comes from the workspace, so an untrusted
// workspace gets no offer until the user trusts it.
import * as vscode from 'vscode';
import { whenTrusted } from '../../core/runs/when-trusted';
import type { TrainingHost } from './training-host';

async function offer(training: TrainingHost): Promise<void> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const run of await training.manager.list(folder.uri.fsPath)) {
      if (run.phase !== 'interrupted') continue;
      const pick = await vscode.window.showInformationMessage(
        `Training run ${run.name} was interrupted at step ${run.step}. Resume it from its last checkpoint?`,
        'Resume',
        'Not now',
      );
      if (pick === 'Resume') await training.start(run.dir);
    }
  }
}

/** Offers now in a trusted workspace, else once trust is granted; the disposable drops a pending offer. */
export function offerToResumeInterrupted(training: TrainingHost): vscode.Disposable {
  return new vscode.Disposable(whenTrusted(vscode.workspace, () => void offer(training)).dispose);
}
