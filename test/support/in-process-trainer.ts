// The engine page's trainer (webview/engine/engine-trainer.ts) run in this process behind the
// host's real EngineClient, StepCallRelay and the session's webviewStepEngines: the chain a run
// inside VS Code takes, with every hop structured-cloned as postMessage does (worker <-> host,
// host <-> page) and delivered asynchronously. `close` plays the engine view going away.
import { EngineClient } from '../../extension/core/engine/engine-client';
import { PROTOCOL_VERSION, type FromEngine, type ToEngine, type TrainToEngine } from '../../protocol/messages';
import type { StepEngineFactory } from '../../extension/core/runs/step-engine';
import { StepCallRelay, webviewStepEngines } from '../../extension/core/runs/webview-step-engine';
import { EngineTrainer, type TrainerGpuChooser } from '../../webview/engine/engine-trainer';

export interface InProcessTrainer {
  client: EngineClient;
  trainer: EngineTrainer;
  relay: StepCallRelay;
  stepEngines: StepEngineFactory;
  /** The view goes away: the host's client fails every call; the page's trainers are freed once their last call ends. */
  close(): Promise<void>;
}

const isTrain = (m: ToEngine): m is TrainToEngine => m.type.startsWith('train');

export function inProcessTrainer(choose: TrainerGpuChooser, timeoutMs = 120_000): InProcessTrainer {
  const deliver = (m: FromEngine) => {
    const copy = structuredClone(m);
    setTimeout(() => client.receive(copy), 0);
  };
  const trainer = new EngineTrainer(choose, deliver);
  let working: Promise<void> = Promise.resolve();
  const client: EngineClient = new EngineClient(
    (m) => {
      const copy = structuredClone(m);
      setTimeout(() => {
        if (isTrain(copy)) working = trainer.handle(copy);
      }, 0);
      return Promise.resolve(true);
    },
    () => ({ backend: 'auto', cpuWorkerUri: 'in-process', timeoutMs }),
  );
  deliver({ type: 'ready', protocol: PROTOCOL_VERSION, webgpu: { available: true, detail: 'in-process engine page' } });
  const relay = new StepCallRelay(() => Promise.resolve(client));
  const stepEngines = webviewStepEngines(async (call) => structuredClone(await relay.answer(structuredClone(call))));
  return {
    client,
    trainer,
    relay,
    stepEngines,
    async close() {
      client.dispose('the engine view was closed');
      await new Promise((r) => setTimeout(r, 0)); // messages already posted arrive
      await working;
      trainer.dispose();
    },
  };
}
