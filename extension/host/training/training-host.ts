// The training side of the extension host, built once at activation and shared by the training
// commands: the run manager (a worker thread per run, whose WebGPU steps it passes on to the engine
// webview's trainer), the live panes and the Runs view; `start` starts or resumes a run with its
// pane and its progress notification.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { discardIfStartFails } from '../../core/runs/discard-failed-start';
import { RunManager, type RunInfo } from '../../core/runs/run-manager';
import type { NewRun } from '../../core/runs/train-session';
import type { EngineView } from '../panels/engine-view';
import { TrainingPanes } from '../panels/training-pane';
import { RunsView } from '../views/runs-view';
import { showRunProgress } from './run-progress';

export class TrainingHost implements vscode.Disposable {
  readonly manager: RunManager;
  readonly panes: TrainingPanes;
  readonly view: RunsView;

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: vscode.OutputChannel,
    engineView: EngineView,
  ) {
    this.manager = new RunManager(vscode.Uri.joinPath(extensionUri, 'dist', 'train-worker.js').fsPath, () =>
      engineView.trainingPage(),
    );
    this.panes = new TrainingPanes(extensionUri, this.manager, (dir) => this.start(dir), log);
    this.view = new RunsView(this.manager);
    this.manager.on('log', (dir, line) => log.appendLine(`[train ${basename(dir)}] ${line}`));
  }

  /**
   * Starts (or resumes, from its last checkpoint) the run in `dir`. `created`: the run is new, and
   * its folder goes away again when it fails before its first step.
   */
  async start(dir: string, created?: NewRun): Promise<void> {
    let info: RunInfo;
    try {
      info = await this.manager.info(dir);
      this.manager.start(dir);
    } catch (e) {
      await created?.discard();
      throw e;
    }
    if (created)
      void discardIfStartFails(this.manager, dir, created).then(
        (discarded) => {
          if (discarded) this.log.appendLine(`[train ${basename(dir)}] failed to start; its folder was removed`);
        },
        (e: unknown) => this.log.appendLine(`[train ${basename(dir)}] could not remove its folder: ${String(e)}`),
      );
    void this.panes
      .show(dir)
      .then(() => this.panes.refresh(dir))
      .catch((e: unknown) => this.log.appendLine(`[train ${basename(dir)}] training pane: ${String(e)}`));
    void showRunProgress(this.manager, dir, info.name, () => this.start(dir));
  }

  dispose(): void {
    this.panes.dispose();
    this.view.dispose();
    void this.manager.dispose();
  }
}
