// The Runs view: every training run of the workspace (.seqlab/runs/*) with its phase (running,
// finished, cancelled, failed, interrupted), step and last validation loss. Clicking a run opens
// its live pane; the context menu cancels or resumes it. Refreshes on the run manager's events
// and when a run's status.json changes on disk (a run started from the CLI shows up too).
import * as vscode from 'vscode';
import type { RunInfo, RunManager } from '../runs/run-manager';
import { RUNS_DIR } from '../runs/run-dir';

const ICONS: Record<RunInfo['phase'], string> = {
  running: 'sync~spin', finished: 'pass', cancelled: 'debug-pause', failed: 'error', interrupted: 'warning', new: 'circle-outline',
};

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunInfo) {
    super(run.name, vscode.TreeItemCollapsibleState.None);
    this.contextValue = run.phase === 'running' ? 'seqlab.run.running' : run.phase === 'finished' ? 'seqlab.run.finished' : 'seqlab.run.stopped';
    this.iconPath = new vscode.ThemeIcon(ICONS[run.phase]);
    this.description = `${run.phase} · step ${run.step}${run.lastValBits !== undefined ? ` · val ${run.lastValBits.toFixed(3)} bits` : ''}`;
    this.tooltip = `${run.dir}\n${run.spec.data.join('\n')}${run.message ? `\n${run.message}` : ''}`;
    this.command = { command: 'seqlab.runs.open', title: 'Open Training Pane', arguments: [this] };
  }
}

export class RunsView implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(private readonly manager: RunManager) {
    manager.on('changed', () => this.refresh());
    this.watcher = vscode.workspace.createFileSystemWatcher(`**/${RUNS_DIR.replace(/\\/g, '/')}/*/status.json`);
    this.watcher.onDidChange(() => this.refresh());
    this.watcher.onDidCreate(() => this.refresh());
    this.watcher.onDidDelete(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(): Promise<RunItem[]> {
    const items: RunItem[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const run of await this.manager.list(folder.uri.fsPath)) items.push(new RunItem(run));
    }
    return items;
  }

  getTreeItem(item: RunItem): RunItem {
    return item;
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
