// The live training pane: a webview panel per run showing training and validation loss
// (bits/token) over steps, fed from metrics.jsonl when it opens (read in chunks, thinned to a
// bounded curve, and on a later init only what was appended) and from the run manager's progress
// events after. The run trains in its worker whether the pane is visible, hidden or
// closed; the pane only watches (and offers cancel and resume).
import * as vscode from 'vscode';
import { makeNonce, webviewShell } from './webview-html';
import { rangeText } from '../../core/runs/data-range';
import { FollowedCurve } from '../../core/runs/metric-curve';
import { runFiles } from '../../core/runs/run-dir';
import type { RunInfo, RunManager } from '../../core/runs/run-manager';
import { Channel } from '../../../protocol/channel';
import {
  TRAINING_PANE_CHANNEL,
  trainingPaneHostValidators,
  type PanePhase,
  type PaneRunInfo,
  type TrainingPaneHostSays,
  type TrainingPaneSays,
} from '../../../protocol/training-messages';

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

type PaneChannel = Channel<TrainingPaneHostSays, TrainingPaneSays>;

export class TrainingPanes implements vscode.Disposable {
  private readonly panes = new Map<
    string,
    { panel: vscode.WebviewPanel; channel: PaneChannel; curve: FollowedCurve }
  >();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly manager: RunManager,
    private readonly resume: (dir: string) => Promise<void>,
    private readonly log: vscode.OutputChannel,
  ) {
    manager.on('progress', (dir, p) =>
      this.channel(dir)?.notify('metric', {
        record: p,
        totalSteps: p.totalSteps,
        budgetSec: p.budgetSec,
        backend: p.backend,
      }),
    );
    manager.on('ended', (dir, o) => {
      const message = o.error ?? o.message;
      void this.manager.info(dir).then((info) =>
        this.channel(dir)?.notify('phase', {
          phase: info.phase,
          step: info.step,
          ...(message ? { message } : {}),
        }),
      );
    });
  }

  private channel(dir: string): PaneChannel | undefined {
    return this.panes.get(dir)?.channel;
  }

  /** Where the run stands: one still training is running whatever its status.json says yet. */
  private standing(dir: string, info: RunInfo): PanePhase {
    return {
      phase: this.manager.isLive(dir) ? 'running' : info.phase,
      step: info.step,
      ...(info.message ? { message: info.message } : {}),
    };
  }

  private async init(dir: string): Promise<void> {
    const pane = this.panes.get(dir);
    if (!pane) return;
    const info = await this.manager.info(dir);
    const records = await pane.curve.records();
    this.channel(dir)?.notify('init', { run: { ...paneRunInfo(info), ...this.standing(dir, info) }, records });
  }

  /** Opens (or reveals) the pane of the run in `dir`. */
  async show(dir: string): Promise<void> {
    const existing = this.panes.get(dir);
    if (existing) {
      existing.panel.reveal();
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
    const channel: PaneChannel = new Channel({
      name: TRAINING_PANE_CHANNEL,
      port: {
        post: (m) => panel.webview.postMessage(m),
        subscribe: (listener) => {
          const d = panel.webview.onDidReceiveMessage(listener);
          return () => d.dispose();
        },
      },
      validate: trainingPaneHostValidators,
      onInvalid: (e) => this.log.appendLine(`training pane ${info.name}: ${e.message}`),
    });
    channel.on(
      'ready',
      () => void this.init(dir).catch((e: unknown) => this.log.appendLine(`training pane ${info.name}: ${String(e)}`)),
    );
    channel.serve({
      cancel: async () => {
        await this.manager.cancel(dir);
        return this.standing(dir, await this.manager.info(dir));
      },
      resume: async () => {
        await this.resume(dir);
        return this.standing(dir, await this.manager.info(dir));
      },
    });
    this.panes.set(dir, {
      panel,
      channel,
      curve: new FollowedCurve(runFiles(dir).metrics),
    });
    panel.onDidDispose(
      () => {
        channel.dispose('the training pane was closed');
        this.panes.delete(dir);
      },
      undefined,
      this.subscriptions,
    );
    const nonce = makeNonce();
    panel.webview.html = webviewShell({
      title: `Training ${info.name}`,
      cspSource: panel.webview.cspSource,
      nonce,
      workers: false,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'training.js')).toString(),
    });
  }

  /** Tells an open pane that its run started again (after resume). */
  async refresh(dir: string): Promise<void> {
    if (this.panes.has(dir)) await this.init(dir);
  }

  dispose(): void {
    for (const p of this.panes.values()) p.panel.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
