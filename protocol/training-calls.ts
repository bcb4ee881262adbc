// The calls a training session makes of a trainer on the engine page's GPU. One vocabulary end to
// end: the session's step engine in its worker thread (extension/core/runs/webview-step-engine.ts)
// asks them of the extension host, the host passes each one on unchanged to the engine page
// (extension/core/engine/engine-training.ts), and the page's trainer answers it
// (webview/engine/engine-trainer.ts). Both boundaries are channels (protocol/channel.ts) whose
// requester side is a TrainingCaller; each side checks what it receives with the parsers here.
//
// A trainer is named by the number `open` answers. Its state (parameters, AdamW moments) moves in
// chunks of at most MAX_TRAIN_CHUNK_VALUES: `write` chunks then `setState`, and `read`, whose chunks
// arrive as its progress. A trainer whose device was lost answers TrainerLostError (by name, across
// every hop): it is gone, and its run resumes from a checkpoint.
import type { AdamWConfig } from '../kernels/train/adamw';
import { RemoteError, type Validators } from './channel';
import { Fields, MAX_ID, MAX_TEXT, ProtocolError } from './validate';

/** The channel name of the training calls, on both boundaries. */
export const TRAINING_CHANNEL = 'training';
/** Most float32 values in one state chunk (8 MiB). */
export const MAX_TRAIN_CHUNK_VALUES = 1 << 21;
/** Largest batch x length one step may take (ids and targets per call). */
export const MAX_TRAIN_ROWS = 1 << 20;

export type TrainTensor = 'params' | 'm' | 'v';
export const TRAIN_TENSORS: readonly TrainTensor[] = ['params', 'm', 'v'];

/**
 * Opens a trainer for `config` (config.json fields) at batch x length. 'webgpu' fails without an
 * adapter; 'auto' declines a software fallback adapter: the answer then has no trainer, and why.
 */
export interface OpenTrainer {
  backend: 'auto' | 'webgpu';
  config: Record<string, unknown>;
  batch: number;
  length: number;
  adam: AdamWConfig;
}
export interface TrainerOpened {
  /** Names the trainer in later calls; absent when 'auto' declined the adapter. */
  trainer?: number;
  /** Why this backend (e.g. "webgpu: WebGPU on …", or the reason 'auto' declined). */
  reason: string;
  device: string;
}
/** Values [offset, offset + values.length) of one tensor of a trainer's state. */
export interface StateChunk {
  trainer: number;
  tensor: TrainTensor;
  offset: number;
  values: Float32Array;
}
/**
 * One training step in one GPU submit: forward, loss and backward of the batch (ids and targets
 * [batch, length]; target -1 is not counted), clipping to maxNorm, AdamW at lr. Its loss stays on
 * the device for readLosses; answered as soon as the step is queued behind at most one other.
 */
export interface TrainStep {
  trainer: number;
  ids: Int32Array;
  targets: Int32Array;
  lr: number;
  maxNorm: number;
}
/** Per step since the last read, oldest first: its summed loss in nats and its count of counted targets. */
export interface StepLosses {
  nats: Float32Array;
  counts: Int32Array;
}
export interface TrainerRef {
  trainer: number;
}

export type TrainingRequests = {
  open: { payload: OpenTrainer; reply: TrainerOpened };
  /** One chunk of the state the next setState applies. */
  write: { payload: StateChunk; reply: null };
  /** Applies the chunks written since the last setState (every value of params, m and v) with step count t. */
  setState: { payload: TrainerRef & { t: number }; reply: null };
  /** The parameters (and the moments when asked) as chunks in progress, then the step count. */
  read: { payload: TrainerRef & { moments: boolean }; reply: { t: number }; progress: StateChunk };
  step: { payload: TrainStep; reply: null };
  readLosses: { payload: TrainerRef; reply: StepLosses };
  /** Frees the trainer's device buffers. */
  close: { payload: TrainerRef; reply: null };
};

/** The side that asks: the session's worker of the host, and the host of the page. */
export type TrainingCaller = { requests: TrainingRequests; notifications: Record<never, never> };
/** The side that answers says nothing of its own. */
export type TrainingServer = { requests: Record<never, never>; notifications: Record<never, never> };

/** The trainer's device was lost or broke: the trainer is gone, and its run should resume from a checkpoint. */
export class TrainerLostError extends Error {
  override name = 'TrainerLostError';
}

/** Whether `e` says the trainer is gone, thrown here or answered by the other side of a channel. */
export function isTrainerLost(e: unknown): boolean {
  return e instanceof TrainerLostError || (e instanceof RemoteError && e.remoteName === 'TrainerLostError');
}

// ---------------------------------------------------------------- parsers

const ref = (f: Fields): number => f.int('trainer', 1, MAX_ID);
function none(raw: unknown): null {
  if (raw !== null) throw new ProtocolError(`reply: expected null, got ${typeof raw}`);
  return null;
}

function parseChunk(raw: unknown, what: string): StateChunk {
  const f = new Fields(raw, what);
  return {
    trainer: ref(f),
    tensor: f.oneOf('tensor', TRAIN_TENSORS),
    offset: f.int('offset', 0, Number.MAX_SAFE_INTEGER),
    values: f.typed('values', Float32Array, MAX_TRAIN_CHUNK_VALUES),
  };
}

function parseAdam(f: Fields): AdamWConfig {
  return {
    beta1: f.num('beta1', 0, 1),
    beta2: f.num('beta2', 0, 1),
    eps: f.num('eps', 0, 1),
    weightDecay: f.num('weightDecay', 0, 1e3),
  };
}

/** Payloads of the training calls, for the side that serves them. */
export const trainingCallParsers: { [K in keyof TrainingRequests]: (raw: unknown) => TrainingRequests[K]['payload'] } =
  {
    open: (raw) => {
      const f = new Fields(raw, 'open');
      f.object('config'); // an object here; its fields are parseMambaConfig's to check
      const batch = f.int('batch', 1, MAX_TRAIN_ROWS),
        length = f.int('length', 1, MAX_TRAIN_ROWS);
      if (batch * length > MAX_TRAIN_ROWS)
        throw new ProtocolError(`open: batch ${batch} x length ${length}, at most ${MAX_TRAIN_ROWS} positions`);
      return {
        backend: f.oneOf('backend', ['auto', 'webgpu'] as const),
        config: f.raw('config') as Record<string, unknown>,
        batch,
        length,
        adam: parseAdam(f.object('adam')),
      };
    },
    write: (raw) => parseChunk(raw, 'write'),
    setState: (raw) => {
      const f = new Fields(raw, 'setState');
      return { trainer: ref(f), t: f.int('t', 0, Number.MAX_SAFE_INTEGER) };
    },
    read: (raw) => {
      const f = new Fields(raw, 'read');
      return { trainer: ref(f), moments: f.bool('moments') };
    },
    step: (raw) => {
      const f = new Fields(raw, 'step');
      const ids = f.typed('ids', Int32Array, MAX_TRAIN_ROWS),
        targets = f.typed('targets', Int32Array, MAX_TRAIN_ROWS);
      if (ids.length !== targets.length)
        throw new ProtocolError(`step.targets: ${targets.length} targets for ${ids.length} ids`);
      return {
        trainer: ref(f),
        ids,
        targets,
        lr: f.num('lr', 0, 1e3),
        maxNorm: f.num('maxNorm', 0, Number.MAX_VALUE),
      };
    },
    readLosses: (raw) => ({ trainer: ref(new Fields(raw, 'readLosses')) }),
    close: (raw) => ({ trainer: ref(new Fields(raw, 'close')) }),
  };

/** Replies to the training calls, for the side that asks. */
export const trainingReplyParsers: { [K in keyof TrainingRequests]: (raw: unknown) => TrainingRequests[K]['reply'] } = {
  open: (raw) => {
    const f = new Fields(raw, 'opened');
    return {
      ...(f.has('trainer') ? { trainer: ref(f) } : {}),
      reason: f.str('reason', MAX_TEXT),
      device: f.str('device', MAX_TEXT),
    };
  },
  write: none,
  setState: none,
  read: (raw) => ({ t: new Fields(raw, 'read reply').int('t', 0, Number.MAX_SAFE_INTEGER) }),
  step: none,
  readLosses: (raw) => {
    const f = new Fields(raw, 'losses');
    const nats = f.typed('nats', Float32Array, MAX_TRAIN_CHUNK_VALUES),
      counts = f.typed('counts', Int32Array, MAX_TRAIN_CHUNK_VALUES);
    if (nats.length !== counts.length)
      throw new ProtocolError(`losses: ${nats.length} losses but ${counts.length} counts`);
    return { nats, counts };
  },
  close: none,
};

/** Progress of the training calls that stream it, for the side that asks. */
export const trainingProgressParsers = { read: (raw: unknown): StateChunk => parseChunk(raw, 'read chunk') };

/** What the asking side checks: the answers and the streamed chunks. */
export const trainingCallerValidators: Validators<TrainingCaller, TrainingServer> = {
  requests: {},
  replies: trainingReplyParsers,
  progress: trainingProgressParsers,
  notifications: {},
};
/** What the trainer checks: the calls. */
export const trainingServerValidators: Validators<TrainingServer, TrainingCaller> = {
  requests: trainingCallParsers,
  replies: {},
  progress: {},
  notifications: {},
};
