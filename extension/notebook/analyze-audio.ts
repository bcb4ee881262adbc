// Runs an `analyze:` cell on a WAV file: reads the span (mixed down to mono) with the datasets WAV
// reader and stores the samples the waveform view draws, with the file's format in the summary.
import { WavReader } from '../datasets/wav';
import type { AudioAnalysisSummary } from '../protocol';
import type { CellSpec } from './cell-spec';
import type { RunContext } from './run-context';
import type { Block } from './track-codec';

/** Most samples one cell stores (about 45 s at 44.1 kHz); a longer span is cut with a note. */
export const MAX_CELL_SAMPLES = 1 << 21;

export async function analyzeAudio(spec: CellSpec, ctx: RunContext): Promise<{ summary: AudioAnalysisSummary; blocks: Map<string, Block> }> {
  const t0 = performance.now();
  const path = await ctx.resolveFile(spec.file);
  const wav = await WavReader.open(path);
  const notes: string[] = [...wav.info.warnings];
  try {
    const { sampleRate, channels, bitsPerSample } = wav.format;
    const first = Math.min(wav.info.frames, Math.round(spec.startS * sampleRate));
    let last = spec.endS === undefined ? wav.info.frames : Math.min(wav.info.frames, Math.round(spec.endS * sampleRate));
    if (last - first > MAX_CELL_SAMPLES) {
      last = first + MAX_CELL_SAMPLES;
      notes.push(`analyzed ${(MAX_CELL_SAMPLES / sampleRate).toFixed(1)} s from ${spec.startS} s (at most ${MAX_CELL_SAMPLES} samples per cell; use start:/end: for another span)`);
    }
    const samples = await wav.readFrames(first, last, 'mix');
    const readMs = performance.now() - t0;
    if (channels > 1) notes.push(`${channels} channels mixed down to mono`);
    notes.push('no audio model scored this file: waveform and spectrogram only');
    const summary: AudioAnalysisSummary = {
      schema: 1, id: ctx.runId, kind: 'audio-analysis', file: ctx.shownPath(path), model: null, engine: null,
      timings: { readMs, loadModelMs: 0, computeMs: 0, totalMs: performance.now() - t0 },
      tracks: [{ block: 'samples', record: 0, kind: 'samples', label: 'waveform (mono)', unit: 'amplitude', start: first, binSize: 1, length: samples.length, rows: 1, rowLabels: [] }],
      intervals: [], notes,
      audio: {
        sampleRate, channels, bitsPerSampleFormat: bitsPerSample, durationS: wav.info.durationSeconds,
        modelRate: sampleRate, startS: first / sampleRate, endS: last / sampleRate, bitsPerSample: null, tags: {},
      },
    };
    return { summary, blocks: new Map<string, Block>([['samples', samples]]) };
  } finally {
    await wav.close();
  }
}
