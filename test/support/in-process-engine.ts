// The engine's calls (webview/engine/engine-core.ts) served in this process on the CPU backend,
// behind the host's real EngineClient: the same engine channel over a port pair that clones and
// transfers as postMessage does, checked by the same validators, without a webview. Used by the
// engine tests and the harness data script.
import { CpuBackend } from '../../kernels/cpu-backend';
import { EngineClient } from '../../extension/core/engine/engine-client';
import { Channel } from '../../protocol/channel';
import {
  ENGINE_CHANNEL,
  PROTOCOL_VERSION,
  engineServerValidators,
  type EngineCaller,
  type EngineServer,
} from '../../protocol/engine-messages';
import { EngineCore } from '../../webview/engine/engine-core';
import type { ModelMaker } from '../../webview/engine/engine-model';
import { kernelModels } from '../../webview/engine/kernel-engine-model';
import { portPair } from './port-pair';

export interface InProcessEngine {
  client: EngineClient;
  core: EngineCore;
  backend: CpuBackend;
  dispose(): void;
}

/** `models` puts the loaded models somewhere else than on this engine's CPU backend (the ONNX path). */
export function inProcessEngine(timeoutMs = 120_000, models?: ModelMaker): InProcessEngine {
  const backend = new CpuBackend();
  const { a, b } = portPair();
  const core = new EngineCore(models ?? kernelModels(async () => ({ backend, name: 'cpu', reason: 'cpu: requested' })));
  const page = new Channel<EngineServer, EngineCaller>({
    name: ENGINE_CHANNEL,
    port: b,
    validate: engineServerValidators,
  });
  page.serve(core.handlers);
  const client = new EngineClient(a, () => ({ backend: 'cpu', cpuWorkerUri: 'in-process', timeoutMs }));
  page.notify('ready', {
    protocol: PROTOCOL_VERSION,
    webgpu: { available: false, detail: 'in-process engine (no webview)' },
  });
  return {
    client,
    core,
    backend,
    dispose() {
      client.dispose('engine disposed');
      page.dispose('engine disposed');
      core.dispose();
      backend.dispose();
    },
  };
}
