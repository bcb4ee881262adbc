// Worker-thread entry of the trainer (dist/train-worker.js), in one of two roles:
//   session   runs a whole training run (train-session.ts) off the extension host's event loop,
//             posting progress and log lines; a 'cancel' message stops it after a checkpoint.
//   gradient  computes one shard of each batch's gradient for a ParallelGradient.
import { parentPort, workerData } from 'node:worker_threads';
import { serveGradientShard, type GradientShardInit } from './parallel-gradient';
import { runSession, type SessionResult, type TrainProgress } from './train-session';

export interface SessionWorkerInit { role: 'session'; runDir: string; threads?: number }

export type FromTrainWorker =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'log'; line: string }
  | { type: 'done'; result: SessionResult }
  | { type: 'error'; message: string };

export type ToTrainWorker = { type: 'cancel' };

function serveSession(init: SessionWorkerInit): void {
  const port = parentPort!;
  const controller = new AbortController();
  port.on('message', (m: ToTrainWorker) => { if (m.type === 'cancel') controller.abort(); });
  const post = (m: FromTrainWorker) => port.postMessage(m);
  runSession(init.runDir, {
    signal: controller.signal, threads: init.threads,
    onProgress: (progress) => post({ type: 'progress', progress }),
    onLog: (line) => post({ type: 'log', line }),
  }).then(
    (result) => { post({ type: 'done', result }); port.close(); },
    (err: unknown) => { post({ type: 'error', message: err instanceof Error ? err.message : String(err) }); port.close(); },
  );
}

if (parentPort) {
  const init = workerData as GradientShardInit | SessionWorkerInit;
  if (init.role === 'gradient') serveGradientShard(init, parentPort);
  else serveSession(init);
}
