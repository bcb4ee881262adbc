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
import type { EngineInfo, GenerationSummary, TrackDescriptor } from '../../../protocol/notebook-output';
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

/** The tokens before the continuation and where in the source they end. */
interface Prompt {
  tokens: Int32Array;
  sourceRecord: number;
  /** Bases (DNA) or samples at the model's rate (audio) before the continuation. */
  position: number;
}

/** What the engine sampled after the prompt, and how long loading the model and sampling took. */
interface Sampled {
  tokens: Int32Array;
  engine: EngineInfo;
  loadModelMs: number;
  computeMs: number;
}

/** The continuation as the cell shows it: one track named `name`. */
interface Continuation {
  kind: GenerationSummary['kind'];
  track: 'samples' | 'sequence';
  unit: TrackDescriptor['unit'];
  values: Block;
  name: string;
  /** The audio's rate; 0 for DNA. */
  sampleRate: number;
}

/** Up to MAX_AUDIO_PROMPT samples before `from` seconds, mixed down, at the model's `rate`, mu-law encoded. */
async function readAudioPrompt(path: string, spec: CellSpec, rate: number, notes: string[]): Promise<Prompt> {
  const wav = await WavReader.open(path);
  try {
    const fileRate = wav.format.sampleRate;
    const end = spec.from === 0 ? wav.info.frames : Math.min(wav.info.frames, Math.round(spec.from * fileRate));
    if (end < 1) throw new Error(`generate: from ${spec.from} s leaves no audio to start from`);
    const start = Math.max(0, end - Math.ceil((MAX_AUDIO_PROMPT * fileRate) / rate));
    const mixed = await wav.readFrames(start, end, 'mix');
    const atRate = fileRate === rate ? mixed : resample(mixed, fileRate, rate);
    if (fileRate !== rate) notes.push(`prompt resampled from ${fileRate} Hz to the model's ${rate} Hz`);
    return {
      tokens: mulawEncode(atRate.subarray(Math.max(0, atRate.length - MAX_AUDIO_PROMPT))),
      sourceRecord: 0,
      position: Math.round((end * rate) / fileRate),
    };
  } finally {
    await wav.close();
  }
}

/** Up to MAX_PROMPT bases before `from` in the cell's record (the first when it names none). */
async function readDnaPrompt(
  path: string,
  spec: CellSpec,
  signal: AbortSignal,
): Promise<{ bases: Uint8Array; recordIndex: number; recordName: string; position: number }> {
  const fasta = await IndexedFasta.open(path, { signal });
  try {
    const recordIndex = spec.record === undefined ? 0 : fasta.recordNamed(spec.record);
    if (recordIndex < 0 || recordIndex >= fasta.records.count)
      throw new Error(`${path}: no record ${spec.record === undefined ? 0 : `named "${spec.record}"`}`);
    const rec = fasta.records.get(recordIndex);
    const position = spec.from === 0 ? rec.length : Math.min(rec.length, Math.floor(spec.from));
    if (position < 1) throw new Error(`generate: from ${spec.from} leaves no bases to start from`);
    const bases = await fasta.readBases(recordIndex, Math.max(0, position - MAX_PROMPT), position, { signal });
    return { bases, recordIndex, recordName: rec.name, position };
  } finally {
    await fasta.close();
  }
}

/** Loads the model on the engine and samples the cell's `length` tokens after `prompt`. */
async function sample(spec: CellSpec, ctx: RunContext, model: ResolvedModel, prompt: Int32Array): Promise<Sampled> {
  const { engine, loaded, loadModelMs } = await loadModelOnEngine(ctx, model, spec.backend);
  const tCompute = performance.now();
  const out = await engine.generate(loaded.modelKey, prompt, {
    steps: spec.length,
    vocabSize: model.source.config.vocabSize,
    temperature: spec.temperature,
    topK: spec.topK,
    seed: spec.seed,
    signal: ctx.signal,
  });
  const computeMs = performance.now() - tCompute;
  return {
    tokens: out.tokens,
    loadModelMs,
    computeMs,
    engine: {
      backend: loaded.backend,
      reason: loaded.reason,
      device: loaded.device,
      tokensPerSecond: out.engineMs > 0 ? (1000 * (prompt.length + out.tokens.length)) / out.engineMs : 0,
    },
  };
}

/** How a generation came about, for its summary. */
interface GenerationRun {
  path: string;
  model: ResolvedModel;
  prompt: Prompt;
  sampled: Sampled;
  /** When the cell started, and how long reading the prompt took. */
  t0: number;
  readMs: number;
  notes: string[];
}

function generationOutput(spec: CellSpec, ctx: RunContext, run: GenerationRun, c: Continuation): Generated {
  const { sampled } = run;
  const summary: GenerationSummary = {
    schema: 1,
    id: ctx.runId,
    kind: c.kind,
    file: ctx.shownPath(run.path),
    model: modelInfo(run.model.source, run.model.shownPath),
    engine: sampled.engine,
    timings: {
      readMs: run.readMs,
      loadModelMs: sampled.loadModelMs,
      computeMs: sampled.computeMs,
      totalMs: performance.now() - run.t0,
    },
    tracks: [
      {
        block: c.track,
        record: 0,
        kind: c.track,
        label: c.name,
        unit: c.unit,
        start: 0,
        binSize: 1,
        length: c.values.length,
        rows: 1,
        rowLabels: [],
      },
    ],
    intervals: [],
    notes: run.notes,
    sourceRecord: run.prompt.sourceRecord,
    position: run.prompt.position,
    steps: spec.length,
    temperature: spec.temperature,
    topK: spec.topK,
    seed: spec.seed,
    name: c.name,
    sampleRate: c.sampleRate,
  };
  return { summary, blocks: new Map<string, Block>([[c.track, c.values]]) };
}

async function generateAudio(spec: CellSpec, ctx: RunContext): Promise<Generated> {
  const t0 = performance.now();
  const path = await ctx.resolveFile(spec.file);
  const model = await generatorModel(spec, ctx);
  const rate = model.source.sampleRate!;
  const notes = model.source.trained ? [] : [UNTRAINED_NOTE];
  const prompt = await readAudioPrompt(path, spec, rate, notes);
  const readMs = performance.now() - t0;
  const sampled = await sample(spec, ctx, model, prompt.tokens);
  const samples = mulawDecode(sampled.tokens);
  const name = `${basename(path).replace(/\.wav$/i, '')}_continued_from_${(prompt.position / rate).toFixed(3)}s`;
  return generationOutput(
    spec,
    ctx,
    { path, model, prompt, sampled, t0, readMs, notes },
    { kind: 'audio-generation', track: 'samples', unit: 'amplitude', values: samples, name, sampleRate: rate },
  );
}

/** Notes on what the model sampled that is not a plain base (an untrained model does so often). */
function unusualTokenNotes(sampled: Int32Array, sequence: Uint8Array): string[] {
  const notes: string[] = [];
  const specials = sampled.length - sequence.length;
  if (specials > 0)
    notes.push(`${specials} of ${sampled.length} sampled tokens were special tokens (no base) and are left out`);
  const notAcgt = sequence.reduce((n, b) => n + (/[ACGT]/.test(String.fromCharCode(b)) ? 0 : 1), 0);
  if (notAcgt > 0) notes.push(`${notAcgt} of the ${sequence.length} generated bases are N, ambiguity codes or gaps`);
  return notes;
}

async function generateDna(spec: CellSpec, ctx: RunContext): Promise<Generated> {
  const t0 = performance.now();
  const path = await ctx.resolveFile(spec.file);
  const model = await generatorModel(spec, ctx);
  const notes = model.source.trained ? [] : [UNTRAINED_NOTE];
  const read = await readDnaPrompt(path, spec, ctx.signal);
  const readMs = performance.now() - t0;
  const tokenizer = model.source.tokenizer!;
  const prompt: Prompt = {
    tokens: tokenizer.encode(read.bases),
    sourceRecord: read.recordIndex,
    position: read.position,
  };
  const sampled = await sample(spec, ctx, model, prompt.tokens);
  const sequence = new TextEncoder().encode(tokenizer.decode(sampled.tokens));
  notes.push(...unusualTokenNotes(sampled.tokens, sequence));
  return generationOutput(
    spec,
    ctx,
    { path, model, prompt, sampled, t0, readMs, notes },
    {
      kind: 'dna-generation',
      track: 'sequence',
      unit: 'base',
      values: sequence,
      name: `${read.recordName}_continued_from_${read.position}`,
      sampleRate: 0,
    },
  );
}
