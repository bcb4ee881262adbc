// From a decoded analysis output (summary + blocks, see protocol/track-codec.ts) to
// what the views draw: the tracks of one record as TrackSeries, its letters, its interval sets
// (checked), and the audio samples. Pure, so the unit tests check it on encoded outputs.
import {
  VARIANT_BLOCKS,
  type IntervalSet,
  type MutagenesisSummary,
  type OutputSummary,
  type TrackDescriptor,
  type VariantScoresSummary,
} from '../../protocol/notebook-output';
import type { Block } from '../../protocol/track-codec';
import { checkIntervals } from '../components/interval-lookup';
import { audioRegions, DNA_REGIONS, highSurprisal } from '../../protocol/surprise-regions';
import { TrackSeries } from '../components/track-series';
import type { VariantRowData } from '../components/variant-rows';
import type { DnaTrackInput, MutagenesisInput, VariantMarker, WavViewInput } from '../components/view-inputs';

export class OutputError extends Error {
  override name = 'OutputError';
}

function floatBlock(blocks: ReadonlyMap<string, Block>, t: TrackDescriptor): Float32Array {
  const b = blocks.get(t.block);
  if (!(b instanceof Float32Array)) throw new OutputError(`track "${t.label}": block "${t.block}" is not float32`);
  return b;
}

function findTrack(summary: OutputSummary, record: number, kind: TrackDescriptor['kind']): TrackDescriptor | undefined {
  return summary.tracks.find((t) => t.record === record && t.kind === kind);
}

function series(
  summary: OutputSummary,
  blocks: ReadonlyMap<string, Block>,
  record: number,
  kind: TrackDescriptor['kind'],
): TrackSeries | null {
  const t = findTrack(summary, record, kind);
  return t ? new TrackSeries(t, floatBlock(blocks, t)) : null;
}

export function recordIntervals(summary: OutputSummary, record: number): IntervalSet[] {
  const sets = summary.intervals.filter((s) => s.record === record);
  sets.forEach(checkIntervals);
  return sets;
}

/** The track view's input for record `record` of a DNA analysis or a DNA generation (record 0). */
export function dnaInput(summary: OutputSummary, blocks: ReadonlyMap<string, Block>, record: number): DnaTrackInput {
  const seq = findTrack(summary, record, 'sequence');
  const letters = seq ? blocks.get(seq.block) : undefined;
  if (seq && !(letters instanceof Uint8Array))
    throw new OutputError(`track "${seq.label}": block "${seq.block}" is not letters`);
  let recordSummary;
  if (summary.kind === 'dna-analysis') {
    recordSummary = summary.records[record]; // tracks and intervals name records by their place in this list
    if (!recordSummary) throw new OutputError(`output has no record ${record} (it has ${summary.records.length})`);
  } else if (summary.kind === 'dna-generation') {
    if (!seq || !letters) throw new OutputError('a DNA generation output has no sequence block');
    recordSummary = {
      index: record,
      name: summary.name,
      description: 'generated',
      length: letters.length,
      start: seq.start,
      end: seq.start + letters.length,
      gcPercent: NaN,
      nCount: 0,
      softMaskedCount: 0,
      bitsPerBase: null,
      bitsPerBaseReverse: null,
    };
  } else throw new OutputError(`a ${summary.kind} output has no DNA tracks`);
  const surprisal = series(summary, blocks, record, 'surprisal');
  const intervals = recordIntervals(summary, record);
  if (surprisal && !intervals.some((s) => s.kind === 'high-surprisal'))
    intervals.push(highSurprisal(surprisal.descriptor, surprisal.values, record, 'high-surprisal', DNA_REGIONS));
  return {
    record: recordSummary,
    bases: seq && letters instanceof Uint8Array ? { start: seq.start, codes: letters } : null,
    surprisal,
    surprisalReverse: series(summary, blocks, record, 'surprisal-reverse'),
    gc: series(summary, blocks, record, 'gc'),
    delta: series(summary, blocks, record, 'delta'),
    intervals,
  };
}

/** The WAV view's input for an audio analysis or an audio generation. */
export function audioInput(summary: OutputSummary, blocks: ReadonlyMap<string, Block>): WavViewInput {
  const t = findTrack(summary, 0, 'samples');
  if (!t) throw new OutputError(`a ${summary.kind} output has no samples block`);
  if (t.binSize !== 1)
    throw new OutputError(`samples block "${t.block}" is binned (${t.binSize}); playback needs every sample`);
  const sampleRate =
    summary.kind === 'audio-analysis'
      ? summary.audio.modelRate
      : summary.kind === 'audio-generation'
        ? summary.sampleRate
        : 0;
  if (!(sampleRate > 0)) throw new OutputError(`a ${summary.kind} output has no sample rate`);
  const surprisal = series(summary, blocks, 0, 'surprisal');
  const intervals = recordIntervals(summary, 0);
  if (surprisal && !intervals.some((s) => s.kind === 'unusual-audio'))
    intervals.push(
      highSurprisal(
        surprisal.descriptor,
        surprisal.values,
        0,
        'unusual-audio',
        audioRegions(sampleRate / surprisal.descriptor.binSize),
      ),
    );
  return { samples: floatBlock(blocks, t), sampleRate, start: t.start, surprisal, intervals };
}

/** Longest record span a variants track keeps letters for (one byte a base in the renderer). */
export const MAX_TRACK_SPAN = 64 << 20;

function u8Block(blocks: ReadonlyMap<string, Block>, key: string): Uint8Array {
  const b = blocks.get(key);
  if (!(b instanceof Uint8Array)) throw new OutputError(`block "${key}" is missing or not bytes`);
  return b;
}

function f32Block(blocks: ReadonlyMap<string, Block>, key: string): Float32Array {
  const b = blocks.get(key);
  if (!(b instanceof Float32Array)) throw new OutputError(`block "${key}" is missing or not float32`);
  return b;
}

/** The variants table with its LLR columns. */
export function variantRows(summary: VariantScoresSummary, blocks: ReadonlyMap<string, Block>): VariantRowData {
  return {
    table: summary.variants,
    llr: f32Block(blocks, VARIANT_BLOCKS.llr),
    llrForward: f32Block(blocks, VARIANT_BLOCKS.llrForward),
    llrReverse: f32Block(blocks, VARIANT_BLOCKS.llrReverse),
  };
}

/**
 * The track view's input for record `record` of a variants output: its span, the letters stored
 * near the variants (placed in a span-long array; none past MAX_TRACK_SPAN) and a marker per row.
 */
export function variantTrackInput(
  summary: VariantScoresSummary,
  blocks: ReadonlyMap<string, Block>,
  record: number,
): DnaTrackInput {
  const r = summary.records[record];
  if (!r) throw new OutputError(`output has no record ${record} (it has ${summary.records.length})`);
  let bases: DnaTrackInput['bases'] = null;
  if (r.end - r.start <= MAX_TRACK_SPAN) {
    const stored = u8Block(blocks, r.letters.block);
    const codes = new Uint8Array(r.end - r.start);
    let at = 0;
    r.letters.starts.forEach((s, i) => {
      const n = r.letters.ends[i] - s;
      codes.set(stored.subarray(at, at + n), s - r.start);
      at += n;
    });
    bases = { start: r.start, codes };
  }
  const { table, llr } = variantRows(summary, blocks);
  const markers: VariantMarker[] = [];
  for (let i = 0; i < table.line.length; i++) {
    if (table.record[i] !== record) continue;
    const start = table.pos[i] - 1;
    markers.push({
      start,
      end: start + Math.max(1, table.ref[i].length),
      label: `${table.ref[i]}>${table.alt[i] || '.'}`,
      llr: llr[i],
    });
  }
  markers.sort((a, b) => a.start - b.start);
  return {
    record: {
      index: record,
      name: r.name,
      description: 'reference around the variants',
      length: r.length,
      start: r.start,
      end: r.end,
      gcPercent: NaN,
      nCount: 0,
      softMaskedCount: 0,
      bitsPerBase: null,
      bitsPerBaseReverse: null,
    },
    bases,
    surprisal: null,
    surprisalReverse: null,
    gc: null,
    delta: null,
    intervals: [],
    markers,
  };
}

export function mutagenesisInput(summary: MutagenesisSummary, blocks: ReadonlyMap<string, Block>): MutagenesisInput {
  const track = (kind: TrackDescriptor['kind']) => {
    const t = findTrack(summary, 0, kind);
    if (!t) throw new OutputError(`a mutagenesis output has no ${kind} track`);
    return t;
  };
  const seq = track('sequence');
  return {
    name: summary.region.chrom,
    start: seq.start,
    letters: u8Block(blocks, seq.block),
    llr: floatBlock(blocks, track('llr')),
    llrForward: floatBlock(blocks, track('llr-forward')),
    llrReverse: floatBlock(blocks, track('llr-reverse')),
  };
}
