// Worker-thread entry of the trainer (dist/train-worker.js), in one of two roles:
//   session   runs a training run (train-session.ts) off the extension host's event loop, asked by
//             the run manager on the train-worker channel (train-worker-messages.ts); with
//             webviewGpu its WebGPU steps are training calls on that channel (webview-step-engine.ts).
//   gradient  computes one shard of each batch's gradient for a ParallelGradient.
import { parentPort, workerData } from 'node:worker_threads';
import { Channel, nodePort } from '../../../protocol/channel';
import type { TrainingCaller } from '../../../protocol/training-calls';
import { serveGradientShard, type GradientShardInit } from './parallel-gradient';
import { runSession } from './train-session';
import { sessionWorkerValidators, TRAIN_WORKER_CHANNEL, type ManagerSays } from './train-worker-messages';
import { webviewStepEngines } from './webview-step-engine';

export interface SessionWorkerInit {
  role: 'session';
}

function serveSession(): void {
  const manager = new Channel<TrainingCaller, ManagerSays>({
    name: TRAIN_WORKER_CHANNEL,
    port: nodePort(parentPort!),
    validate: sessionWorkerValidators,
  });
  const cancel = new AbortController();
  manager.on('cancel', () => cancel.abort());
  manager.serve({
    run: (run, ctx) =>
      runSession(run.runDir, {
        signal: cancel.signal,
        threads: run.threads,
        ...(run.webviewGpu ? { stepEngines: webviewStepEngines(manager) } : {}),
        onProgress: (progress) => ctx.progress({ type: 'progress', progress }),
        onLog: (line) => ctx.progress({ type: 'log', line }),
      }),
  });
}

if (parentPort) {
  const init = workerData as GradientShardInit | SessionWorkerInit;
  if (init.role === 'gradient') serveGradientShard(init, parentPort);
  else serveSession();
}
