// The engine webview's job handling (webview/engine/engine-core.ts) run in this process on the
// CPU backend, behind the host's real EngineClient: the same messages, checked by the same
// parseFromEngine, without a webview. Used by the engine tests and the harness data script.
import { CpuBackend } from '../../kernels/cpu-backend';
import { EngineClient } from '../../extension/core/engine/engine-client';
import { PROTOCOL_VERSION, type FromEngine } from '../../protocol/messages';
import { EngineCore } from '../../webview/engine/engine-core';

export interface InProcessEngine {
  client: EngineClient;
  core: EngineCore;
  backend: CpuBackend;
  dispose(): void;
}

export function inProcessEngine(timeoutMs = 120_000): InProcessEngine {
  const backend = new CpuBackend();
  // Delivered asynchronously, as postMessage does, so no reply overtakes the request that caused it
  // (and `client` below is set before the first delivery).
  const deliver = (m: FromEngine) => setTimeout(() => client.receive(m), 0);
  const core = new EngineCore(async () => ({ backend, name: 'cpu', reason: 'cpu: requested' }), deliver);
  const client: EngineClient = new EngineClient(
    (m) => {
      void core.handle(m);
      return Promise.resolve(true);
    },
    () => ({ backend: 'cpu', cpuWorkerUri: 'in-process', timeoutMs }),
  );
  deliver({
    type: 'ready',
    protocol: PROTOCOL_VERSION,
    webgpu: { available: false, detail: 'in-process engine (no webview)' },
  });
  return {
    client,
    core,
    backend,
    dispose() {
      client.dispose('engine disposed');
      core.dispose();
      backend.dispose();
    },
  };
}
