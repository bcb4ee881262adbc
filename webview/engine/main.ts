// The engine webview page: serves the host's engine calls (protocol/engine-messages.ts) and runs
// them with the kernels/ model on WebGPU when navigator.gpu gives an adapter (a software fallback
// adapter only when the backend is "webgpu", not "auto"), else on the CPU backend in a Web Worker
// (cpu-worker.ts), which it asks the same calls over its own channel. Each model lives where it
// was loaded; later calls for it go there. A model asked for on 'onnx' goes to the ONNX worker
// (onnx-worker.ts: onnxruntime-web) instead. The loadModel answer says which backend ran and why;
// the page shows it with the speed of the last job.
// Training runs' steps (the training channel, protocol/training-calls.ts) go to engine-trainer.ts on this page's GPU.
import { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import {
  Channel,
  eventPort,
  Transferring,
  type HandlerContext,
  type PayloadOf,
  type Port,
  type ProgressOf,
  type ReplyOf,
  type RequestType,
} from '../../protocol/channel';
import {
  ENGINE_CHANNEL,
  PROTOCOL_VERSION,
  engineCallerValidators,
  engineServerValidators,
  type EngineCaller,
  type EngineChoice,
  type EngineServer,
} from '../../protocol/engine-messages';
import {
  TRAINING_CHANNEL,
  trainingServerValidators,
  type TrainingCaller,
  type TrainingServer,
} from '../../protocol/training-calls';
import { EngineCore } from './engine-core';
import { kernelModels, type ChosenEngineBackend } from './kernel-engine-model';
import { EngineTrainer } from './engine-trainer';
import { modelLabel } from './model-label';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };
const host = acquireVsCodeApi();

type Place = 'gpu' | 'worker' | 'onnx';
type WorkerPlace = Exclude<Place, 'gpu'>;
let cpuWorkerUri: string | undefined;
const workers = new Map<WorkerPlace, Channel<EngineCaller, EngineServer>>();
/** Each worker's script, beside the CPU worker's. */
const WORKER_SCRIPTS: Record<WorkerPlace, string> = { worker: 'cpu-worker.js', onnx: 'onnx-worker.js' };
let gpuBackend: Promise<ChosenEngineBackend> | undefined;

// ---------------------------------------------------------------- what the page shows

const root = document.getElementById('root') ?? document.body;
const lines = {
  webgpu: line('WebGPU: checking…'),
  models: line('no model loaded'),
  last: line('no job yet'),
  training: line(''),
};
function line(text: string): HTMLDivElement {
  const d = document.createElement('div');
  d.textContent = text;
  root.append(d);
  return d;
}
const placedModels = new Map<string, string>();
function showModels(): void {
  lines.models.textContent =
    [...placedModels].map(([key, where]) => `model ${modelLabel(key)}: ${where}`).join('\n') || 'no model loaded';
  lines.models.style.whiteSpace = 'pre-wrap';
}

// ---------------------------------------------------------------- WebGPU and the worker

async function probeWebGpu(): Promise<{ available: boolean; detail: string }> {
  if (!('gpu' in navigator) || !navigator.gpu)
    return { available: false, detail: 'navigator.gpu is missing in this webview' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { available: false, detail: 'navigator.gpu.requestAdapter() gave no adapter' };
  const info = adapter.info;
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  return {
    available: true,
    detail: `${name}${(info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ? ' (fallback adapter)' : ''}`,
  };
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function webgpu(): Promise<ChosenEngineBackend> {
  // A device that was lost (or broke) is replaced: a run resumed after a device loss gets a fresh one.
  const cached = await gpuBackend?.catch(() => undefined);
  try {
    (cached?.backend as WebGpuBackend | undefined)?.gpuDevice.check();
  } catch {
    gpuBackend = undefined;
  }
  // WebGpuBackend directly, not createBackend: its Node fallback (Dawn) cannot be bundled for a webview.
  gpuBackend ??= (async () => {
    if (!('gpu' in navigator) || !navigator.gpu) throw new Error('navigator.gpu is missing in this webview');
    const backend = await WebGpuBackend.create(navigator.gpu);
    return { backend, name: 'webgpu' as const, reason: `webgpu: ${backend.description}` };
  })();
  gpuBackend.catch(() => {
    gpuBackend = undefined;
  });
  return gpuBackend;
}

function startWorker(place: WorkerPlace): Promise<Worker> {
  if (!cpuWorkerUri)
    return Promise.reject(new Error('the host has not said where the CPU worker script is (no configure message)'));
  return fetch(new URL(WORKER_SCRIPTS[place], cpuWorkerUri))
    .then((r) => r.text())
    .then((source) => new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))));
}

/** A port to a worker that is still starting: messages wait for it, in the order they were posted. */
function startingPort(started: Promise<Worker>): Port {
  const port = started.then((w) => eventPort(w, { postMessage: (m, transfer = []) => w.postMessage(m, transfer) }));
  port.catch(() => undefined);
  return {
    post: (message, transfer) => {
      void port.then(
        (p) => {
          p.post(message, transfer);
        },
        () => undefined,
      );
    },
    subscribe: (listener) => {
      const unsubscribe = port.then((p) => p.subscribe(listener));
      return () => {
        void unsubscribe.then(
          (off) => off(),
          () => undefined,
        );
      };
    },
  };
}

/** The channel to a worker, starting one when there is none (or the last one failed). */
function workerChannel(place: WorkerPlace): Channel<EngineCaller, EngineServer> {
  const running = workers.get(place);
  if (running && !running.disposed) return running;
  const started = startWorker(place);
  const channel = new Channel<EngineCaller, EngineServer>({
    name: ENGINE_CHANNEL,
    port: startingPort(started),
    validate: engineCallerValidators,
  });
  // The ONNX worker finds its .wasm from the worker scripts' location (it runs from a blob: URL).
  if (place === 'onnx') channel.notify('configure', { backend: 'onnx', cpuWorkerUri: cpuWorkerUri ?? '' });
  // A worker that fails to start or dies fails what was asked of it; the next call starts another.
  started.then(
    (w) => {
      w.onerror = (e) => {
        channel.dispose(new Error(`${where(place)} failed: ${e.message}`));
        w.terminate();
      };
    },
    (e: unknown) => channel.dispose(e instanceof Error ? e : new Error(String(e))),
  );
  workers.set(place, channel);
  return channel;
}

// WebGPU models run here on the page; the chooser only ever serves WebGPU (CPU models go to the worker).
const gpuCore = new EngineCore(kernelModels(() => webgpu()));

/** WebGPU for a preference, or why the CPU runs instead ('auto' without a hardware adapter); 'webgpu' without an adapter throws. */
async function gpuOrCpuReason(
  preference: 'auto' | 'webgpu',
): Promise<{ gpu: ChosenEngineBackend } | { cpuReason: string }> {
  try {
    const gpu = await webgpu();
    const declined = preference === 'auto' ? (gpu.backend as WebGpuBackend).gpuDevice.autoDeclineReason : undefined;
    return declined ? { cpuReason: declined } : { gpu };
  } catch (e) {
    if (preference === 'webgpu') throw e;
    return { cpuReason: `cpu: no WebGPU adapter (${errorText(e)})` };
  }
}

/** Where a new model goes: WebGPU, the CPU worker with the reason, or the ONNX worker. */
async function placeModel(preference: EngineChoice): Promise<{ place: Place; cpuReason?: string }> {
  if (preference === 'onnx') return { place: 'onnx' };
  if (preference === 'cpu') return { place: 'worker', cpuReason: 'cpu: requested' };
  const r = await gpuOrCpuReason(preference);
  return 'gpu' in r ? { place: 'gpu' } : { place: 'worker', cpuReason: r.cpuReason };
}

// ---------------------------------------------------------------- the host's engine calls

/**
 * Asks `type` of where the model is: this page's GPU core, or the CPU worker (handing it the
 * payload's arrays). The call goes out at once, so calls asked in order reach the core in order.
 */
function ask<K extends RequestType<EngineCaller>>(
  place: Place,
  type: K,
  payload: PayloadOf<EngineCaller, K>,
  ctx: HandlerContext<ProgressOf<EngineCaller, K>>,
): Promise<ReplyOf<EngineCaller, K>> {
  if (place === 'gpu')
    return Promise.resolve(gpuCore.handlers[type](payload, ctx)).then((r) => (r instanceof Transferring ? r.value : r));
  const transfer = Object.values(payload as object)
    .filter((v): v is ArrayBufferView => ArrayBuffer.isView(v))
    .map((v) => v.buffer as ArrayBuffer);
  return workerChannel(place).request(type, payload, {
    signal: ctx.signal,
    transfer,
    onProgress: (p) => ctx.progress(p),
  });
}

/** Where a model went. A load's entry resolves once its loadModel went there, so its weights follow it. */
const modelPlace = new Map<string, Promise<Place>>();
function placeOf(modelKey: string): Promise<Place> {
  return modelPlace.get(modelKey) ?? Promise.reject(new Error(`no model loaded under "${modelKey}"`));
}

const where = (place: Place): string => ({ gpu: 'WebGPU', worker: 'CPU worker', onnx: 'ONNX worker' })[place];

const hostPort = eventPort(window, host);
const engine = new Channel<EngineServer, EngineCaller>({
  name: ENGINE_CHANNEL,
  port: hostPort,
  validate: engineServerValidators,
});
engine.on('configure', (c) => {
  cpuWorkerUri = c.cpuWorkerUri;
});
engine.serve({
  loadModel: (p, ctx) => {
    const sent = placeModel(p.backend).then((placement) => ({
      placement,
      loaded: ask(placement.place, 'loadModel', placement.cpuReason ? { ...p, backend: 'cpu' } : p, ctx),
    }));
    const placed = sent.then((s) => s.placement.place);
    modelPlace.set(p.modelKey, placed);
    placed.catch(() => {
      if (modelPlace.get(p.modelKey) === placed) modelPlace.delete(p.modelKey);
    });
    return sent.then(async ({ placement, loaded }) => {
      const m = await loaded;
      const reason = placement.cpuReason ?? m.reason;
      placedModels.set(m.modelKey, `${m.backend} on ${m.device} (${reason}), loaded in ${m.loadMs.toFixed(0)} ms`);
      showModels();
      return { ...m, reason };
    });
  },
  weights: async (p, ctx) => ask(await placeOf(p.modelKey), 'weights', p, ctx),
  score: async (p, ctx) => ask(await placeOf(p.modelKey), 'score', p, ctx),
  scoreChunk: async (p, ctx) => {
    const place = await placeOf(p.modelKey);
    const r = await ask(place, 'scoreChunk', p, ctx);
    const n = r.surprisal.length;
    lines.last.textContent = `last chunk: ${n.toLocaleString('en-US')} tokens in ${r.elapsedMs.toFixed(0)} ms (${Math.round((1000 * n) / Math.max(1e-3, r.elapsedMs)).toLocaleString('en-US')} tokens/s) on ${where(place)}`;
    return r;
  },
  generate: async (p, ctx) => {
    const place = await placeOf(p.modelKey);
    const r = await ask(place, 'generate', p, ctx);
    lines.last.textContent = `generated ${p.steps.toLocaleString('en-US')} tokens in ${r.elapsedMs.toFixed(0)} ms on ${where(place)}`;
    return r;
  },
});

// Training runs here on the page's GPU only; a run that gets no GPU here trains in the host's CPU worker.
const trainer = new EngineTrainer(
  async (preference) => {
    let r: Awaited<ReturnType<typeof gpuOrCpuReason>>;
    try {
      r = await gpuOrCpuReason(preference);
    } catch (e) {
      throw new Error(`WebGPU is not available in the engine view: ${errorText(e)}; pick cpu`);
    }
    return 'gpu' in r ? { backend: r.gpu.backend as WebGpuBackend, reason: r.gpu.reason } : { reason: r.cpuReason };
  },
  (s) => {
    lines.training.textContent =
      s.lost !== undefined
        ? `training: device lost (${s.lost})`
        : `training: ${s.open} run(s) on WebGPU, ${s.steps.toLocaleString('en-US')} steps taken on this page`;
  },
);
new Channel<TrainingServer, TrainingCaller>({
  name: TRAINING_CHANNEL,
  port: hostPort,
  validate: trainingServerValidators,
}).serve(trainer.handlers);

void probeWebGpu()
  .catch((e: unknown) => ({ available: false, detail: `WebGPU probe failed: ${errorText(e)}` }))
  .then((webgpu) => {
    lines.webgpu.textContent = `WebGPU: ${webgpu.available ? `available, ${webgpu.detail}` : `not available (${webgpu.detail}); models run on the CPU in a worker`}`;
    engine.notify('ready', { protocol: PROTOCOL_VERSION, webgpu });
  });
