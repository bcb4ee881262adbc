// The engine's ONNX path: the same engine calls (engine-core.ts) with each model exported to an
// ONNX graph and run by onnxruntime-web in this Web Worker, on its WebGPU execution provider when
// the worker gets a hardware adapter (operators that provider lacks, such as Scan, run on wasm),
// else on wasm alone: a software fallback adapter is passed over, as 'auto' does on the page
// (on SwiftShader the graph ran correctly at a few tokens/s). One wasm thread: a webview is not cross-origin isolated, so no
// SharedArrayBuffer. The page starts it from a blob: URL and says, in `configure`, where the
// worker scripts are; the .wasm lies in ort/ beside them (scripts/build.mjs copies it there).
import * as ort from 'onnxruntime-web';
import { Channel, eventPort, type MessageEventTarget, type MessageSender } from '../../protocol/channel';
import {
  ENGINE_CHANNEL,
  engineServerValidators,
  type EngineCaller,
  type EngineServer,
} from '../../protocol/engine-messages';
import { EngineCore } from './engine-core';
import { onnxModels, type OnnxPlacement } from './onnx-engine-model';

ort.env.wasm.numThreads = 1;
let placement: Promise<OnnxPlacement> | undefined;

/** WebGPU when this worker gets a hardware adapter, else wasm; the reason says which and why. */
async function place(): Promise<OnnxPlacement> {
  const version = `onnxruntime-web ${ort.env.versions.web}`;
  const wasm = (why: string): OnnxPlacement => ({
    options: { executionProviders: ['wasm'] },
    reason: `onnx: wasm (${why})`,
    device: `${version} wasm, 1 thread`,
  });
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return wasm('no navigator.gpu in the worker');
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return wasm('no WebGPU adapter');
  const info = adapter.info;
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  if ((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter)
    return wasm(`the only WebGPU adapter, ${name}, is a software fallback`);
  ort.env.webgpu.adapter = adapter;
  return {
    options: { executionProviders: ['webgpu', 'wasm'] },
    reason: `onnx: WebGPU execution provider on ${name}, wasm for the rest`,
    device: `${version} webgpu + wasm`,
  };
}

const core = new EngineCore(onnxModels(ort, () => (placement ??= place())));
const channel = new Channel<EngineServer, EngineCaller>({
  name: ENGINE_CHANNEL,
  port: eventPort(globalThis as unknown as MessageEventTarget & MessageSender),
  validate: engineServerValidators,
});
channel.on('configure', (c) => {
  // Only the .wasm: this bundle holds onnxruntime's JS glue (a webview could not import it).
  ort.env.wasm.wasmPaths = { wasm: new URL('ort/ort-wasm-simd-threaded.jsep.wasm', c.cpuWorkerUri).href };
});
channel.serve(core.handlers);
