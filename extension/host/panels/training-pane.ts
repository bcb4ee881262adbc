// The live training pane: a webview panel per run showing training and validation loss
// (bits/token) over steps, fed from metrics.jsonl when it opens and from the run manager's
// progress events after. The run trains in its worker whether the pane is visible, hidden or
// closed; the pane only watches (and offers cancel and resume).
import * as vscode from 'vscode';
import { makeNonce, webviewShell } from './webview-html';
import { rangeText } from '../../core/runs/data-range';
import { readMetrics } from '../../core/runs/run-dir';
import type { RunInfo, RunManager } from '../../core/runs/run-manager';
import { parseFromTrainingPane, type PaneRunInfo, type ToTrainingPane } from '../../../protocol/training-messages';

export function paneRunInfo(info: RunInfo): PaneRunInfo {
  const s = info.spec;
  return {
    name: info.name,
    phase: info.phase,
    data: s.data,
    range: rangeText(s.range),
    model: `${s.preset ? `${s.preset}: ` : ''}d_model ${s.size.dModel}, ${s.size.nLayer} layers, d_state ${s.size.dState}`,
    budget: s.budget.steps !== undefined ? `${s.budget.steps} steps` : `${s.budget.minutes} min`,
    backend: s.backend,
    step: info.step,
    ...(s.budget.steps !== undefined ? { totalSteps: s.budget.steps } : { budgetSec: (s.budget.minutes ?? 0) * 60 }),
    ...(info.message ? { message: info.message } : {}),
  };
}

export class TrainingPanes implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly manager: RunManager,
    private readonly resume: (dir: string) => Promise<void>,
  ) {
    manager.on('progress', (dir, p) =>
      this.post(dir, {
        type: 'metric',
        record: p,
        totalSteps: p.totalSteps,
        budgetSec: p.budgetSec,
        backend: p.backend,
      }),
    );
    manager.on('ended', (dir, o) => {
      const message = o.error ?? o.message;
      void this.manager
        .info(dir)
        .then((info) =>
          this.post(dir, { type: 'phase', phase: info.phase, step: info.step, ...(message ? { message } : {}) }),
        );
    });
  }

  private post(dir: string, m: ToTrainingPane): void {
    void this.panels.get(dir)?.webview.postMessage(m);
  }

  /** Opens (or reveals) the pane of the run in `dir`. */
  async show(dir: string): Promise<void> {
    const existing = this.panels.get(dir);
    if (existing) {
      existing.reveal();
      return;
    }
    const info = await this.manager.info(dir);
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(
      'seqlab.training',
      `Training: ${info.name}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [dist],
      },
    );
    this.panels.set(dir, panel);
    const nonce = makeNonce();
    panel.webview.html = webviewShell({
      title: `Training ${info.name}`,
      cspSource: panel.webview.cspSource,
      nonce,
      workers: false,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'training.js')).toString(),
    });
    panel.webview.onDidReceiveMessage(
      async (raw: unknown) => {
        const m = parseFromTrainingPane(raw);
        if (!m) return;
        if (m.type === 'ready') {
          const fresh = await this.manager.info(dir);
          this.post(dir, { type: 'init', run: paneRunInfo(fresh), records: await readMetrics(dir) });
        } else if (m.type === 'cancel') await this.manager.cancel(dir);
        else if (m.type === 'resume') await this.resume(dir);
      },
      undefined,
      this.subscriptions,
    );
    panel.onDidDispose(() => this.panels.delete(dir), undefined, this.subscriptions);
  }

  /** Tells an open pane that its run started again (after resume). */
  async refresh(dir: string): Promise<void> {
    if (!this.panels.has(dir)) return;
    const info = await this.manager.info(dir);
    this.post(dir, { type: 'init', run: paneRunInfo(info), records: await readMetrics(dir) });
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
