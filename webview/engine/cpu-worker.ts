// The engine's CPU path: the same engine calls (engine-core.ts) on the CPU backend in a Web
// Worker, so scoring never blocks the engine page. The page starts it from a blob: URL and asks it,
// over the engine channel, the calls for the models it placed here.
import { CpuBackend } from '../../kernels/cpu-backend';
import { Channel, eventPort, type MessageEventTarget, type MessageSender } from '../../protocol/channel';
import {
  ENGINE_CHANNEL,
  engineServerValidators,
  type EngineCaller,
  type EngineServer,
} from '../../protocol/engine-messages';
import { EngineCore } from './engine-core';
import { kernelModels } from './kernel-engine-model';

let backend: CpuBackend | undefined;
const core = new EngineCore(
  kernelModels(async () => ({ backend: (backend ??= new CpuBackend()), name: 'cpu', reason: 'cpu' })),
);
new Channel<EngineServer, EngineCaller>({
  name: ENGINE_CHANNEL,
  port: eventPort(globalThis as unknown as MessageEventTarget & MessageSender),
  validate: engineServerValidators,
}).serve(core.handlers);
