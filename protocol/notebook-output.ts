// The notebook's output schema: what an analysis or generation cell stores and the renderer draws.
// The host writes it (extension/core/analysis/), the renderer reads it (webview/renderer/); saved
// notebooks carry it, so a change here is a schema change (bump `schema`).
import type { EngineName } from './engine-messages';

/** Notebook type, renderer id and the mimes of an analysis cell's output items. */
export const NOTEBOOK_TYPE = 'seqlab-notebook';
export const RENDERER_ID = 'seqlab-renderer';
/** Binary item: the summary JSON plus every track block, packed by protocol/track-codec.ts. The renderer draws it. */
export const ANALYSIS_MIME = 'application/vnd.seqlab.analysis';
/** JSON item: the same OutputSummary alone, readable in the saved file and by tools. */
export const SUMMARY_MIME = 'application/vnd.seqlab.analysis+json';

export type Modality = 'dna' | 'audio';

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
  backend: EngineName;
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
