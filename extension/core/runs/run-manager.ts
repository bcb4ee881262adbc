// Training runs of a workspace: lists .seqlab/runs/*, starts or resumes a run in a worker thread
// (train-worker.js, so the extension host's event loop never trains), cancels it, and reports
// progress as events. A run whose status says running but which no worker of this process runs
// and whose process is gone was interrupted (a crash, a closed window): it can be resumed. With a
// step relay, a run's WebGPU steps go from its worker through this thread to the engine webview.
import { EventEmitter } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readMetrics, readRunSpec, readStatus, RUNS_DIR, type MetricRecord, type RunSpec } from './run-dir';
import type { TrainProgress } from './train-session';
import type { RunPhase } from '../../../protocol/training-messages';
import type { FromTrainWorker, SessionWorkerInit, ToTrainWorker } from './train-worker';
import type { StepCall, StepReply } from './webview-step-engine';

export interface RunInfo {
  name: string;
  dir: string;
  spec: RunSpec;
  phase: RunPhase;
  step: number;
  lastValBits?: number;
  message?: string;
}

export interface RunManagerEvents {
  progress: [dir: string, progress: TrainProgress];
  log: [dir: string, line: string];
  ended: [dir: string, outcome: RunOutcome];
  changed: [];
}

/** How a run's worker ended: error when it failed, message when it was interrupted (and why). */
export interface RunOutcome {
  state: string;
  step: number;
  error?: string;
  message?: string;
}

function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class RunManager extends EventEmitter<RunManagerEvents> {
  private readonly live = new Map<string, Worker>();

  /** `relay` answers the workers' StepCalls on the engine webview (StepCallRelay.answer); without it WebGPU runs use Dawn in the worker. */
  constructor(
    private readonly workerScript: string,
    private readonly relay?: (call: StepCall) => Promise<StepReply>,
  ) {
    super();
  }

  static runsRoot(workspaceRoot: string): string {
    return join(workspaceRoot, RUNS_DIR);
  }

  isLive(dir: string): boolean {
    return this.live.has(dir);
  }

  async info(dir: string): Promise<RunInfo> {
    const spec = await readRunSpec(dir);
    const status = await readStatus(dir);
    let phase: RunPhase = status?.state ?? 'new';
    if (phase === 'running' && !this.live.has(dir) && (status?.pid === process.pid || !processAlive(status?.pid)))
      phase = 'interrupted';
    const metrics: MetricRecord[] = await readMetrics(dir);
    const lastVal = [...metrics].reverse().find((m) => m.valBits !== undefined);
    return {
      name: spec.name,
      dir,
      spec,
      phase,
      step: status?.step ?? 0,
      lastValBits: lastVal?.valBits,
      message: status?.message,
    };
  }

  /** Every run under the workspace's .seqlab/runs, newest name last. */
  async list(workspaceRoot: string): Promise<RunInfo[]> {
    const root = RunManager.runsRoot(workspaceRoot);
    const names = await readdir(root).catch(() => [] as string[]);
    const out: RunInfo[] = [];
    for (const n of names.sort()) {
      try {
        out.push(await this.info(join(root, n)));
      } catch {
        /* not a run directory */
      }
    }
    return out;
  }

  /** Starts (or resumes from its latest checkpoint) the run in `dir` on a worker thread. */
  start(dir: string): void {
    if (this.live.has(dir)) throw new Error(`run ${dir} is already training`);
    const init: SessionWorkerInit = { role: 'session', runDir: dir, webviewGpu: this.relay !== undefined };
    const worker = new Worker(this.workerScript, { workerData: init });
    this.live.set(dir, worker);
    let ended = false;
    const end = (outcome: RunOutcome) => {
      if (ended) return;
      ended = true;
      this.live.delete(dir);
      this.emit('ended', dir, outcome);
      this.emit('changed');
    };
    const relay = this.relay;
    worker.on('message', (m: FromTrainWorker) => {
      if (m.type === 'step' && relay) {
        void relay(m.call).then((reply) =>
          worker.postMessage({ type: 'stepReply', id: m.id, reply } satisfies ToTrainWorker),
        );
      } else if (m.type === 'progress') this.emit('progress', dir, m.progress);
      else if (m.type === 'log') this.emit('log', dir, m.line);
      else if (m.type === 'done')
        end({ state: m.result.state, step: m.result.step, ...(m.result.message ? { message: m.result.message } : {}) });
      else if (m.type === 'error') end({ state: 'failed', step: 0, error: m.message });
    });
    worker.on('error', (err) => end({ state: 'failed', step: 0, error: err.message }));
    worker.on('exit', (code) =>
      end({
        state: code === 0 ? 'finished' : 'failed',
        step: 0,
        ...(code === 0 ? {} : { error: `trainer exited with code ${code}` }),
      }),
    );
    this.emit('changed');
  }

  /** Asks the run to stop; it writes a checkpoint first. Resolves when it has ended. */
  cancel(dir: string): Promise<void> {
    const worker = this.live.get(dir);
    if (!worker) return Promise.resolve();
    const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'cancel' } satisfies ToTrainWorker);
    return done;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live.keys()].map((d) => this.cancel(d)));
  }
}
