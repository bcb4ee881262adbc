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
  /** llr*: a mutagenesis output's LLR per substitution, rows A, C, G, T (NaN where not scored, 0 at the reference base). */
  kind:
    'surprisal' | 'surprisal-reverse' | 'gc' | 'delta' | 'samples' | 'sequence' | 'llr' | 'llr-forward' | 'llr-reverse';
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

/** A reference record a variants output shows as a track: the span [start, end) around its variants. */
export interface VariantTrackRecord {
  name: string;
  length: number;
  start: number;
  end: number;
  /**
   * Letters kept near the variants only: [starts[i], ends[i]) in record coordinates, their letters
   * one after another in the u8 block `block`.
   */
  letters: { block: string; starts: number[]; ends: number[] };
}

/**
 * One row per ALT allele of the scored VCF records (a record without ALT: one row, alt ''), as
 * columns. The LLRs are float32 blocks of one value per row (VARIANT_BLOCKS), NaN where not scored.
 */
export interface VariantTable {
  /** 1-based line of the record in the VCF. */ line: number[];
  /** Index into `chroms` of the row's CHROM. */ chrom: number[];
  chroms: string[];
  /** Index into the summary's `records` of the record CHROM matched; -1 when none did. */ record: number[];
  /** 1-based, as in the VCF; 0 for a line whose POS is not a number. */ pos: number[];
  /** REF and ALT as in the VCF, cut to MAX_ALLELE_CHARS with '…' (the exported files have them whole). */ ref: string[];
  alt: string[];
  /** 'scored', or why not (the words of SEQLAB_STATUS; 'no_alt' for ALT '.'). */ status: string[];
}

/** Float32 per-row LLR blocks and gzip-compressed u8 blocks of the files `seqlab vep` writes. */
export const VARIANT_BLOCKS = {
  llr: 'llr',
  llrForward: 'llr-forward',
  llrReverse: 'llr-reverse',
  scoredVcf: 'scored-vcf.gz',
  scoredTsv: 'scored-tsv.gz',
} as const;
/** Longest REF or ALT a variants table keeps. */
export const MAX_ALLELE_CHARS = 40;

/** A `variants:` cell: a VCF scored against a reference (LLR per ALT, both strands). */
export interface VariantScoresSummary extends OutputCommon {
  kind: 'variant-scores';
  /** The reference FASTA, shown as the file is. */ reference: string;
  /** Reference bases each side of an allele. */ window: number;
  records: VariantTrackRecord[];
  variants: VariantTable;
  /** VCF records read, ALT alleles and those scored; the rest by reason. */
  counts: { records: number; alleles: number; scored: number; notScored: Record<string, number> };
}

/** A `mutagenesis:` cell: every substitution of a region (tracks 'sequence', 'llr', 'llr-forward', 'llr-reverse'). */
export interface MutagenesisSummary extends OutputCommon {
  kind: 'mutagenesis';
  reference: string;
  window: number;
  /** 1-based inclusive, as the spec names it; referenceName: the reference's own name when it differs. */
  region: { chrom: string; referenceName: string | null; start: number; end: number };
}

export type OutputSummary =
  DnaAnalysisSummary | AudioAnalysisSummary | GenerationSummary | VariantScoresSummary | MutagenesisSummary;
