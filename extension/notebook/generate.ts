// Runs a `generate:` cell: the bases before `from` in a record are the prompt, the engine samples a
// continuation in recurrent step mode (temperature, top-k, seed from the spec), and the output is a
// new record (the renderer shows it beside the track and can save it as FASTA).
import { IndexedFasta } from '../datasets/fasta-index';
import type { GenerationSummary } from '../protocol';
import type { CellSpec } from './cell-spec';
import { modelInfo } from './model-source';
import { UNTRAINED_NOTE, type RunContext } from './run-context';
import type { Block } from './track-codec';

/** The prompt is at most this many bases before the position (the state carries the rest only approximately anyway). */
const MAX_PROMPT = 1 << 14;

export async function generateFromSpec(spec: CellSpec, ctx: RunContext): Promise<{ summary: GenerationSummary; blocks: Map<string, Block> }> {
  if (spec.modality !== 'dna') throw new Error('generate: audio continuation needs an audio model with a mu-law tokenizer, which this build does not have yet');
  const t0 = performance.now();
  const path = await ctx.resolveFile(spec.file);
  const model = await ctx.model('dna', spec.model);
  if (!model) throw new Error('generate: no DNA model is set up (seqlab.defaultDnaModel, or model: in the cell)');
  const notes = model.source.trained ? [] : [UNTRAINED_NOTE];
  const fasta = await IndexedFasta.open(path, { signal: ctx.signal });
  let prompt: Uint8Array, recordIndex: number, recordName: string, position: number;
  try {
    recordIndex = spec.record === undefined ? 0 : fasta.recordNamed(spec.record);
    if (recordIndex < 0 || recordIndex >= fasta.records.length) throw new Error(`${path}: no record ${spec.record === undefined ? 0 : `named "${spec.record}"`}`);
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
  const engine = await ctx.engine();
  const tLoad = performance.now();
  const loaded = await engine.loadModel(model.source.key, ctx.backend(spec.backend), model.source.configJson, model.source.weights, ctx.signal);
  const loadModelMs = performance.now() - tLoad;
  const tCompute = performance.now();
  const out = await engine.generate(loaded.modelKey, tokenizer.encode(prompt), {
    steps: spec.length, temperature: spec.temperature, topK: spec.topK, seed: spec.seed, signal: ctx.signal,
  });
  const computeMs = performance.now() - tCompute;
  const sequence = new TextEncoder().encode(tokenizer.decode(out.tokens));
  const name = `${recordName}_continued_from_${position}`;
  const summary: GenerationSummary = {
    schema: 1, id: ctx.runId, kind: 'dna-generation', file: ctx.shownPath(path), model: modelInfo(model.source, model.shownPath),
    engine: { backend: loaded.backend, reason: loaded.reason, device: loaded.device, tokensPerSecond: out.engineMs > 0 ? (1000 * (prompt.length + out.tokens.length)) / out.engineMs : 0 },
    timings: { readMs, loadModelMs, computeMs, totalMs: performance.now() - t0 },
    tracks: [{ block: 'sequence', record: 0, kind: 'sequence', label: name, unit: 'base', start: 0, binSize: 1, length: sequence.length, rows: 1, rowLabels: [] }],
    intervals: [], notes,
    sourceRecord: recordIndex, position, steps: spec.length, temperature: spec.temperature, topK: spec.topK, seed: spec.seed, name, sampleRate: 0,
  };
  return { summary, blocks: new Map<string, Block>([['sequence', sequence]]) };
}
