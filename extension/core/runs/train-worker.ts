// Worker-thread entry of the trainer (dist/train-worker.js), in one of two roles:
//   session   runs a whole training run (train-session.ts) off the extension host's event loop,
//             posting progress and log lines; a 'cancel' message stops it after a checkpoint.
//             With webviewGpu its WebGPU steps go to the host as StepCalls (webview-step-engine.ts).
//   gradient  computes one shard of each batch's gradient for a ParallelGradient.
import { parentPort, workerData } from 'node:worker_threads';
import { serveGradientShard, type GradientShardInit } from './parallel-gradient';
import { runSession, type SessionResult, type TrainProgress } from './train-session';
import { webviewStepEngines, type StepCall, type StepReply } from './webview-step-engine';

/** webviewGpu: the host relays StepCalls to the engine webview (else WebGPU would be Dawn in this thread). */
export interface SessionWorkerInit {
  role: 'session';
  runDir: string;
  threads?: number;
  webviewGpu?: boolean;
}

export type FromTrainWorker =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'log'; line: string }
  | { type: 'done'; result: SessionResult }
  | { type: 'error'; message: string }
  | { type: 'step'; id: number; call: StepCall };

export type ToTrainWorker = { type: 'cancel' } | { type: 'stepReply'; id: number; reply: StepReply };

function serveSession(init: SessionWorkerInit): void {
  const port = parentPort!;
  const controller = new AbortController();
  const waiting = new Map<number, (r: StepReply) => void>();
  let nextCall = 1;
  port.on('message', (m: ToTrainWorker) => {
    if (m.type === 'cancel') controller.abort();
    else {
      waiting.get(m.id)?.(m.reply);
      waiting.delete(m.id);
    }
  });
  const post = (m: FromTrainWorker) => port.postMessage(m);
  const channel = (call: StepCall): Promise<StepReply> =>
    new Promise((resolve) => {
      const id = nextCall++;
      waiting.set(id, resolve);
      post({ type: 'step', id, call });
    });
  runSession(init.runDir, {
    signal: controller.signal,
    threads: init.threads,
    ...(init.webviewGpu ? { stepEngines: webviewStepEngines(channel) } : {}),
    onProgress: (progress) => post({ type: 'progress', progress }),
    onLog: (line) => post({ type: 'log', line }),
  }).then(
    (result) => {
      post({ type: 'done', result });
      port.close();
    },
    (err: unknown) => {
      post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      port.close();
    },
  );
}

if (parentPort) {
  const init = workerData as GradientShardInit | SessionWorkerInit;
  if (init.role === 'gradient') serveGradientShard(init, parentPort);
  else serveSession(init);
}
