// The engine's CPU path: the same job handling (engine-core.ts) on the CPU backend in a Web
// Worker, so scoring never blocks the engine page. The page starts it from a blob: URL and
// forwards the host's messages for the models it placed here.
import { CpuBackend } from '../../kernels/cpu-backend';
import type { FromEngine, ToEngine } from '../../protocol/messages';
import { EngineCore } from './engine-core';

interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToEngine>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

let backend: CpuBackend | undefined;
const send = (m: FromEngine) => {
  const transfer =
    m.type === 'chunkScored' ? [m.surprisal.buffer, m.delta.buffer] : m.type === 'generated' ? [m.tokens.buffer] : [];
  scope.postMessage(m, transfer as Transferable[]);
};
const core = new EngineCore(
  async () => ({ backend: (backend ??= new CpuBackend()), name: 'cpu', reason: 'cpu' }),
  send,
);
scope.onmessage = (e) => {
  void core.handle(e.data);
};
