// The channel between the run manager (extension host) and a session's worker thread
// (train-worker.ts): the manager asks the worker to `run` a session, which streams its progress and
// log lines and answers how the run ended; `cancel` stops it after a checkpoint. The worker in turn
// asks the training calls of its WebGPU steps (protocol/training-calls.ts), which the host passes on
// to the engine page. Each side checks what it receives.
import type { Validators } from '../../../protocol/channel';
import {
  trainingCallParsers,
  trainingProgressParsers,
  trainingReplyParsers,
  type TrainingCaller,
} from '../../../protocol/training-calls';
import { parseBudgetFields, parseMetricFields } from '../../../protocol/training-messages';
import { Fields, MAX_TEXT, ProtocolError } from '../../../protocol/validate';
import type { SessionResult, TrainProgress } from './train-session';

export const TRAIN_WORKER_CHANNEL = 'train-worker';

/** webviewGpu: the host passes the WebGPU steps on to the engine webview (else WebGPU is Dawn in the worker). */
export interface SessionRun {
  runDir: string;
  threads?: number;
  webviewGpu: boolean;
}
export type SessionEvent = { type: 'progress'; progress: TrainProgress } | { type: 'log'; line: string };

export type ManagerSays = {
  requests: { run: { payload: SessionRun; reply: SessionResult; progress: SessionEvent } };
  notifications: { cancel: null };
};

const MAX_PATH = 4096;
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

function parseProgress(f: Fields): TrainProgress {
  return {
    ...parseMetricFields(f),
    ...parseBudgetFields(f),
    backend: f.str('backend', MAX_TEXT),
  };
}

function parseSessionEvent(raw: unknown): SessionEvent {
  const f = new Fields(raw, 'session event');
  const type = f.oneOf('type', ['progress', 'log'] as const);
  return type === 'log'
    ? { type, line: f.str('line', MAX_TEXT) }
    : { type, progress: parseProgress(f.object('progress')) };
}

function parseSessionResult(raw: unknown): SessionResult {
  const f = new Fields(raw, 'session result');
  return {
    state: f.oneOf('state', ['finished', 'cancelled', 'interrupted'] as const),
    step: f.int('step', 0, MAX_COUNT),
    ...(f.has('valBits') ? { valBits: f.num('valBits', 0, 1e3) } : {}),
    checkpoint: f.str('checkpoint', MAX_PATH),
    ...(f.has('message') ? { message: f.str('message', MAX_TEXT) } : {}),
  };
}

function parseSessionRun(raw: unknown): SessionRun {
  const f = new Fields(raw, 'run');
  return {
    runDir: f.str('runDir', MAX_PATH),
    ...(f.has('threads') ? { threads: f.int('threads', 1, 1024) } : {}),
    webviewGpu: f.bool('webviewGpu'),
  };
}

/** What the manager checks: the worker's training calls, and the run's events and result. */
export const managerValidators: Validators<ManagerSays, TrainingCaller> = {
  requests: trainingCallParsers,
  replies: { run: parseSessionResult },
  progress: { run: parseSessionEvent },
  notifications: {},
};

/** What the worker checks: the run it is asked, cancel, and the answers to its training calls. */
export const sessionWorkerValidators: Validators<TrainingCaller, ManagerSays> = {
  requests: { run: parseSessionRun },
  replies: trainingReplyParsers,
  progress: trainingProgressParsers,
  notifications: {
    cancel: (raw) => {
      if (raw !== null) throw new ProtocolError(`cancel: expected null, got ${typeof raw}`);
      return null;
    },
  },
};
