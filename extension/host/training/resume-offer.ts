// On activation: offers to resume each run a crash, a closed window or a lost engine view
// interrupted, one question per run.
import * as vscode from 'vscode';
import type { TrainingHost } from './training-host';

export async function offerToResumeInterrupted(training: TrainingHost): Promise<void> {
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
