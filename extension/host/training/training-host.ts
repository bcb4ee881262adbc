// The training side of the extension host, built once at activation and shared by the training
// commands: the run manager (a worker thread per run, whose WebGPU steps it passes on to the engine
// webview's trainer), the live panes and the Runs view; `start` starts or resumes a run with its
// pane and its progress notification.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { RunManager } from '../../core/runs/run-manager';
import type { EngineView } from '../panels/engine-view';
import { TrainingPanes } from '../panels/training-pane';
import { RunsView } from '../views/runs-view';
import { showRunProgress } from './run-progress';

export class TrainingHost implements vscode.Disposable {
  readonly manager: RunManager;
  readonly panes: TrainingPanes;
  readonly view: RunsView;

  constructor(extensionUri: vscode.Uri, log: vscode.OutputChannel, engineView: EngineView) {
    this.manager = new RunManager(vscode.Uri.joinPath(extensionUri, 'dist', 'train-worker.js').fsPath, () =>
      engineView.trainingPage(),
    );
    this.panes = new TrainingPanes(extensionUri, this.manager, (dir) => this.start(dir), log);
    this.view = new RunsView(this.manager);
    this.manager.on('log', (dir, line) => log.appendLine(`[train ${basename(dir)}] ${line}`));
  }

  /** Starts (or resumes, from its last checkpoint) the run in `dir`. */
  async start(dir: string): Promise<void> {
    const info = await this.manager.info(dir);
    this.manager.start(dir);
    void this.panes.show(dir).then(() => this.panes.refresh(dir));
    void showRunProgress(this.manager, dir, info.name, () => this.start(dir));
  }

  dispose(): void {
    this.panes.dispose();
    this.view.dispose();
    void this.manager.dispose();
  }
}
