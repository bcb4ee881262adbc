// Runs an `analyze:` cell on a WAV file: reads the span (mixed down to mono) and the LIST/INFO tags
// with the datasets WAV reader; with an audio model, resamples it to the model's rate, quantizes it to 8-bit mu-law
// tokens and streams them through the engine for the per-sample surprisal (bits), its mean
// (bits/sample) and the regions of unusual audio. The waveform is shown at once, the surprisal
// fills in as chunks arrive. Every audio track is in samples at summary.audio.modelRate (the file's
// rate when no model ran), so the waveform, the surprisal and the regions line up.
import { mulawEncode } from '../datasets/mulaw';
import { resample } from '../datasets/resample';
import { WavReader } from '../datasets/wav';
import type { AudioAnalysisSummary, EngineInfo, Timings, TrackDescriptor } from '../../../protocol/notebook-output';
import { audioRegions, highSurprisal } from '../../../protocol/surprise-regions';
import type { EngineClient } from '../engine/engine-client';
import type { CellSpec } from '../notebook/cell-spec';
import { modelInfo } from './model-source';
import { loadModelOnEngine, PROGRESS_NOTE, UNTRAINED_NOTE, type ResolvedModel, type RunContext } from './run-context';
import type { Block } from '../../../protocol/track-codec';
import { finiteMean } from './track-math';
import { readWavTags } from './wav-tags';

/** Most samples one cell stores, at the file's and at the model's rate (about 45 s at 44.1 kHz). */
export const MAX_CELL_SAMPLES = 1 << 21;
/** Most bytes of the file one cell reads: many channels make few frames cost many bytes. */
export const MAX_CELL_BYTES = 1 << 25;
/** Bytes per read while mixing down, so memory does not grow with the channel count. */
const MIX_CHUNK_BYTES = 1 << 20;
const CHUNK_TOKENS = 1 << 13;
const REFRESH_MS = 400;

interface AudioSpan {
  samples: Float32Array;
  rate: number;
  start: number;
}

/** The file's facts the summary reports, whatever the model. */
type AudioFacts = Omit<AudioAnalysisSummary['audio'], 'bitsPerSample' | 'modelRate'>;

/** The cell's span of the file, mixed down to mono, at the file's rate. */
interface WavSpan {
  facts: AudioFacts;
  mixed: Float32Array;
  /** The span's first frame in the file. */
  first: number;
  /** The reader's warnings, and what was cut or mixed down. */
  notes: string[];
}

/** What every output of one cell shares. */
interface AudioCell {
  id: string;
  file: string;
  facts: AudioFacts;
  model: ResolvedModel | undefined;
}

type AudioOutput = { summary: AudioAnalysisSummary; blocks: Map<string, Block> };

function buildOutput(
  cell: AudioCell,
  span: AudioSpan,
  surprisal: Float32Array | undefined,
  engine: EngineInfo | null,
  timings: Timings,
  notes: string[],
): AudioOutput {
  const samplesTrack: TrackDescriptor = {
    block: 'samples',
    record: 0,
    kind: 'samples',
    label: 'waveform (mono)',
    unit: 'amplitude',
    start: span.start,
    binSize: 1,
    length: span.samples.length,
    rows: 1,
    rowLabels: [],
  };
  const tracks = [samplesTrack];
  const blocks = new Map<string, Block>([['samples', span.samples]]);
  if (surprisal) {
    tracks.push({ ...samplesTrack, block: 'surprisal', kind: 'surprisal', label: 'surprisal (mu-law)', unit: 'bits' });
    blocks.set('surprisal', surprisal);
  }
  const summary: AudioAnalysisSummary = {
    schema: 1,
    id: cell.id,
    kind: 'audio-analysis',
    file: cell.file,
    model: cell.model ? modelInfo(cell.model.source, cell.model.shownPath) : null,
    engine,
    timings,
    tracks,
    intervals: [],
    notes: [...notes],
    audio: { ...cell.facts, modelRate: span.rate, bitsPerSample: surprisal && engine ? finiteMean(surprisal) : null },
  };
  return { summary, blocks };
}

/**
 * Reads the cell's span (start:/end:) of the WAV file mixed down to mono, and its tags. The span is
 * cut so that neither its samples at the file's rate nor at `modelRate` exceed MAX_CELL_SAMPLES,
 * nor the bytes it reads MAX_CELL_BYTES; it is read and mixed in chunks of about MIX_CHUNK_BYTES.
 */
async function readWavSpan(path: string, spec: CellSpec, modelRate: number | undefined): Promise<WavSpan> {
  const wav = await WavReader.open(path);
  const notes: string[] = [...wav.info.warnings];
  let mixed: Float32Array, first: number, last: number, tags: Record<string, string>;
  const { sampleRate, channels, bitsPerSample, blockAlign } = wav.format;
  try {
    const maxFrames = Math.min(
      Math.floor((MAX_CELL_SAMPLES * sampleRate) / Math.max(sampleRate, modelRate ?? sampleRate)),
      Math.floor(MAX_CELL_BYTES / blockAlign),
    );
    first = Math.min(wav.info.frames, Math.round(spec.startS * sampleRate));
    last = spec.endS === undefined ? wav.info.frames : Math.min(wav.info.frames, Math.round(spec.endS * sampleRate));
    if (last - first > maxFrames) {
      last = first + maxFrames;
      notes.push(
        `analyzed ${(maxFrames / sampleRate).toFixed(1)} s from ${spec.startS} s (at most ${MAX_CELL_SAMPLES} samples and ${MAX_CELL_BYTES} bytes of the file per cell; use start:/end: for another span)`,
      );
    }
    mixed = new Float32Array(last - first);
    const chunkFrames = Math.max(1, Math.floor(MIX_CHUNK_BYTES / blockAlign));
    for await (const { frame, samples } of wav.stream({
      channel: 'mix',
      startFrame: first,
      endFrame: last,
      chunkFrames,
    }))
      mixed.set(samples, frame - first);
    tags = await readWavTags(wav);
  } finally {
    await wav.close();
  }
  if (channels > 1) notes.push(`${channels} channels mixed down to mono`);
  const facts: AudioFacts = {
    sampleRate,
    channels,
    bitsPerSampleFormat: bitsPerSample,
    durationS: wav.info.durationSeconds,
    startS: first / sampleRate,
    endS: last / sampleRate,
    tags,
  };
  return { facts, mixed, first, notes };
}

/** The span at `rate`: resampled when the file's rate differs, its start moved to match. */
function atRate(wav: WavSpan, rate: number): AudioSpan {
  const fileRate = wav.facts.sampleRate;
  return {
    samples: rate === fileRate ? wav.mixed : resample(wav.mixed, fileRate, rate),
    rate,
    start: Math.round((wav.first * rate) / fileRate),
  };
}

/**
 * Streams `tokens` through the engine, writing each chunk's bits into `surprisal` and calling
 * `shown` with the percentage done at most every REFRESH_MS. Returns the engine's compute time.
 */
async function streamSurprisal(
  ctx: RunContext,
  engine: EngineClient,
  modelKey: string,
  tokens: Int32Array,
  surprisal: Float32Array,
  shown: (pct: number) => void,
): Promise<number> {
  let lastShown = performance.now();
  const { engineMs } = await engine.score(modelKey, tokens, {
    collectDelta: false,
    chunkTokens: CHUNK_TOKENS,
    signal: ctx.signal,
    onChunk: (offset, bits) => {
      surprisal.set(bits, offset);
      if (performance.now() - lastShown < REFRESH_MS) return;
      lastShown = performance.now();
      shown(Math.floor((100 * (offset + bits.length)) / Math.max(1, tokens.length)));
    },
  });
  return engineMs;
}

/** The waveform at the model's rate at once, then its surprisal as chunks arrive, its mean and the regions of unusual audio. */
async function analyzeWithModel(
  spec: CellSpec,
  ctx: RunContext,
  cell: AudioCell & { model: ResolvedModel },
  wav: WavSpan,
  timings: Timings,
  t0: number,
): Promise<AudioOutput> {
  const { model } = cell;
  const rate = model.source.sampleRate!;
  const notes = wav.notes;
  if (!model.source.trained) notes.push(UNTRAINED_NOTE);
  if (rate !== wav.facts.sampleRate) notes.push(`resampled from ${wav.facts.sampleRate} Hz to the model's ${rate} Hz`);
  const span = atRate(wav, rate);
  timings.readMs = performance.now() - t0;
  const surprisal = new Float32Array(span.samples.length).fill(Number.NaN);
  const showSoFar = (note: string): void => {
    const partial = buildOutput(cell, span, surprisal, null, { ...timings, totalMs: performance.now() - t0 }, [
      ...notes,
      note,
    ]);
    ctx.show(partial.summary, partial.blocks);
  };
  showSoFar(PROGRESS_NOTE);

  const { engine, loaded, loadModelMs } = await loadModelOnEngine(ctx, model, spec.backend);
  timings.loadModelMs = loadModelMs;
  const tCompute = performance.now();
  const tokens = mulawEncode(span.samples);
  const engineMs = await streamSurprisal(ctx, engine, loaded.modelKey, tokens, surprisal, (pct) =>
    showSoFar(`${PROGRESS_NOTE} ${pct}%`),
  );
  timings.computeMs = performance.now() - tCompute;
  timings.totalMs = performance.now() - t0;
  const engineInfo: EngineInfo = {
    backend: loaded.backend,
    reason: loaded.reason,
    device: loaded.device,
    tokensPerSecond: engineMs > 0 ? (1000 * tokens.length) / engineMs : 0,
  };
  const out = buildOutput(cell, span, surprisal, engineInfo, timings, notes);
  // The renderer's own rule (smoothed surprisal above mean + 2 sd, in 10 ms windows), stored so the
  // regions persist with the notebook and read the same in the JSON item.
  const track = out.summary.tracks.find((t) => t.kind === 'surprisal')!;
  out.summary.intervals.push(highSurprisal(track, surprisal, 0, 'unusual-audio', audioRegions(rate)));
  return out;
}

export async function analyzeAudio(spec: CellSpec, ctx: RunContext): Promise<AudioOutput> {
  const t0 = performance.now();
  const path = await ctx.resolveFile(spec.file);
  const file = ctx.shownPath(path);
  const model = await ctx.model('audio', spec.model);
  if (model && model.source.modality !== 'audio')
    throw new Error(`${model.shownPath} is a ${model.source.modality} model; this cell analyzes audio`);
  const wav = await readWavSpan(path, spec, model?.source.sampleRate);
  const timings: Timings = { readMs: performance.now() - t0, loadModelMs: 0, computeMs: 0, totalMs: 0 };
  if (model) return analyzeWithModel(spec, ctx, { id: ctx.runId, file, facts: wav.facts, model }, wav, timings, t0);
  const notes = [
    ...wav.notes,
    'no audio model is set up (seqlab.defaultAudioModel, or model: in the cell): waveform and spectrogram only',
  ];
  timings.totalMs = performance.now() - t0;
  const span = { samples: wav.mixed, rate: wav.facts.sampleRate, start: wav.first };
  return buildOutput(
    { id: ctx.runId, file, facts: wav.facts, model: undefined },
    span,
    undefined,
    null,
    timings,
    notes,
  );
}
