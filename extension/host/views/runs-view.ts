// The Runs view: every training run of the workspace (.seqlab/runs/*) with its phase (running,
// finished, cancelled, failed, interrupted), step and last validation loss. Clicking a run opens
// its live pane; the context menu cancels or resumes it. Refreshes on the run manager's events
// (a running run's step from its progress: status.json holds only the step it started from) and
// when a run's status.json changes on disk (a run started from the CLI shows up too).
import * as vscode from 'vscode';
import type { RunInfo, RunManager } from '../../core/runs/run-manager';
import { RUNS_DIR } from '../../core/runs/run-dir';

const ICONS: Record<RunInfo['phase'], string> = {
  running: 'sync~spin',
  finished: 'pass',
  cancelled: 'debug-pause',
  failed: 'error',
  interrupted: 'warning',
  new: 'circle-outline',
};

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunInfo) {
    super(run.name, vscode.TreeItemCollapsibleState.None);
    this.contextValue =
      run.phase === 'running'
        ? 'seqlab.run.running'
        : run.phase === 'finished'
          ? 'seqlab.run.finished'
          : 'seqlab.run.stopped';
    this.iconPath = new vscode.ThemeIcon(ICONS[run.phase]);
    this.description = `${run.phase} · step ${run.step}${run.lastValBits !== undefined ? ` · val ${run.lastValBits.toFixed(3)} bits` : ''}`;
    // The side bar is often too narrow for the description after a long name: the tooltip repeats it.
    this.tooltip = `${run.name}: ${this.description}${run.message ? `\n${run.message}` : ''}\n${run.dir}\n${run.spec.data.join('\n')}`;
    this.command = { command: 'seqlab.runs.open', title: 'Open Training Pane', arguments: [this] };
  }
}

/** The run directory a Runs view command was given: the clicked item's, or a run's { dir } (from the pane or a test). */
export function runDirOf(item: RunItem | { dir: string } | undefined): string {
  const dir = item instanceof RunItem ? item.run.dir : item?.dir;
  if (!dir) throw new Error('pick a run in the Runs view');
  return dir;
}

/** How often at most a running run's progress redraws the view (a redraw reads every run's files). */
const PROGRESS_REDRAW_MS = 1000;

export class RunsView implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly liveStep = new Map<string, number>();
  private progressRedraw: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly manager: RunManager) {
    manager.on('changed', () => this.refresh());
    manager.on('progress', (dir, p) => {
      this.liveStep.set(dir, p.step);
      this.progressRedraw ??= setTimeout(() => {
        this.progressRedraw = undefined;
        this.refresh();
      }, PROGRESS_REDRAW_MS);
    });
    manager.on('ended', (dir) => this.liveStep.delete(dir));
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
      for (const run of await this.manager.list(folder.uri.fsPath)) {
        const live = run.phase === 'running' ? this.liveStep.get(run.dir) : undefined;
        items.push(new RunItem(live === undefined ? run : { ...run, step: live }));
      }
    }
    return items;
  }

  getTreeItem(item: RunItem): RunItem {
    return item;
  }

  dispose(): void {
    clearTimeout(this.progressRedraw);
    this.watcher.dispose();
    this.changed.dispose();
  }
}
