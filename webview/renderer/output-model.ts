// From a decoded analysis output (summary + blocks, see protocol/track-codec.ts) to
// what the views draw: the tracks of one record as TrackSeries, its letters, its interval sets
// (checked), and the audio samples. Pure, so the unit tests check it on encoded outputs.
import type { IntervalSet, OutputSummary, TrackDescriptor } from '../../protocol/notebook-output';
import type { Block } from '../../protocol/track-codec';
import { checkIntervals } from '../components/interval-lookup';
import { audioRegions, DNA_REGIONS, highSurprisal } from '../../protocol/surprise-regions';
import { TrackSeries } from '../components/track-series';
import type { DnaTrackInput, WavViewInput } from '../components/view-inputs';

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
