// Training runs of a workspace: lists .seqlab/runs/*, starts or resumes a run in a worker thread
// (train-worker.js, so the extension host's event loop never trains), cancels it, and reports
// progress as events. A run whose status says running but which no worker of this process runs
// and whose process is gone was interrupted (a crash, a closed window): it can be resumed. With an
// engine page, a run's WebGPU steps go from its worker through this thread to the engine webview.
import { EventEmitter } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { latestMetrics, type LatestMetrics } from './metrics-reader';
import { readRunSpec, readStatus, runFiles, RUNS_DIR, type RunSpec, type RunStatus } from './run-dir';
import type { TrainProgress } from './train-session';
import type { RunPhase } from '../../../protocol/training-messages';
import { Channel, nodePort } from '../../../protocol/channel';
import type { TrainingCaller } from '../../../protocol/training-calls';
import { relayTraining, type TrainingPage } from '../engine/engine-training';
import type { SessionWorkerInit } from './train-worker';
import { managerValidators, TRAIN_WORKER_CHANNEL, type ManagerSays } from './train-worker-messages';

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
  private readonly live = new Map<string, { worker: Worker; channel: Channel<ManagerSays, TrainingCaller> }>();
  /** Each run's latest metrics as last read: the next read takes only what was appended. */
  private readonly latest = new Map<string, LatestMetrics>();

  /** `trainingPage` opens the engine webview's trainer for the workers' WebGPU steps; without it WebGPU runs use Dawn in the worker. */
  constructor(
    private readonly workerScript: string,
    private readonly trainingPage?: () => Promise<TrainingPage>,
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
    // A run whose status.json is unreadable is listed as failed, saying why, so it can still be resumed.
    const status = await readStatus(dir).catch((err: Error): RunStatus => ({
      state: 'failed',
      step: 0,
      updated: '',
      message: err.message,
    }));
    let phase: RunPhase = status?.state ?? 'new';
    if (phase === 'running' && !this.live.has(dir) && (status?.pid === process.pid || !processAlive(status?.pid)))
      phase = 'interrupted';
    const metrics = await latestMetrics(runFiles(dir).metrics, this.latest.get(dir));
    if (metrics) this.latest.set(dir, metrics);
    else this.latest.delete(dir);
    return {
      name: spec.name,
      dir,
      spec,
      phase,
      step: status?.step ?? 0,
      lastValBits: metrics?.lastVal?.valBits,
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
    const worker = new Worker(this.workerScript, { workerData: { role: 'session' } satisfies SessionWorkerInit });
    const channel = new Channel<ManagerSays, TrainingCaller>({
      name: TRAIN_WORKER_CHANNEL,
      port: nodePort(worker),
      validate: managerValidators,
    });
    if (this.trainingPage) relayTraining(channel, this.trainingPage);
    this.live.set(dir, { worker, channel });
    let ended = false;
    const end = (outcome: RunOutcome) => {
      if (ended) return;
      ended = true;
      this.live.delete(dir);
      channel.dispose('the trainer ended');
      void worker.terminate(); // the session answered: its thread has nothing left to do
      this.emit('ended', dir, outcome);
      this.emit('changed');
    };
    channel
      .request(
        'run',
        { runDir: dir, webviewGpu: this.trainingPage !== undefined },
        {
          what: dir,
          onProgress: (e) => {
            if (e.type === 'progress') this.emit('progress', dir, e.progress);
            else this.emit('log', dir, e.line);
          },
        },
      )
      .then(
        (r) => end({ state: r.state, step: r.step, ...(r.message ? { message: r.message } : {}) }),
        (err: unknown) => end({ state: 'failed', step: 0, error: err instanceof Error ? err.message : String(err) }),
      );
    worker.on('error', (err) => end({ state: 'failed', step: 0, error: err.message }));
    worker.on('exit', (code) => end({ state: 'failed', step: 0, error: `trainer exited with code ${code}` }));
    this.emit('changed');
  }

  /** Asks the run to stop; it writes a checkpoint first. Resolves when it has ended. */
  cancel(dir: string): Promise<void> {
    const run = this.live.get(dir);
    if (!run) return Promise.resolve();
    const done = new Promise<void>((resolve) => run.worker.once('exit', () => resolve()));
    run.channel.notify('cancel', null);
    return done;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live.keys()].map((d) => this.cancel(d)));
  }
}
