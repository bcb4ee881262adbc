// The engine webview page: takes jobs from the host by request id and runs them with the
// kernels/ model on WebGPU when navigator.gpu gives an adapter (a software fallback adapter only when
// the backend is "webgpu", not "auto"), else on
// the CPU backend in a Web Worker (cpu-worker.ts). Each model lives where it was loaded; later
// jobs for it go there. modelLoaded says which backend ran and why; the page shows it with the
// speed of the last job. Results stream back one chunk per message; cancel is honoured.
// Training runs' steps (the training channel, protocol/training-calls.ts) go to engine-trainer.ts on this page's GPU.
import { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import type { BackendChoice } from '../../kernels/backend';
import { Channel, eventPort } from '../../protocol/channel';
import { PROTOCOL_VERSION, type FromEngine, type ToEngine } from '../../protocol/messages';
import {
  TRAINING_CHANNEL,
  trainingServerValidators,
  type TrainingCaller,
  type TrainingServer,
} from '../../protocol/training-calls';
import { EngineCore, type ChosenEngineBackend } from './engine-core';
import { EngineTrainer } from './engine-trainer';
import { modelLabel } from './model-label';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };
const host = acquireVsCodeApi();

type Place = 'gpu' | 'worker';
const modelPlace = new Map<string, Place>();
const requestPlace = new Map<number, Place>();
const cpuReasons = new Map<number, string>(); // why a model went to the CPU, by loadModel request
let cpuWorkerUri: string | undefined;
let worker: Promise<Worker> | undefined;
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

function startWorker(): Promise<Worker> {
  worker ??= (async () => {
    if (!cpuWorkerUri) throw new Error('the host has not said where the CPU worker script is (no configure message)');
    const source = await (await fetch(cpuWorkerUri)).text();
    const w = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    w.onmessage = (e: MessageEvent<FromEngine>) => fromCore(e.data, 'worker');
    w.onerror = (e) => {
      for (const [id, place] of requestPlace)
        if (place === 'worker')
          fromCore(
            { type: 'failed', requestId: id, message: `CPU worker failed: ${e.message}`, cancelled: false },
            'worker',
          );
    };
    return w;
  })();
  worker.catch(() => {
    worker = undefined;
  });
  return worker;
}

// WebGPU models run here on the page; the chooser only ever serves WebGPU (CPU models go to the worker).
const gpuCore = new EngineCore(
  () => webgpu(),
  (m) => fromCore(m, 'gpu'),
);

// ---------------------------------------------------------------- routing

function fromCore(m: FromEngine, place: Place): void {
  if (m.type === 'modelLoaded') {
    const reason = place === 'worker' ? (cpuReasons.get(m.requestId) ?? m.reason) : m.reason;
    m = { ...m, reason };
    modelPlace.set(m.modelKey, place);
    placedModels.set(m.modelKey, `${m.backend} on ${m.device} (${reason}), loaded in ${m.loadMs.toFixed(0)} ms`);
    showModels();
  }
  if (m.type === 'chunkScored')
    lines.last.textContent = `last chunk: ${m.surprisal.length.toLocaleString('en-US')} tokens in ${m.elapsedMs.toFixed(0)} ms (${Math.round((1000 * m.surprisal.length) / Math.max(1e-3, m.elapsedMs)).toLocaleString('en-US')} tokens/s) on ${place === 'gpu' ? 'WebGPU' : 'CPU worker'}`;
  if (m.type === 'generated')
    lines.last.textContent = `generated ${m.tokens.length.toLocaleString('en-US')} tokens in ${m.elapsedMs.toFixed(0)} ms on ${place === 'gpu' ? 'WebGPU' : 'CPU worker'}`;
  if (
    m.type === 'failed' ||
    (m.type === 'chunkScored' && requestDone.has(m.requestId)) ||
    m.type === 'generated' ||
    m.type === 'modelLoaded'
  ) {
    requestPlace.delete(m.requestId);
    cpuReasons.delete(m.requestId);
    requestDone.delete(m.requestId);
  }
  host.postMessage(m);
}
const requestDone = new Set<number>(); // score jobs whose last chunk was sent

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

/** Where a new model goes: WebGPU, or the CPU worker with the reason. */
async function placeModel(requestId: number, preference: BackendChoice): Promise<Place> {
  if (preference === 'cpu') {
    cpuReasons.set(requestId, 'cpu: requested');
    return 'worker';
  }
  const r = await gpuOrCpuReason(preference);
  if ('gpu' in r) return 'gpu';
  cpuReasons.set(requestId, r.cpuReason);
  return 'worker';
}

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
  port: eventPort(window, host),
  validate: trainingServerValidators,
}).serve(trainer.handlers);

async function toPlace(place: Place, m: ToEngine): Promise<void> {
  if (place === 'gpu') await gpuCore.handle(m);
  else (await startWorker()).postMessage(m);
}

// Messages are handled in arrival order; placing a model waits for the WebGPU answer.
let order: Promise<void> = Promise.resolve();
function receive(m: ToEngine): void {
  if (m.type === 'cancel') {
    const place = requestPlace.get(m.requestId);
    if (place) void toPlace(place, m);
    return;
  }
  order = order
    .then(() => route(m))
    .catch((e: unknown) => {
      const requestId = 'requestId' in m ? m.requestId : -1;
      requestPlace.delete(requestId);
      host.postMessage({ type: 'failed', requestId, message: errorText(e), cancelled: false } satisfies FromEngine);
    });
}

async function route(m: Exclude<ToEngine, { type: 'cancel' }>): Promise<void> {
  switch (m.type) {
    case 'configure':
      cpuWorkerUri = m.cpuWorkerUri;
      return;
    case 'loadModel': {
      const place = await placeModel(m.requestId, m.backend);
      requestPlace.set(m.requestId, place);
      return toPlace(place, place === 'worker' ? { ...m, backend: 'cpu' } : m);
    }
    case 'score':
    case 'generate': {
      const place = modelPlace.get(m.modelKey);
      if (!place) throw new Error(`no model loaded under "${m.modelKey}"`);
      requestPlace.set(m.requestId, place);
      return toPlace(place, m);
    }
    case 'modelChunk':
    case 'scoreChunk': {
      const place = requestPlace.get(m.requestId);
      if (!place) return; // cancelled or failed: the host already has its answer
      if (m.type === 'scoreChunk' && m.last) requestDone.add(m.requestId);
      // Not awaited for the GPU: the core queues work in order, and the page stays responsive.
      if (place === 'gpu') {
        void gpuCore.handle(m);
        return;
      }
      return toPlace(place, m);
    }
  }
}

const ENGINE_MESSAGES = new Set(['configure', 'loadModel', 'modelChunk', 'score', 'scoreChunk', 'generate', 'cancel']);
// Only the host posts to this page; anything else that arrives is not a job.
window.addEventListener('message', (e: MessageEvent<ToEngine>) => {
  if (typeof e.data === 'object' && e.data !== null && ENGINE_MESSAGES.has(e.data.type)) receive(e.data);
});

void probeWebGpu()
  .catch((e: unknown) => ({ available: false, detail: `WebGPU probe failed: ${errorText(e)}` }))
  .then((webgpu) => {
    lines.webgpu.textContent = `WebGPU: ${webgpu.available ? `available, ${webgpu.detail}` : `not available (${webgpu.detail}); models run on the CPU in a worker`}`;
    host.postMessage({ type: 'ready', protocol: PROTOCOL_VERSION, webgpu } satisfies FromEngine);
  });
