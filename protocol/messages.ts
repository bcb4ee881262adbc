// Every message between the extension host and its webviews, and the notebook output schema.
// Two webviews talk to the host:
//   - the engine webview (extension/host/panels/engine-view.ts, webview/engine/): runs the model; jobs by request id;
//   - the notebook renderer (webview/renderer/): draws stored outputs; asks the host to export/generate.
// Bulk data (tokens, weights, tracks) moves as typed arrays in ranged chunks, never whole files as
// JSON. The host never trusts a message: parseFromEngine/parseFromRenderer check every field and
// bound every size. No vscode import here (type-only at most): webview code imports this file too.

import type { BackendChoice, BackendName } from '../kernels/backend';

export const PROTOCOL_VERSION = 1;

/** Notebook type, renderer id and the mimes of an analysis cell's output items. */
export const NOTEBOOK_TYPE = 'seqlab-notebook';
export const RENDERER_ID = 'seqlab-renderer';
/** Binary item: the summary JSON plus every track block, packed by protocol/track-codec.ts. The renderer draws it. */
export const ANALYSIS_MIME = 'application/vnd.seqlab.analysis';
/** JSON item: the same OutputSummary alone, readable in the saved file and by tools. */
export const SUMMARY_MIME = 'application/vnd.seqlab.analysis+json';

/** Largest token chunk the host sends in one message (and the engine scores in one call). */
export const MAX_CHUNK_TOKENS = 1 << 16;
/** Largest weight chunk in one message. */
export const MAX_WEIGHT_CHUNK_BYTES = 8 << 20;
/** Most tokens one generate request may ask for. */
export const MAX_GENERATE_STEPS = 1 << 16;
/** Most layers a model may report (bounds the Δ arrays the host accepts). */
export const MAX_LAYERS = 256;

export type Modality = 'dna' | 'audio';

// ---------------------------------------------------------------- host -> engine webview

/** First message after the engine says 'ready': which backend to use and where its CPU worker script is. */
export interface ConfigureMessage {
  type: 'configure';
  backend: BackendChoice;
  cpuWorkerUri: string;
}
/**
 * Starts a model upload: config.json as parsed JSON, then `weightsBytes` of safetensors in modelChunk
 * messages. `backend` is the cell's choice (else the setting); the same files on another backend are
 * another modelKey.
 */
export interface LoadModelMessage {
  type: 'loadModel';
  requestId: number;
  modelKey: string;
  config: Record<string, unknown>;
  weightsBytes: number;
  backend: BackendChoice;
}
/** Bytes [offset, offset + bytes.length) of the safetensors file of request `requestId`. */
export interface ModelChunkMessage {
  type: 'modelChunk';
  requestId: number;
  offset: number;
  bytes: Uint8Array;
}
/**
 * Starts a streaming scoring job over `totalTokens` tokens with model `modelKey` (state starts at zero).
 * Tokens follow in scoreChunk messages; the engine answers each with one chunkScored before the host
 * sends the next, so the host paces the stream and can cancel between chunks.
 */
export interface ScoreMessage {
  type: 'score';
  requestId: number;
  modelKey: string;
  totalTokens: number;
  collectDelta: boolean;
}
/** Tokens [offset, offset + tokens.length) of job `requestId`; `last` closes the job. */
export interface ScoreChunkMessage {
  type: 'scoreChunk';
  requestId: number;
  offset: number;
  tokens: Int32Array;
  last: boolean;
}
/** Recurrent generation: feed `prompt`, then sample `steps` tokens (temperature > 0; topK 0 = all; seeded). */
export interface GenerateMessage {
  type: 'generate';
  requestId: number;
  modelKey: string;
  prompt: Int32Array;
  steps: number;
  temperature: number;
  topK: number;
  seed: number;
}
/** Stops job `requestId`; the engine answers with failed { cancelled: true } unless it had finished. */
export interface CancelMessage {
  type: 'cancel';
  requestId: number;
}

export type ToEngine =
  | ConfigureMessage
  | LoadModelMessage
  | ModelChunkMessage
  | ScoreMessage
  | ScoreChunkMessage
  | GenerateMessage
  | CancelMessage;

// ---------------------------------------------------------------- engine webview -> host

/** The engine page has loaded; `webgpu` says whether navigator.gpu gave an adapter and which. */
export interface ReadyMessage {
  type: 'ready';
  protocol: number;
  webgpu: { available: boolean; detail: string };
}
/** The model is on a backend. `reason` says why that backend (setting, adapter found or missing). */
export interface ModelLoadedMessage {
  type: 'modelLoaded';
  requestId: number;
  modelKey: string;
  backend: BackendName;
  reason: string;
  device: string;
  layers: number;
  loadMs: number;
}
/**
 * Results for the chunk at `offset`: surprisal[i] = -log2 p(token[offset+i] | tokens before it) in bits,
 * NaN for the job's first token (nothing before it). delta is per-layer mean Δ over channels,
 * layer-major: delta[layer * n + i] (empty when the job did not collect Δ). elapsedMs: engine time for this chunk.
 */
export interface ChunkScoredMessage {
  type: 'chunkScored';
  requestId: number;
  offset: number;
  surprisal: Float32Array;
  delta: Float32Array;
  elapsedMs: number;
}
/** Sampled tokens [offset, offset + tokens.length) after the prompt; `done` on the last batch. */
export interface GeneratedMessage {
  type: 'generated';
  requestId: number;
  offset: number;
  tokens: Int32Array;
  done: boolean;
  elapsedMs: number;
}
/** Job `requestId` ended without a result. */
export interface FailedMessage {
  type: 'failed';
  requestId: number;
  message: string;
  cancelled: boolean;
}

export type FromEngine = ReadyMessage | ModelLoadedMessage | ChunkScoredMessage | GeneratedMessage | FailedMessage;

// ---------------------------------------------------------------- renderer <-> host

export type ExportFormat = 'bed' | 'csv' | 'json' | 'fasta' | 'wav';

/** Largest export the renderer may hand the host to save (characters of `content`). */
export const MAX_EXPORT_CHARS = 64 << 20;

/**
 * Asks the host to save a file the renderer built (webview/components/export-text.ts): the host shows
 * a save dialog (the user picks where; nothing is written without it) and writes `content`, which is
 * text for bed/csv/json/fasta and base64 for wav. `suggestedName` is a bare file name.
 */
export interface ExportRequest {
  type: 'export';
  requestId: number;
  format: ExportFormat;
  suggestedName: string;
  encoding: 'utf8' | 'base64';
  content: string;
}
/** Asks the host to add a generate cell continuing the analyzed file from `position` (bases or samples) of `record`, and run it. `outputId` is the summary's `id`. */
export interface GenerateFromRequest {
  type: 'generateFrom';
  requestId: number;
  outputId: string;
  record: number;
  position: number;
}

export type FromRenderer = ExportRequest | GenerateFromRequest;

/** The host's answer to a renderer request. */
export interface RendererReply {
  type: 'reply';
  requestId: number;
  ok: boolean;
  message: string;
}
export type ToRenderer = RendererReply;

export type ToWebview = ToEngine | ToRenderer;
export type FromWebview = FromEngine | FromRenderer;

// ---------------------------------------------------------------- notebook output schema

/** The model that produced an output, as shown to the user. */
export interface ModelInfo {
  /** Folder name or setting label. */ name: string;
  /** Where it was loaded from (workspace-relative when inside the workspace). */ path: string;
  modality: Modality;
  vocabSize: number;
  layers: number;
  dModel: number;
  dState: number;
  /** False for random or untrained models: the pane then says the numbers are not meaningful. */ trained: boolean;
}

export interface EngineInfo {
  backend: BackendName;
  reason: string;
  device: string;
  /** Tokens scored (or generated) per second of engine time. */ tokensPerSecond: number;
}

export interface Timings {
  readMs: number;
  loadModelMs: number;
  computeMs: number;
  totalMs: number;
}

/**
 * A block of numbers in the binary item. Values cover positions [start, start + length*binSize) of the
 * record (bases for DNA; for audio, samples at the rate the model heard: audio.modelRate of an
 * analysis, which is the file's rate when no model ran, or sampleRate of a generation); each value is
 * the mean over its bin.
 * rows > 1 (Δ per layer) are row-major: value[row * length + i].
 */
export interface TrackDescriptor {
  /** Key of the block in the binary item. */ block: string;
  record: number;
  kind: 'surprisal' | 'surprisal-reverse' | 'gc' | 'delta' | 'samples' | 'sequence';
  label: string;
  unit: 'bits' | '%' | 'Δ' | 'amplitude' | 'base';
  start: number;
  binSize: number;
  length: number;
  rows: number;
  rowLabels: string[];
}

/** Half-open intervals [starts[i], ends[i]) in record coordinates; score: mean bits, when it has one. */
export interface IntervalSet {
  record: number;
  kind: 'soft-mask' | 'n-run' | 'high-surprisal' | 'unusual-audio';
  starts: number[];
  ends: number[];
  scores: number[];
}

export interface DnaRecordSummary {
  index: number;
  name: string;
  description: string;
  length: number;
  /** The analyzed range [start, end) of the record. */ start: number;
  end: number;
  gcPercent: number;
  nCount: number;
  softMaskedCount: number;
  /** Mean surprisal over the scored bases; null when no model ran. */ bitsPerBase: number | null;
  /** Same on the reverse complement, when strand: both. */ bitsPerBaseReverse: number | null;
}

export interface AudioSummary {
  sampleRate: number;
  channels: number;
  bitsPerSampleFormat: number;
  durationS: number;
  /** Rate the model saw (after resampling) and the analyzed span in seconds. */ modelRate: number;
  startS: number;
  endS: number;
  /** Mean surprisal per mu-law sample; null when no model ran. */ bitsPerSample: number | null;
  /** LIST/INFO tags as text (never HTML). */ tags: Record<string, string>;
}

interface OutputCommon {
  schema: 1;
  /** Unique per run: how the renderer names this output in requests to the host. */ id: string;
  /** The analyzed file, workspace-relative when inside the workspace. */ file: string;
  model: ModelInfo | null;
  engine: EngineInfo | null;
  timings: Timings;
  tracks: TrackDescriptor[];
  intervals: IntervalSet[];
  /** Things the user should know (untrained model, truncated range, ...), shown as text. */ notes: string[];
}
export interface DnaAnalysisSummary extends OutputCommon {
  kind: 'dna-analysis';
  records: DnaRecordSummary[];
}
export interface AudioAnalysisSummary extends OutputCommon {
  kind: 'audio-analysis';
  audio: AudioSummary;
}
/** A continuation: DNA as a new record (block 'sequence'), audio as samples (block 'samples', decoded from mu-law). */
export interface GenerationSummary extends OutputCommon {
  kind: 'dna-generation' | 'audio-generation';
  /** Where in the source the prompt ended (bases or samples), and the sampling settings. */
  sourceRecord: number;
  position: number;
  steps: number;
  temperature: number;
  topK: number;
  seed: number;
  /** Name of the generated record (FASTA header) or sample rate of the generated audio. */ name: string;
  sampleRate: number;
}
export type OutputSummary = DnaAnalysisSummary | AudioAnalysisSummary | GenerationSummary;

// ---------------------------------------------------------------- validation of incoming messages

/** A message that breaks the protocol: names the field. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

type Obj = Record<string, unknown>;

function object(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`${what}: expected an object`);
  return v as Obj;
}
function int(o: Obj, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ProtocolError(
      `${String(o.type)}.${key}: expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
function num(o: Obj, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ProtocolError(
      `${String(o.type)}.${key}: expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
function str(o: Obj, key: string, maxLength: number): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > maxLength)
    throw new ProtocolError(`${String(o.type)}.${key}: expected a string of at most ${maxLength} characters`);
  return v;
}
function bool(o: Obj, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new ProtocolError(`${String(o.type)}.${key}: expected a boolean`);
  return v;
}
function oneOf<T extends string>(o: Obj, key: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new ProtocolError(`${String(o.type)}.${key}: expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}
function typed<T extends Float32Array | Int32Array>(
  o: Obj,
  key: string,
  ctor: { new (n: number): T; name: string },
  maxLength: number,
): T {
  const v = o[key];
  if (!(v instanceof (ctor as unknown as typeof Float32Array)))
    throw new ProtocolError(`${String(o.type)}.${key}: expected a ${ctor.name}`);
  if ((v as T).length > maxLength)
    throw new ProtocolError(`${String(o.type)}.${key}: ${(v as T).length} values, at most ${maxLength} allowed`);
  return v as unknown as T;
}

const MAX_REQUEST_ID = 2 ** 31 - 1;
const MAX_TEXT = 4096;

/** Checks a message from the engine webview; throws ProtocolError naming the bad field. */
export function parseFromEngine(raw: unknown): FromEngine {
  const o = object(raw, 'engine message');
  switch (o.type) {
    case 'ready': {
      const gpu = object(o.webgpu, 'ready.webgpu');
      return {
        type: 'ready',
        protocol: int(o, 'protocol', 0, 1000),
        webgpu: { available: bool(gpu, 'available'), detail: str(gpu, 'detail', MAX_TEXT) },
      };
    }
    case 'modelLoaded':
      return {
        type: 'modelLoaded',
        requestId: int(o, 'requestId', 0, MAX_REQUEST_ID),
        modelKey: str(o, 'modelKey', MAX_TEXT),
        backend: oneOf(o, 'backend', ['webgpu', 'cpu'] as const),
        reason: str(o, 'reason', MAX_TEXT),
        device: str(o, 'device', MAX_TEXT),
        layers: int(o, 'layers', 1, MAX_LAYERS),
        loadMs: num(o, 'loadMs', 0, 1e9),
      };
    case 'chunkScored': {
      const surprisal = typed(o, 'surprisal', Float32Array, MAX_CHUNK_TOKENS);
      const delta = typed(o, 'delta', Float32Array, MAX_CHUNK_TOKENS * MAX_LAYERS);
      if (delta.length % Math.max(1, surprisal.length) !== 0)
        throw new ProtocolError(`chunkScored.delta: length ${delta.length} is not a multiple of ${surprisal.length}`);
      return {
        type: 'chunkScored',
        requestId: int(o, 'requestId', 0, MAX_REQUEST_ID),
        offset: int(o, 'offset', 0, Number.MAX_SAFE_INTEGER),
        surprisal,
        delta,
        elapsedMs: num(o, 'elapsedMs', 0, 1e9),
      };
    }
    case 'generated':
      return {
        type: 'generated',
        requestId: int(o, 'requestId', 0, MAX_REQUEST_ID),
        offset: int(o, 'offset', 0, MAX_GENERATE_STEPS),
        tokens: typed(o, 'tokens', Int32Array, MAX_GENERATE_STEPS),
        done: bool(o, 'done'),
        elapsedMs: num(o, 'elapsedMs', 0, 1e9),
      };
    case 'failed':
      return {
        type: 'failed',
        requestId: int(o, 'requestId', 0, MAX_REQUEST_ID),
        message: str(o, 'message', MAX_TEXT),
        cancelled: bool(o, 'cancelled'),
      };
    default:
      throw new ProtocolError(`engine message: unknown type ${JSON.stringify(o.type)}`);
  }
}

/** Checks a message from the notebook renderer; throws ProtocolError naming the bad field. */
export function parseFromRenderer(raw: unknown): FromRenderer {
  const o = object(raw, 'renderer message');
  switch (o.type) {
    case 'export': {
      const suggestedName = str(o, 'suggestedName', 255);
      if (!/^[\w][\w .()+-]*$/.test(suggestedName))
        throw new ProtocolError(`export.suggestedName: ${JSON.stringify(suggestedName)} is not a bare file name`);
      return {
        type: 'export',
        requestId: int(o, 'requestId', 0, MAX_REQUEST_ID),
        format: oneOf(o, 'format', ['bed', 'csv', 'json', 'fasta', 'wav'] as const),
        suggestedName,
        encoding: oneOf(o, 'encoding', ['utf8', 'base64'] as const),
        content: str(o, 'content', MAX_EXPORT_CHARS),
      };
    }
    case 'generateFrom':
      return {
        type: 'generateFrom',
        requestId: int(o, 'requestId', 0, MAX_REQUEST_ID),
        outputId: str(o, 'outputId', 256),
        record: int(o, 'record', 0, 1e7),
        position: int(o, 'position', 0, Number.MAX_SAFE_INTEGER),
      };
    default:
      throw new ProtocolError(`renderer message: unknown type ${JSON.stringify(o.type)}`);
  }
}
