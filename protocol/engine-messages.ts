// The engine boundary: what the extension host asks of the engine page (webview/engine/main.ts),
// and what the page passes on, unchanged, to its CPU worker (webview/engine/cpu-worker.ts) for the
// models it placed there. Both are channels (protocol/channel.ts) named ENGINE_CHANNEL whose asking
// side is an EngineCaller; the answering side (the page, the worker, engine-core.ts in the unit
// tests) checks what it receives with the parsers here, and the caller checks the answers.
//
// A job fed in chunks is a request that stays open while its chunks arrive as requests naming it:
// `loadModel` answers once all its `weights` have arrived and the model is on a backend; `score`
// answers once its last `scoreChunk` is scored. The host paces each stream by the answers: a score
// chunk is answered before the next is sent; weight chunks go out a bounded window ahead of their
// answers (they arrive in order, one message each). Each chunk is progress of its job, so the
// job's timeout counts from its last chunk. Cancelling the job's request frees what the engine
// holds for it.
// No vscode import here: webview code imports this file too.
import type { BackendChoice, BackendName } from '../kernels/backend';
import type { Validators } from './channel';
import { Fields, MAX_ID, MAX_TEXT, ProtocolError } from './validate';

/** The channel name of the engine calls, on both boundaries. */
export const ENGINE_CHANNEL = 'engine';
/** The page says it in `ready`; a host and page that differ do not talk. */
export const PROTOCOL_VERSION = 2;

/** Largest token chunk in one message (and what the engine scores, or prefills, in one call). */
export const MAX_CHUNK_TOKENS = 1 << 16;
/**
 * Largest weight chunk in one message: VS Code's posting of a megabyte to a webview holds the
 * extension host's event loop about 20 ms, and a stall must stay under 50 ms.
 */
export const MAX_WEIGHT_CHUNK_BYTES = 1 << 20;
/** Largest model upload accepted (safetensors as stored: F32, F16 or BF16). */
export const MAX_WEIGHTS_BYTES = 2 ** 31 - 1;
/** Most tokens one generate request may ask for. */
export const MAX_GENERATE_STEPS = 1 << 16;
/** Most layers a model may report (bounds the Δ arrays the host accepts). */
export const MAX_LAYERS = 256;

/** What the engine can run a model on: a kernels backend, or the model as an ONNX graph in onnxruntime-web. */
export type EngineChoice = BackendChoice | 'onnx';
export type EngineName = BackendName | 'onnx';
const BACKEND_CHOICES: readonly EngineChoice[] = ['auto', 'webgpu', 'cpu', 'onnx'];
const BACKEND_NAMES: readonly EngineName[] = ['webgpu', 'cpu', 'onnx'];

/** The host's first word after `ready`: which backend to use and where the CPU worker script is. */
export interface Configure {
  backend: EngineChoice;
  cpuWorkerUri: string;
}
/** The engine page has loaded; `webgpu` says whether navigator.gpu gave an adapter and which. */
export interface Ready {
  protocol: number;
  webgpu: { available: boolean; detail: string };
}

/**
 * Loads config.json (parsed) and `weightsBytes` of safetensors, which follow in `weights` chunks,
 * under `modelKey`. `backend` is the cell's choice (else the setting); the same files on another
 * backend are another modelKey.
 */
export interface LoadModel {
  modelKey: string;
  backend: EngineChoice;
  config: Record<string, unknown>;
  weightsBytes: number;
}
/** Bytes [offset, offset + bytes.length) of the safetensors of the model `modelKey` is loading. */
export interface WeightsChunk {
  modelKey: string;
  offset: number;
  bytes: Uint8Array;
}
/** The model is on a backend; `reason` says why that one (setting, adapter found or missing). */
export interface ModelLoaded {
  modelKey: string;
  backend: EngineName;
  reason: string;
  device: string;
  layers: number;
  loadMs: number;
}

/** Scores `totalTokens` tokens as one stream with model `modelKey` (state starts at zero); `job` names it. */
export interface ScoreJob {
  job: number;
  modelKey: string;
  totalTokens: number;
  collectDelta: boolean;
}
/** Tokens [offset, offset + tokens.length) of score job `job`, whose model is `modelKey`. */
export interface ScoreChunk {
  job: number;
  modelKey: string;
  offset: number;
  tokens: Int32Array;
}
/**
 * Results for the chunk at `offset`: surprisal[i] = -log2 p(token[offset+i] | tokens before it) in bits,
 * NaN for the job's first token (nothing before it). delta is per-layer mean Δ over channels,
 * layer-major: delta[layer * n + i] (empty when the job does not collect Δ). elapsedMs: engine time for this chunk.
 */
export interface ChunkScored {
  offset: number;
  surprisal: Float32Array;
  delta: Float32Array;
  elapsedMs: number;
}

/** Recurrent generation: feed `prompt`, then sample `steps` tokens (temperature 0 is greedy; topK 0 = all; seeded). */
export interface Generate {
  modelKey: string;
  prompt: Int32Array;
  steps: number;
  temperature: number;
  topK: number;
  seed: number;
}
/** Sampled tokens [offset, offset + tokens.length) after the prompt. */
export interface Generated {
  offset: number;
  tokens: Int32Array;
}

export type EngineRequests = {
  /** Answers when every chunk is in and the model is placed; progress: bytes received so far. */
  loadModel: { payload: LoadModel; reply: ModelLoaded; progress: { received: number } };
  weights: { payload: WeightsChunk; reply: null };
  /** Answers when its last chunk is scored; progress: tokens scored so far. */
  score: { payload: ScoreJob; reply: null; progress: { scored: number } };
  scoreChunk: { payload: ScoreChunk; reply: ChunkScored };
  /** The tokens come as progress; the answer is the engine time of the whole generation. */
  generate: { payload: Generate; reply: { elapsedMs: number }; progress: Generated };
};

/** The side that asks: the host of the page, and the page of its CPU worker. */
export type EngineCaller = { requests: EngineRequests; notifications: { configure: Configure } };
/** The side that runs the model; only the page says `ready` (its worker is ready when it starts). */
export type EngineServer = { requests: Record<never, never>; notifications: { ready: Ready } };

// ---------------------------------------------------------------- parsers

const modelKey = (f: Fields): string => f.str('modelKey', MAX_TEXT);
const job = (f: Fields): number => f.int('job', 1, MAX_ID);
const elapsedMs = (f: Fields): number => f.num('elapsedMs', 0, 1e9);
function none(raw: unknown): null {
  if (raw !== null) throw new ProtocolError(`reply: expected null, got ${typeof raw}`);
  return null;
}

/** Payloads of the engine calls, for the side that runs them. */
export const engineCallParsers: { [K in keyof EngineRequests]: (raw: unknown) => EngineRequests[K]['payload'] } = {
  loadModel: (raw) => {
    const f = new Fields(raw, 'loadModel');
    f.object('config'); // an object here; its fields are parseMambaConfig's to check
    return {
      modelKey: modelKey(f),
      backend: f.oneOf('backend', BACKEND_CHOICES),
      config: f.raw('config') as Record<string, unknown>,
      weightsBytes: f.int('weightsBytes', 1, MAX_WEIGHTS_BYTES),
    };
  },
  weights: (raw) => {
    const f = new Fields(raw, 'weights');
    return {
      modelKey: modelKey(f),
      offset: f.int('offset', 0, MAX_WEIGHTS_BYTES),
      bytes: f.typed('bytes', Uint8Array, MAX_WEIGHT_CHUNK_BYTES),
    };
  },
  score: (raw) => {
    const f = new Fields(raw, 'score');
    return {
      job: job(f),
      modelKey: modelKey(f),
      totalTokens: f.int('totalTokens', 0, Number.MAX_SAFE_INTEGER),
      collectDelta: f.bool('collectDelta'),
    };
  },
  scoreChunk: (raw) => {
    const f = new Fields(raw, 'scoreChunk');
    return {
      job: job(f),
      modelKey: modelKey(f),
      offset: f.int('offset', 0, Number.MAX_SAFE_INTEGER),
      tokens: f.typed('tokens', Int32Array, MAX_CHUNK_TOKENS),
    };
  },
  generate: (raw) => {
    const f = new Fields(raw, 'generate');
    return {
      modelKey: modelKey(f),
      prompt: f.typed('prompt', Int32Array, MAX_CHUNK_TOKENS),
      steps: f.int('steps', 1, MAX_GENERATE_STEPS),
      temperature: f.num('temperature', 0, 1e3),
      topK: f.int('topK', 0, MAX_ID),
      seed: f.int('seed', 0, Number.MAX_SAFE_INTEGER),
    };
  },
};

/** Answers to the engine calls, for the side that asks. */
export const engineReplyParsers: { [K in keyof EngineRequests]: (raw: unknown) => EngineRequests[K]['reply'] } = {
  loadModel: (raw) => {
    const f = new Fields(raw, 'modelLoaded');
    return {
      modelKey: modelKey(f),
      backend: f.oneOf('backend', BACKEND_NAMES),
      reason: f.str('reason', MAX_TEXT),
      device: f.str('device', MAX_TEXT),
      layers: f.int('layers', 1, MAX_LAYERS),
      loadMs: f.num('loadMs', 0, 1e9),
    };
  },
  weights: none,
  score: none,
  scoreChunk: (raw) => {
    const f = new Fields(raw, 'chunkScored');
    const surprisal = f.typed('surprisal', Float32Array, MAX_CHUNK_TOKENS);
    const delta = f.typed('delta', Float32Array, MAX_CHUNK_TOKENS * MAX_LAYERS);
    if (delta.length % Math.max(1, surprisal.length) !== 0)
      throw new ProtocolError(`chunkScored.delta: length ${delta.length} is not a multiple of ${surprisal.length}`);
    return { offset: f.int('offset', 0, Number.MAX_SAFE_INTEGER), surprisal, delta, elapsedMs: elapsedMs(f) };
  },
  generate: (raw) => ({ elapsedMs: elapsedMs(new Fields(raw, 'generate reply')) }),
};

/** Progress of the engine calls that stream it, for the side that asks. */
export const engineProgressParsers = {
  loadModel: (raw: unknown) => ({ received: new Fields(raw, 'loading').int('received', 0, MAX_WEIGHTS_BYTES) }),
  score: (raw: unknown) => ({ scored: new Fields(raw, 'scoring').int('scored', 0, Number.MAX_SAFE_INTEGER) }),
  generate: (raw: unknown): Generated => {
    const f = new Fields(raw, 'generated');
    return {
      offset: f.int('offset', 0, MAX_GENERATE_STEPS),
      tokens: f.typed('tokens', Int32Array, MAX_GENERATE_STEPS),
    };
  },
};

export function parseConfigure(raw: unknown): Configure {
  const f = new Fields(raw, 'configure');
  return { backend: f.oneOf('backend', BACKEND_CHOICES), cpuWorkerUri: f.str('cpuWorkerUri', MAX_TEXT) };
}

export function parseReady(raw: unknown): Ready {
  const f = new Fields(raw, 'ready');
  const gpu = f.object('webgpu');
  return {
    protocol: f.int('protocol', 0, 1000),
    webgpu: { available: gpu.bool('available'), detail: gpu.str('detail', MAX_TEXT) },
  };
}

/** What the asking side checks: the answers, the streamed progress and `ready`. */
export const engineCallerValidators: Validators<EngineCaller, EngineServer> = {
  requests: {},
  replies: engineReplyParsers,
  progress: engineProgressParsers,
  notifications: { ready: parseReady },
};
/** What the engine checks: the calls and `configure`. */
export const engineServerValidators: Validators<EngineServer, EngineCaller> = {
  requests: engineCallParsers,
  replies: {},
  progress: {},
  notifications: { configure: parseConfigure },
};
