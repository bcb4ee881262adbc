// The channel between the notebook controller (extension host) and a variant worker thread
// (variant-worker.ts): the controller asks for a `variants` or `mutagenesis` cell's scoring, the
// worker streams its progress and answers with the encoded notebook output, which the controller
// checks by decoding it (protocol/track-codec.ts). Cancel is the request's AbortSignal.
import type { Validators } from '../../../protocol/channel';
import { decodeOutput } from '../../../protocol/track-codec';
import { Fields, ProtocolError } from '../../../protocol/validate';

export const VARIANT_WORKER_CHANNEL = 'variant-worker';

/** A file the worker reads: its absolute path and how the output shows it. */
export interface ShownPath {
  path: string;
  shown: string;
}

interface CellJob {
  /** The output's id (OutputSummary.id). */
  runId: string;
  model: ShownPath;
  reference: ShownPath;
  backend: 'auto' | 'cpu' | 'webgpu';
  window: number;
}
export interface VariantsJob extends CellJob {
  vcf: ShownPath;
  /** VCF records scored from the start of the file. */
  records: number;
}
export interface MutagenesisJob extends CellJob {
  /** 1-based inclusive, as the spec names it. */
  region: { chrom: string; start: number; end: number };
}
/** done of total (VCF records or positions; total null when not known yet), alleles scored so far. */
export interface JobProgress {
  done: number;
  total: number | null;
  scored: number;
}

export type ControllerSays = {
  requests: {
    variants: { payload: VariantsJob; reply: Uint8Array; progress: JobProgress };
    mutagenesis: { payload: MutagenesisJob; reply: Uint8Array; progress: JobProgress };
  };
  notifications: Record<never, never>;
};
export type VariantWorkerSays = { requests: Record<never, never>; notifications: Record<never, never> };

const MAX_PATH = 4096;
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

function shownPath(f: Fields): ShownPath {
  return { path: f.str('path', MAX_PATH), shown: f.str('shown', MAX_PATH) };
}

function cellJob(f: Fields): CellJob {
  return {
    runId: f.str('runId', 256),
    model: shownPath(f.object('model')),
    reference: shownPath(f.object('reference')),
    backend: f.oneOf('backend', ['auto', 'cpu', 'webgpu'] as const),
    window: f.int('window', 1, 1 << 20),
  };
}

function parseVariantsJob(raw: unknown): VariantsJob {
  const f = new Fields(raw, 'variants');
  return { ...cellJob(f), vcf: shownPath(f.object('vcf')), records: f.int('records', 1, MAX_COUNT) };
}

function parseMutagenesisJob(raw: unknown): MutagenesisJob {
  const f = new Fields(raw, 'mutagenesis');
  const r = f.object('region');
  return {
    ...cellJob(f),
    region: { chrom: r.str('chrom', MAX_PATH), start: r.int('start', 1, MAX_COUNT), end: r.int('end', 1, MAX_COUNT) },
  };
}

function parseProgress(raw: unknown): JobProgress {
  const f = new Fields(raw, 'progress');
  return {
    done: f.int('done', 0, MAX_COUNT),
    total: f.raw('total') === null ? null : f.int('total', 0, MAX_COUNT),
    scored: f.int('scored', 0, MAX_COUNT),
  };
}

/** The encoded output, checked whole (decodeOutput throws naming what is wrong). */
function parseOutput(raw: unknown): Uint8Array {
  if (!(raw instanceof Uint8Array)) throw new ProtocolError('output: expected the encoded bytes');
  decodeOutput(raw);
  return raw;
}

/** What the controller checks: the worker's progress and its output. */
export const controllerValidators: Validators<ControllerSays, VariantWorkerSays> = {
  requests: {},
  replies: { variants: parseOutput, mutagenesis: parseOutput },
  progress: { variants: parseProgress, mutagenesis: parseProgress },
  notifications: {},
};
/** What the worker checks: the jobs it is asked. */
export const variantWorkerValidators: Validators<VariantWorkerSays, ControllerSays> = {
  requests: { variants: parseVariantsJob, mutagenesis: parseMutagenesisJob },
  replies: {},
  progress: {},
  notifications: {},
};
