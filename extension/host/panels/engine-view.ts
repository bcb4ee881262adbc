// The engine webview: one extension-owned WebviewView ("SeqLab Engine" in the panel area) with
// retainContextWhenHidden, where the model runs (WebGPU, or the CPU backend in a worker). It shows
// which backend ran and the job progress itself; the host reaches it through an EngineClient, and
// its trainer through the training channel (protocol/training-calls.ts).
import * as vscode from 'vscode';
import { EngineClient, EngineError, EngineGoneError } from '../../core/engine/engine-client';
import { jobTimeout, JOB_TIMEOUT_DEFAULT_S } from '../../core/engine/job-timeout';
import type { TrainingPage } from '../../core/engine/engine-training';
import { Channel, type Port } from '../../../protocol/channel';
import { TRAINING_CHANNEL, trainingCallerValidators } from '../../../protocol/training-calls';
import { makeNonce, webviewShell } from './webview-html';
import type { EngineChoice } from '../../../protocol/engine-messages';

export const ENGINE_VIEW_ID = 'seqlab.engine';

export class EngineView implements vscode.WebviewViewProvider, vscode.Disposable {
  private client: EngineClient | undefined;
  private training: TrainingPage | undefined;
  private view: vscode.WebviewView | undefined;
  private waiters: ((c: EngineClient) => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly errors: vscode.OutputChannel;
  /** The out-of-range timeout setting last warned about. */
  private warnedTimeout: unknown;

  constructor(
    private readonly extensionUri: vscode.Uri,
    log: vscode.OutputChannel,
  ) {
    this.errors = log;
    this.disposables.push(
      vscode.window.registerWebviewViewProvider(ENGINE_VIEW_ID, this, {
        webviewOptions: { retainContextWhenHidden: true },
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    // One port for both channels: each takes only the messages tagged with its name.
    const port: Port = {
      post: (m) => view.webview.postMessage(m),
      subscribe: (listener) => {
        const d = view.webview.onDidReceiveMessage(listener);
        return () => d.dispose();
      },
    };
    const client = new EngineClient(
      port,
      () => ({
        backend: vscode.workspace.getConfiguration('seqlab').get<EngineChoice>('backend', 'auto'),
        cpuWorkerUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'cpu-worker.js')).toString(),
        timeoutMs: this.jobTimeoutMs(),
      }),
      (e) => this.errors.appendLine(`engine webview sent a bad engine message: ${e.message}`),
    );
    const training: TrainingPage = new Channel({
      name: TRAINING_CHANNEL,
      port,
      validate: trainingCallerValidators,
      timeoutMs: this.jobTimeoutMs(),
      closedError: (reason) => new EngineGoneError(reason),
      onInvalid: (e) => this.errors.appendLine(`engine webview sent a bad training message: ${e.message}`),
    });
    view.onDidDispose(() => {
      client.dispose('the engine view was closed');
      training.dispose('the engine view was closed');
      if (this.client === client) {
        this.client = undefined;
        this.training = undefined;
        this.view = undefined;
      }
    });
    view.webview.html = webviewShell({
      title: 'SeqLab Engine',
      cspSource: view.webview.cspSource,
      nonce: makeNonce(),
      workers: true,
      wasm: true,
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'engine.js')).toString(),
    });
    this.client?.dispose('the engine view was replaced');
    this.training?.dispose('the engine view was replaced');
    this.client = client;
    this.training = training;
    this.view = view;
    for (const w of this.waiters.splice(0)) w(client);
  }

  /** seqlab.jobTimeoutSeconds clamped to a sane range; a value out of it is reported once. */
  private jobTimeoutMs(): number {
    const setting: unknown = vscode.workspace
      .getConfiguration('seqlab')
      .get('jobTimeoutSeconds', JOB_TIMEOUT_DEFAULT_S);
    const { ms, warning } = jobTimeout(setting);
    if (warning && setting !== this.warnedTimeout) {
      this.warnedTimeout = setting;
      this.errors.appendLine(warning);
      void vscode.window.showWarningMessage(`Mamba SeqLab: ${warning}`);
    }
    return ms;
  }

  /** The engine, opening its view when nobody has yet (a webview view only starts when shown). */
  async engine(): Promise<EngineClient> {
    if (this.client) return this.client;
    const got = new Promise<EngineClient>((resolve) => this.waiters.push(resolve));
    await vscode.commands.executeCommand(`${ENGINE_VIEW_ID}.focus`);
    const client = await Promise.race([
      got,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new EngineError('the engine view did not open within 30 s')), 30_000),
      ),
    ]);
    await client.whenReady();
    return client;
  }

  /** The engine page's trainer, opening the view when needed; its channel fails once the view goes away. */
  async trainingPage(): Promise<TrainingPage> {
    const client = await this.engine();
    if (client !== this.client || !this.training) throw new EngineGoneError('the engine view was replaced');
    return this.training;
  }

  show(): void {
    if (this.view) this.view.show(true);
    else void vscode.commands.executeCommand(`${ENGINE_VIEW_ID}.focus`);
  }

  dispose(): void {
    this.client?.dispose('the extension was deactivated');
    this.training?.dispose('the extension was deactivated');
    for (const d of this.disposables) d.dispose();
  }
}
