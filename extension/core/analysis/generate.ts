// Runs a `generate:` cell: what comes before `from` is the prompt, the engine samples a
// continuation in recurrent step mode (temperature, top-k, seed from the spec). DNA: the bases
// before `from` in a record; the output is a new record (shown beside the track, saveable as
// FASTA). Audio: the WAV before `from` seconds, mixed down, resampled to the model's rate and
// mu-law quantized; the sampled tokens are decoded from mu-law into samples (playable in the pane,
// saveable as WAV).
import { basename } from 'node:path';
import { IndexedFasta } from '../datasets/fasta-index';
import { mulawDecode, mulawEncode } from '../datasets/mulaw';
import { resample } from '../datasets/resample';
import { WavReader } from '../datasets/wav';
import type { GenerationSummary } from '../../../protocol/messages';
import type { CellSpec } from '../notebook/cell-spec';
import { modelInfo } from './model-source';
import { loadModelOnEngine, UNTRAINED_NOTE, type ResolvedModel, type RunContext } from './run-context';
import type { Block } from '../../../protocol/track-codec';

/** The prompt is at most this many bases before the position (the state carries the rest only approximately anyway). */
const MAX_PROMPT = 1 << 14;
/** Audio prompts: at most this many samples at the model's rate (half a second at 16 kHz). */
const MAX_AUDIO_PROMPT = 8000;

type Generated = { summary: GenerationSummary; blocks: Map<string, Block> };

export function generateFromSpec(spec: CellSpec, ctx: RunContext): Promise<Generated> {
  return spec.modality === 'dna' ? generateDna(spec, ctx) : generateAudio(spec, ctx);
}

/** The cell's model (or the default one), which must model what the cell continues. */
async function generatorModel(spec: CellSpec, ctx: RunContext): Promise<ResolvedModel> {
  const what = spec.modality === 'dna' ? 'DNA' : 'audio';
  const model = await ctx.model(spec.modality, spec.model);
  if (!model)
    throw new Error(
      `generate: no ${what} model is set up (seqlab.default${spec.modality === 'dna' ? 'Dna' : 'Audio'}Model, or model: in the cell)`,
    );
  if (model.source.modality !== spec.modality)
    throw new Error(
      `${model.shownPath} is a model of ${model.source.modality === 'dna' ? 'DNA' : 'audio'}; this cell continues ${what}`,
    );
  return model;
}

async function generateAudio(spec: CellSpec, ctx: RunContext): Promise<Generated> {
  const t0 = performance.now();
  const path = await ctx.resolveFile(spec.file);
  const model = await generatorModel(spec, ctx);
  const rate = model.source.sampleRate!;
  const notes = model.source.trained ? [] : [UNTRAINED_NOTE];
  const wav = await WavReader.open(path);
  let prompt: Int32Array, position: number;
  try {
    const fileRate = wav.format.sampleRate;
    const end = spec.from === 0 ? wav.info.frames : Math.min(wav.info.frames, Math.round(spec.from * fileRate));
    if (end < 1) throw new Error(`generate: from ${spec.from} s leaves no audio to start from`);
    const start = Math.max(0, end - Math.ceil((MAX_AUDIO_PROMPT * fileRate) / rate));
    const mixed = await wav.readFrames(start, end, 'mix');
    const atRate = fileRate === rate ? mixed : resample(mixed, fileRate, rate);
    prompt = mulawEncode(atRate.subarray(Math.max(0, atRate.length - MAX_AUDIO_PROMPT)));
    position = Math.round((end * rate) / fileRate);
    if (fileRate !== rate) notes.push(`prompt resampled from ${fileRate} Hz to the model's ${rate} Hz`);
  } finally {
    await wav.close();
  }
  const readMs = performance.now() - t0;
  const { engine, loaded, loadModelMs } = await loadModelOnEngine(ctx, model, spec.backend);
  const tCompute = performance.now();
  const out = await engine.generate(loaded.modelKey, prompt, {
    steps: spec.length,
    temperature: spec.temperature,
    topK: spec.topK,
    seed: spec.seed,
    signal: ctx.signal,
  });
  const computeMs = performance.now() - tCompute;
  const samples = mulawDecode(out.tokens);
  const name = `${basename(path).replace(/\.wav$/i, '')}_continued_from_${(position / rate).toFixed(3)}s`;
  const summary: GenerationSummary = {
    schema: 1,
    id: ctx.runId,
    kind: 'audio-generation',
    file: ctx.shownPath(path),
    model: modelInfo(model.source, model.shownPath),
    engine: {
      backend: loaded.backend,
      reason: loaded.reason,
      device: loaded.device,
      tokensPerSecond: out.engineMs > 0 ? (1000 * (prompt.length + out.tokens.length)) / out.engineMs : 0,
    },
    timings: { readMs, loadModelMs, computeMs, totalMs: performance.now() - t0 },
    tracks: [
      {
        block: 'samples',
        record: 0,
        kind: 'samples',
        label: name,
        unit: 'amplitude',
        start: 0,
        binSize: 1,
        length: samples.length,
        rows: 1,
        rowLabels: [],
      },
    ],
    intervals: [],
    notes,
    sourceRecord: 0,
    position,
    steps: spec.length,
    temperature: spec.temperature,
    topK: spec.topK,
    seed: spec.seed,
    name,
    sampleRate: rate,
  };
  return { summary, blocks: new Map<string, Block>([['samples', samples]]) };
}

async function generateDna(spec: CellSpec, ctx: RunContext): Promise<Generated> {
  const t0 = performance.now();
  const path = await ctx.resolveFile(spec.file);
  const model = await generatorModel(spec, ctx);
  const notes = model.source.trained ? [] : [UNTRAINED_NOTE];
  const fasta = await IndexedFasta.open(path, { signal: ctx.signal });
  let prompt: Uint8Array, recordIndex: number, recordName: string, position: number;
  try {
    recordIndex = spec.record === undefined ? 0 : fasta.recordNamed(spec.record);
    if (recordIndex < 0 || recordIndex >= fasta.records.length)
      throw new Error(`${path}: no record ${spec.record === undefined ? 0 : `named "${spec.record}"`}`);
    const rec = fasta.records[recordIndex];
    recordName = rec.name;
    position = spec.from === 0 ? rec.length : Math.min(rec.length, Math.floor(spec.from));
    if (position < 1) throw new Error(`generate: from ${spec.from} leaves no bases to start from`);
    prompt = await fasta.readBases(recordIndex, Math.max(0, position - MAX_PROMPT), position, { signal: ctx.signal });
  } finally {
    await fasta.close();
  }
  const readMs = performance.now() - t0;
  const tokenizer = model.source.tokenizer!;
  const { engine, loaded, loadModelMs } = await loadModelOnEngine(ctx, model, spec.backend);
  const tCompute = performance.now();
  const out = await engine.generate(loaded.modelKey, tokenizer.encode(prompt), {
    steps: spec.length,
    temperature: spec.temperature,
    topK: spec.topK,
    seed: spec.seed,
    signal: ctx.signal,
  });
  const computeMs = performance.now() - tCompute;
  const sequence = new TextEncoder().encode(tokenizer.decode(out.tokens));
  // A model samples from its whole vocabulary: say plainly what was not a base (an untrained one does so often).
  const specials = out.tokens.length - sequence.length;
  if (specials > 0)
    notes.push(`${specials} of ${out.tokens.length} sampled tokens were special tokens (no base) and are left out`);
  const notAcgt = sequence.reduce((n, b) => n + (/[ACGT]/.test(String.fromCharCode(b)) ? 0 : 1), 0);
  if (notAcgt > 0) notes.push(`${notAcgt} of the ${sequence.length} generated bases are N, ambiguity codes or gaps`);
  const name = `${recordName}_continued_from_${position}`;
  const summary: GenerationSummary = {
    schema: 1,
    id: ctx.runId,
    kind: 'dna-generation',
    file: ctx.shownPath(path),
    model: modelInfo(model.source, model.shownPath),
    engine: {
      backend: loaded.backend,
      reason: loaded.reason,
      device: loaded.device,
      tokensPerSecond: out.engineMs > 0 ? (1000 * (prompt.length + out.tokens.length)) / out.engineMs : 0,
    },
    timings: { readMs, loadModelMs, computeMs, totalMs: performance.now() - t0 },
    tracks: [
      {
        block: 'sequence',
        record: 0,
        kind: 'sequence',
        label: name,
        unit: 'base',
        start: 0,
        binSize: 1,
        length: sequence.length,
        rows: 1,
        rowLabels: [],
      },
    ],
    intervals: [],
    notes,
    sourceRecord: recordIndex,
    position,
    steps: spec.length,
    temperature: spec.temperature,
    topK: spec.topK,
    seed: spec.seed,
    name,
    sampleRate: 0,
  };
  return { summary, blocks: new Map<string, Block>([['sequence', sequence]]) };
}
