// A running run's notification: its share of the budget (steps, or minutes) and its training loss,
// a Cancel button that stops the run, and when it ends a message that says how: where its model
// is, why it failed, or (interrupted) an offer to resume it.
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunManager, RunOutcome } from '../../core/runs/run-manager';
import type { TrainProgress } from '../../core/runs/train-session';

/** How far the run is through its budget, in percent. */
function percentDone(p: TrainProgress): number {
  const share = p.totalSteps ? p.step / p.totalSteps : p.budgetSec ? p.elapsedSec / p.budgetSec : 0;
  return Math.min(100, 100 * share);
}

function progressMessage(p: TrainProgress): string {
  return `step ${p.step}${p.trainBits !== undefined ? ` · ${p.trainBits.toFixed(3)} bits/token` : ''}`;
}

function reportOutcome(name: string, dir: string, o: RunOutcome, resume: () => Promise<void>): void {
  if (o.error) void vscode.window.showErrorMessage(`Training ${name} failed: ${o.error}`);
  else if (o.state === 'interrupted')
    void vscode.window
      .showWarningMessage(`Training ${name} was interrupted: ${o.message ?? 'its engine went away'}.`, 'Resume')
      .then((pick) => {
        if (pick === 'Resume') void resume();
      });
  else
    void vscode.window.showInformationMessage(
      `Training ${name}: ${o.state} at step ${o.step}. The model is in ${join(dir, 'checkpoints')}.`,
    );
}

/** Shows the notification of the run in `dir` (already started) until it ends. */
export function showRunProgress(
  manager: RunManager,
  dir: string,
  name: string,
  resume: () => Promise<void>,
): Thenable<void> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Training ${name}`, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        token.onCancellationRequested(() => void manager.cancel(dir));
        let shown = 0;
        const onProgress = (d: string, p: TrainProgress) => {
          if (d !== dir) return;
          const pct = percentDone(p);
          progress.report({ increment: pct - shown, message: progressMessage(p) });
          shown = pct;
        };
        const onEnded = (d: string, o: RunOutcome) => {
          if (d !== dir) return;
          manager.off('progress', onProgress);
          manager.off('ended', onEnded);
          reportOutcome(name, dir, o, resume);
          resolve();
        };
        manager.on('progress', onProgress);
        manager.on('ended', onEnded);
      }),
  );
}
