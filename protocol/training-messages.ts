// The channel between the extension host (extension/host/panels/training-pane.ts) and the training
// pane (webview/training/), and the metric record it carries. The host tells the pane about its run
// (init, then metric and phase as it trains); the pane says when it is ready, and asks to cancel or
// resume the run, each answered with where the run then stands. Both sides check what they receive
// with the parsers here. Node-free and vscode-free so the webview compiles against it.
import type { Validators } from './channel';
import { Fields, MAX_TEXT, ProtocolError } from './validate';

/** The channel name of the training pane boundary, on both sides. */
export const TRAINING_PANE_CHANNEL = 'training-pane';

/** One line of metrics.jsonl. */
export interface MetricRecord {
  step: number;
  tokens: number;
  elapsedSec: number;
  lr?: number;
  trainBits?: number; // mean over the steps since the last record, bits per token
  valBits?: number;
  tokensPerSec?: number;
}

export type RunPhase = 'running' | 'finished' | 'cancelled' | 'failed' | 'interrupted' | 'new';
export const RUN_PHASES: readonly RunPhase[] = ['running', 'finished', 'cancelled', 'failed', 'interrupted', 'new'];

export interface PaneRunInfo {
  name: string;
  phase: RunPhase;
  data: string[];
  range: string;
  model: string; // e.g. "d_model 32, 2 layers, d_state 16"
  budget: string; // e.g. "1000 steps" or "30 min"
  totalSteps?: number; // the budget in steps, when it is one
  budgetSec?: number; // the budget in seconds, when it is a time
  backend: string;
  step: number; // where the run stands (status.json): a stopped run's checkpoint may be past its last metric
  message?: string;
}

/** The run and every metric recorded so far (when the pane opens, and when its run starts again). */
export interface PaneInit {
  run: PaneRunInfo;
  records: MetricRecord[];
}
/** A new metric record, with the session's own budget and the backend it runs on. */
export interface PaneMetric {
  record: MetricRecord;
  totalSteps?: number;
  budgetSec?: number;
  backend: string;
}
/** Where a run stands: its phase, its step (a stopped run's: its checkpoint's) and why it stopped. */
export interface PanePhase {
  phase: RunPhase;
  step: number;
  message?: string;
}

export type TrainingPaneHostSays = {
  requests: Record<never, never>;
  notifications: { init: PaneInit; metric: PaneMetric; phase: PanePhase };
};
export type TrainingPaneSays = {
  requests: {
    /** Stops the run (after its checkpoint); answered once it has stopped. */
    cancel: { payload: null; reply: PanePhase };
    /** Trains the run on from its last checkpoint; answered once it has started. */
    resume: { payload: null; reply: PanePhase };
  };
  notifications: { ready: null };
};

// ---------------------------------------------------------------- parsers

const MAX_COUNT = Number.MAX_SAFE_INTEGER;
/** Most metric records one init carries. */
const MAX_RECORDS = 1 << 20;
/** Most data files a run names. */
const MAX_DATA_FILES = 4096;

function none(what: string): (raw: unknown) => null {
  return (raw) => {
    if (raw !== null) throw new ProtocolError(`${what}: expected null, got ${typeof raw}`);
    return null;
  };
}

function list<T>(f: Fields, key: string, max: number, parse: (raw: unknown, what: string) => T): T[] {
  const raw = f.raw(key);
  if (!Array.isArray(raw) || raw.length > max)
    throw new ProtocolError(`${f.what}.${key}: expected an array of at most ${max} items`);
  return raw.map((item, i) => parse(item, `${f.what}.${key}[${i}]`));
}

/** The fields of a metric record (a line of metrics.jsonl, or the same fields within a larger object). */
export function parseMetricFields(f: Fields): MetricRecord {
  return {
    step: f.int('step', 0, MAX_COUNT),
    tokens: f.num('tokens', 0, MAX_COUNT),
    elapsedSec: f.num('elapsedSec', 0, MAX_COUNT),
    ...(f.has('lr') ? { lr: f.num('lr', 0, 1e3) } : {}),
    ...(f.has('trainBits') ? { trainBits: f.num('trainBits', 0, 1e3) } : {}),
    ...(f.has('valBits') ? { valBits: f.num('valBits', 0, 1e3) } : {}),
    ...(f.has('tokensPerSec') ? { tokensPerSec: f.num('tokensPerSec', 0, MAX_COUNT) } : {}),
  };
}

export function parseMetricRecord(raw: unknown, what = 'metric record'): MetricRecord {
  return parseMetricFields(new Fields(raw, what));
}

/** The fields of a session's own budget: steps or seconds. */
export function parseBudgetFields(f: Fields): { totalSteps?: number; budgetSec?: number } {
  return {
    ...(f.has('totalSteps') ? { totalSteps: f.int('totalSteps', 0, MAX_COUNT) } : {}),
    ...(f.has('budgetSec') ? { budgetSec: f.num('budgetSec', 0, MAX_COUNT) } : {}),
  };
}

function parsePhaseFields(f: Fields): PanePhase {
  return {
    phase: f.oneOf('phase', RUN_PHASES),
    step: f.int('step', 0, MAX_COUNT),
    ...(f.has('message') ? { message: f.str('message', MAX_TEXT) } : {}),
  };
}

function parseRunInfo(f: Fields): PaneRunInfo {
  return {
    name: f.str('name', MAX_TEXT),
    data: list(f, 'data', MAX_DATA_FILES, (raw, what) => {
      if (typeof raw !== 'string' || raw.length > MAX_TEXT)
        throw new ProtocolError(`${what}: expected a string of at most ${MAX_TEXT} characters`);
      return raw;
    }),
    range: f.str('range', MAX_TEXT),
    model: f.str('model', MAX_TEXT),
    budget: f.str('budget', MAX_TEXT),
    ...parseBudgetFields(f),
    backend: f.str('backend', MAX_TEXT),
    ...parsePhaseFields(f),
  };
}

export function parsePaneInit(raw: unknown): PaneInit {
  const f = new Fields(raw, 'init');
  return { run: parseRunInfo(f.object('run')), records: list(f, 'records', MAX_RECORDS, parseMetricRecord) };
}

export function parsePaneMetric(raw: unknown): PaneMetric {
  const f = new Fields(raw, 'metric');
  return {
    record: parseMetricFields(f.object('record')),
    ...parseBudgetFields(f),
    backend: f.str('backend', MAX_TEXT),
  };
}

export function parsePanePhase(raw: unknown, what = 'phase'): PanePhase {
  return parsePhaseFields(new Fields(raw, what));
}

/** What the pane checks: the host's notifications and its answers to cancel and resume. */
export const trainingPaneValidators: Validators<TrainingPaneSays, TrainingPaneHostSays> = {
  requests: {},
  replies: {
    cancel: (raw) => parsePanePhase(raw, 'cancel reply'),
    resume: (raw) => parsePanePhase(raw, 'resume reply'),
  },
  progress: {},
  notifications: { init: parsePaneInit, metric: parsePaneMetric, phase: (raw) => parsePanePhase(raw) },
};
/** What the host checks: the pane's ready, cancel and resume. */
export const trainingPaneHostValidators: Validators<TrainingPaneHostSays, TrainingPaneSays> = {
  requests: { cancel: none('cancel'), resume: none('resume') },
  replies: {},
  progress: {},
  notifications: { ready: none('ready') },
};
