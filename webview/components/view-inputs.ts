// What the DNA track view and the WAV view draw: typed arrays in record coordinates. Kept apart
// from the DOM code so pure modules (and their unit tests) can build these.
import type { DnaRecordSummary, IntervalSet } from '../../protocol/notebook-output';
import type { TrackSeries } from './track-series';

export interface DnaTrackInput {
  record: DnaRecordSummary;
  /** ASCII letters of the record from position `start` (lowercase = soft-masked), or null. */
  bases: { start: number; codes: Uint8Array } | null;
  surprisal: TrackSeries | null;
  surprisalReverse: TrackSeries | null;
  gc: TrackSeries | null;
  /** One row per layer. */
  delta: TrackSeries | null;
  /** This record's interval sets (soft-mask, n-run, high-surprisal). */
  intervals: IntervalSet[];
  /** Scored variants to mark on the bases row (they may overlap), sorted by start. */
  markers?: VariantMarker[];
}

/** A variant on the track: [start, end) in record coordinates, its label (REF>ALT) and mean LLR (NaN: not scored). */
export interface VariantMarker {
  start: number;
  end: number;
  label: string;
  llr: number;
}

export interface WavViewInput {
  /** Mono samples in [-1, 1] at `sampleRate`; samples[0] is position `start` of the file at that rate. */
  samples: Float32Array;
  sampleRate: number;
  start: number;
  /** Per-sample surprisal in bits, positions at `sampleRate` (may be binned), or null. */
  surprisal: TrackSeries | null;
  /** 'unusual-audio' intervals in the same positions. */
  intervals: IntervalSet[];
}

/** What the mutagenesis view draws: the region's letters and its LLR rows (A, C, G, T; value[row * length + i]) per strand and their mean. */
export interface MutagenesisInput {
  name: string;
  /** 0-based record position of the first letter. */
  start: number;
  letters: Uint8Array;
  llr: Float32Array;
  llrForward: Float32Array;
  llrReverse: Float32Array;
}
