// The engine page's trainer (webview/engine/engine-trainer.ts) run in this process behind the
// chain a run inside VS Code takes: the session's webviewStepEngines on its worker's channel to the
// host, the host's relayTraining passing each call on over the training channel to the page, every
// message structured-cloned and delivered on a later task as postMessage does (test/support/port-pair.ts)
// and checked by the real validators on each side. `close` plays the engine view going away.
import { Channel } from '../../protocol/channel';
import {
  TRAINING_CHANNEL,
  trainingCallerValidators,
  trainingServerValidators,
  type TrainingCaller,
  type TrainingServer,
} from '../../protocol/training-calls';
import { relayTraining, type TrainingPage } from '../../extension/core/engine/engine-training';
import type { StepEngineFactory } from '../../extension/core/runs/step-engine';
import {
  managerValidators,
  sessionWorkerValidators,
  TRAIN_WORKER_CHANNEL,
  type ManagerSays,
} from '../../extension/core/runs/train-worker-messages';
import { webviewStepEngines } from '../../extension/core/runs/webview-step-engine';
import { EngineTrainer, type TrainerGpuChooser } from '../../webview/engine/engine-trainer';
import { portPair } from './port-pair';

export interface InProcessTrainer {
  trainer: EngineTrainer;
  /** The host's channel to the page, as EngineView.trainingPage gives it. */
  page: TrainingPage;
  stepEngines: StepEngineFactory;
  /** The view goes away: the host's channel fails every call; the page's trainers are freed once their last call ends. */
  close(): Promise<void>;
}

/** The session worker's channel to a host whose training calls `openPage` answers (relayTraining). */
export function workerToHost(openPage: () => Promise<TrainingPage>): Channel<TrainingCaller, ManagerSays> {
  const { a, b } = portPair();
  const host = new Channel<ManagerSays, TrainingCaller>({
    name: TRAIN_WORKER_CHANNEL,
    port: b,
    validate: managerValidators,
  });
  relayTraining(host, openPage);
  return new Channel<TrainingCaller, ManagerSays>({
    name: TRAIN_WORKER_CHANNEL,
    port: a,
    validate: sessionWorkerValidators,
  });
}

export function inProcessTrainer(choose: TrainerGpuChooser, timeoutMs = 120_000): InProcessTrainer {
  const { a, b } = portPair();
  const trainer = new EngineTrainer(choose);
  const pageSide = new Channel<TrainingServer, TrainingCaller>({
    name: TRAINING_CHANNEL,
    port: b,
    validate: trainingServerValidators,
  });
  pageSide.serve(trainer.handlers);
  const page: TrainingPage = new Channel({
    name: TRAINING_CHANNEL,
    port: a,
    validate: trainingCallerValidators,
    timeoutMs,
  });
  return {
    trainer,
    page,
    stepEngines: webviewStepEngines(workerToHost(() => Promise.resolve(page))),
    async close() {
      page.dispose('the engine view was closed');
      await new Promise((r) => setTimeout(r, 0)); // messages already posted arrive
      await trainer.dispose();
      pageSide.dispose('the engine view was closed');
    },
  };
}
