// Runs an `analyze:` cell on a FASTA/FASTQ file: reads the records (or one region) with the
// datasets readers, shows the sequence, GC windows, soft-mask and N runs at once, then streams the
// tokens through the engine for per-base surprisal (both strands when asked) and per-layer mean Δ,
// refreshing the picture as chunks arrive. Long records are binned to bounded track sizes.
import type { DnaTokenizer } from '../datasets/dna-tokenizer';
import { IndexedFasta } from '../datasets/fasta-index';
import { readFastq } from '../datasets/fastq';
import { nRuns, softMaskedRuns, type Run } from '../datasets/sequence-runs';
import { openFileSource } from '../datasets/source';
import type { ModelLoaded } from '../../../protocol/engine-messages';
import type {
  DnaAnalysisSummary,
  DnaRecordSummary,
  IntervalSet,
  TrackDescriptor,
} from '../../../protocol/notebook-output';
import type { EngineClient } from '../engine/engine-client';
import type { CellSpec } from '../notebook/cell-spec';
import { modelInfo } from './model-source';
import { loadModelOnEngine, PROGRESS_NOTE, UNTRAINED_NOTE, type ResolvedModel, type RunContext } from './run-context';
import type { Block } from '../../../protocol/track-codec';
import { binMeans, binSizeFor, finiteMean, gcWindows, reverseToForward } from './track-math';

/** Most bases one cell reads (a larger file needs `region:`). */
export const MAX_CELL_BASES = 8_000_000;
/** Most values per stored track row; longer records are binned. */
const MAX_TRACK_VALUES = 1 << 20;
const MAX_HEATMAP_VALUES = 1 << 16;
/** Letters are stored for records up to this long (the view shows them when zoomed in). */
const MAX_SEQUENCE_LETTERS = 1 << 21;
const CHUNK_TOKENS = 1 << 12;
const REFRESH_MS = 400;

interface RecordData {
  index: number;
  name: string;
  description: string;
  fullLength: number;
  start: number;
  bases: Uint8Array;
  softMasked: Run[];
  nRuns: Run[];
}

interface RecordScores {
  forward: Float32Array;
  reverse: Float32Array | undefined;
  delta: Float32Array;
  layers: number;
}

async function readRecords(path: string, spec: CellSpec, notes: string[], signal: AbortSignal): Promise<RecordData[]> {
  const out: RecordData[] = [];
  let budget = MAX_CELL_BASES;
  // `bases` is at most the budget's worth of the `wanted` bases from rec.start: only that much is read.
  const take = (rec: Omit<RecordData, 'bases' | 'softMasked' | 'nRuns'>, bases: Uint8Array, wanted: number): void => {
    if (bases.length < wanted)
      notes.push(
        `record ${rec.name}: analyzed the first ${bases.length} of ${wanted} bases (at most ${MAX_CELL_BASES} per cell; use region: for more)`,
      );
    budget -= bases.length;
    out.push({ ...rec, bases, softMasked: softMaskedRuns(bases, rec.start), nRuns: nRuns(bases, rec.start) });
  };
  if (/\.(fastq|fq)(\.gz)?$/i.test(path)) {
    const src = await openFileSource(path);
    try {
      for await (const r of readFastq(src, { signal })) {
        if (spec.region && r.name !== spec.region.record) continue;
        const [s, e] = spec.region ? clampRegion(spec, r.name, r.bases.length) : [0, r.bases.length];
        take(
          { index: r.index, name: r.name, description: r.description, fullLength: r.bases.length, start: s },
          r.bases.subarray(s, Math.min(e, s + budget)),
          e - s,
        );
        if (spec.region || out.length >= spec.records || budget === 0) break;
      }
    } finally {
      await src.close();
    }
  } else {
    const fasta = await IndexedFasta.open(path, { signal });
    try {
      const count = fasta.records.count;
      const firstOf = (n: number) => Array.from({ length: Math.min(n, count) }, (_, i) => i);
      const indices = spec.region ? [fasta.recordNamed(spec.region.record)] : firstOf(spec.records);
      if (indices[0] === -1)
        throw new Error(
          `${path}: no record named "${spec.region!.record}" (records: ${firstOf(5)
            .map((i) => fasta.records.get(i).name)
            .join(', ')}${count > 5 ? ', …' : ''})`,
        );
      if (count > spec.records && !spec.region)
        notes.push(`analyzed the first ${spec.records} of ${count} records (records: sets how many)`);
      for (const i of indices) {
        if (budget === 0) break;
        const r = fasta.records.get(i);
        const [s, e] = spec.region ? clampRegion(spec, r.name, r.length) : [0, r.length];
        take(
          { index: i, name: r.name, description: r.description, fullLength: r.length, start: s },
          await fasta.readBases(i, s, Math.min(e, s + budget), { signal }),
          e - s,
        );
      }
    } finally {
      await fasta.close();
    }
  }
  if (out.length === 0)
    throw new Error(`${path}: ${spec.region ? `no record named "${spec.region.record}"` : 'no records'}`);
  return out;
}

function clampRegion(spec: CellSpec, name: string, length: number): [number, number] {
  const r = spec.region!;
  if (r.start >= length)
    throw new Error(`region ${name}:${r.start + 1}-${r.end} starts after the end of the record (length ${length})`);
  return [r.start, Math.min(r.end, length)];
}

function countBases(bases: Uint8Array): { gc: number; acgt: number; n: number; soft: number } {
  let gc = 0,
    acgt = 0,
    n = 0,
    soft = 0;
  for (const b of bases) {
    if (b >= 0x61) soft++;
    const u = b | 0x20;
    if (u === 0x67 || u === 0x63) {
      gc++;
      acgt++;
    } else if (u === 0x61 || u === 0x74 || u === 0x75) acgt++;
    else if (u === 0x6e) n++;
  }
  return { gc, acgt, n, soft };
}

/** What every output of one cell shares. */
interface DnaCell {
  id: string;
  file: string;
  spec: CellSpec;
  records: RecordData[];
  model: ResolvedModel | undefined;
}

type DnaOutput = { summary: DnaAnalysisSummary; blocks: Map<string, Block> };

/** A cell's tracks and the blocks that hold their values. */
class TrackSet {
  readonly blocks = new Map<string, Block>();
  readonly tracks: TrackDescriptor[] = [];

  /** Adds record `k`'s track of `kind`, starting at its record's first base. */
  add(
    k: number,
    start: number,
    kind: TrackDescriptor['kind'],
    label: string,
    unit: TrackDescriptor['unit'],
    data: Block,
    binSize: number,
    length: number,
    rows = 1,
    rowLabels: string[] = [],
  ): void {
    const block = `r${k}/${kind}`;
    this.blocks.set(block, data);
    this.tracks.push({ block, record: k, kind, label, unit, start, binSize, length, rows, rowLabels });
  }
}

/** The record's letters (short records only) and its GC windows. */
function addSequenceTracks(set: TrackSet, k: number, r: RecordData, window: number): void {
  const n = r.bases.length;
  if (n <= MAX_SEQUENCE_LETTERS) set.add(k, r.start, 'sequence', 'sequence', 'base', r.bases, 1, n);
  set.add(
    k,
    r.start,
    'gc',
    `GC % (${window} bp windows)`,
    '%',
    gcWindows(r.bases, window),
    window,
    Math.ceil(n / window),
  );
}

/** The model's surprisal on each strand scored and its per-layer Δ, binned to bounded sizes. */
function addScoreTracks(set: TrackSet, k: number, r: RecordData, s: RecordScores): void {
  const n = r.bases.length;
  const bin = binSizeFor(n, MAX_TRACK_VALUES);
  set.add(k, r.start, 'surprisal', 'surprisal', 'bits', binMeans(s.forward, 1, n, bin), bin, Math.ceil(n / bin));
  if (s.reverse)
    set.add(
      k,
      r.start,
      'surprisal-reverse',
      'surprisal (reverse strand)',
      'bits',
      binMeans(s.reverse, 1, n, bin),
      bin,
      Math.ceil(n / bin),
    );
  if (s.layers > 0) {
    const hb = binSizeFor(n, MAX_HEATMAP_VALUES);
    set.add(
      k,
      r.start,
      'delta',
      'selection Δ per layer',
      'Δ',
      binMeans(s.delta, s.layers, n, hb),
      hb,
      Math.ceil(n / hb),
      s.layers,
      Array.from({ length: s.layers }, (_, i) => `layer ${i}`),
    );
  }
}

function recordIntervals(k: number, r: RecordData): IntervalSet[] {
  const runs = (kind: IntervalSet['kind'], list: Run[]): IntervalSet => ({
    record: k,
    kind,
    starts: list.map((x) => x.start),
    ends: list.map((x) => x.end),
    scores: [],
  });
  return [runs('soft-mask', r.softMasked), runs('n-run', r.nRuns)];
}

function recordSummary(r: RecordData, s: RecordScores | undefined): DnaRecordSummary {
  const c = countBases(r.bases);
  return {
    index: r.index,
    name: r.name,
    description: r.description,
    length: r.fullLength,
    start: r.start,
    end: r.start + r.bases.length,
    gcPercent: c.acgt ? (100 * c.gc) / c.acgt : 0,
    nCount: c.n,
    softMaskedCount: c.soft,
    bitsPerBase: s ? finiteMean(s.forward) : null,
    bitsPerBaseReverse: s?.reverse ? finiteMean(s.reverse) : null,
  };
}

/** Builds the summary and blocks for what is known so far (scores undefined before the model ran). */
function buildOutput(
  cell: DnaCell,
  scores: (RecordScores | undefined)[],
  engine: DnaAnalysisSummary['engine'],
  timings: DnaAnalysisSummary['timings'],
  notes: string[],
): DnaOutput {
  const set = new TrackSet();
  cell.records.forEach((r, k) => {
    addSequenceTracks(set, k, r, cell.spec.window);
    const s = scores[k];
    if (s) addScoreTracks(set, k, r, s);
  });
  const summary: DnaAnalysisSummary = {
    schema: 1,
    id: cell.id,
    kind: 'dna-analysis',
    file: cell.file,
    model: cell.model ? modelInfo(cell.model.source, cell.model.shownPath) : null,
    engine,
    timings,
    tracks: set.tracks,
    intervals: cell.records.flatMap((r, k) => recordIntervals(k, r)),
    notes: [...notes],
    records: cell.records.map((r, k) => recordSummary(r, scores[k])),
  };
  return { summary, blocks: set.blocks };
}

/**
 * Scores every record into `scores`: the forward strand with its per-layer Δ, and the reverse
 * complement too when the cell asks for both strands (stored in forward coordinates). Calls
 * `shown` with the percentage of tokens done at most every REFRESH_MS. Returns the engine's time
 * and the tokens scored.
 */
async function scoreRecords(
  ctx: RunContext,
  engine: EngineClient,
  loaded: ModelLoaded,
  tokenizer: DnaTokenizer,
  cell: DnaCell,
  scores: (RecordScores | undefined)[],
  shown: (pct: number) => void,
): Promise<{ engineMs: number; totalTokens: number }> {
  const { spec, records } = cell;
  let engineMs = 0,
    tokensScored = 0,
    lastShown = performance.now();
  const totalTokens = records.reduce((a, r) => a + r.bases.length, 0) * (spec.strand === 'both' ? 2 : 1);
  for (let k = 0; k < records.length; k++) {
    const n = records[k].bases.length;
    const tokens = tokenizer.encode(records[k].bases);
    const s: RecordScores = {
      forward: new Float32Array(n).fill(Number.NaN),
      reverse: undefined,
      delta: new Float32Array(n * loaded.layers).fill(Number.NaN),
      layers: loaded.layers,
    };
    scores[k] = s;
    const strands: [Int32Array, Float32Array, boolean][] = [[tokens, s.forward, true]];
    if (spec.strand === 'both') {
      s.reverse = new Float32Array(n).fill(Number.NaN);
      strands.push([tokenizer.reverseComplement(tokens), s.reverse, false]);
    }
    for (const [ids, into, withDelta] of strands) {
      const r = await engine.score(loaded.modelKey, ids, {
        collectDelta: withDelta,
        chunkTokens: CHUNK_TOKENS,
        signal: ctx.signal,
        onChunk: (offset, surprisal, delta) => {
          into.set(surprisal, offset);
          const m = surprisal.length;
          if (withDelta && delta.length === m * s.layers)
            for (let l = 0; l < s.layers; l++) s.delta.set(delta.subarray(l * m, (l + 1) * m), l * n + offset);
          tokensScored += m;
          if (performance.now() - lastShown > REFRESH_MS) {
            lastShown = performance.now();
            shown(Math.floor((100 * tokensScored) / Math.max(1, totalTokens)));
          }
        },
      });
      engineMs += r.engineMs;
      if (!withDelta) s.reverse = reverseToForward(into);
    }
  }
  return { engineMs, totalTokens };
}

export async function analyzeDna(spec: CellSpec, ctx: RunContext): Promise<DnaOutput> {
  const t0 = performance.now();
  const path = await ctx.resolveFile(spec.file);
  const file = ctx.shownPath(path);
  const notes: string[] = [];
  const records = await readRecords(path, spec, notes, ctx.signal);
  const readMs = performance.now() - t0;
  const timings = { readMs, loadModelMs: 0, computeMs: 0, totalMs: readMs };
  const scores: (RecordScores | undefined)[] = records.map(() => undefined);
  const model = await ctx.model('dna', spec.model);
  const cell: DnaCell = { id: ctx.runId, file, spec, records, model };
  if (!model) {
    notes.push('no DNA model is set up (seqlab.defaultDnaModel, or model: in the cell): sequence tracks only');
    return buildOutput(cell, scores, null, timings, notes);
  }
  if (model.source.modality !== 'dna')
    throw new Error(`${model.shownPath} is an ${model.source.modality} model; this cell analyzes DNA`);
  if (!model.source.trained) notes.push(UNTRAINED_NOTE);
  const showSoFar = (note: string): void => {
    const partial = buildOutput(cell, scores, null, { ...timings, totalMs: performance.now() - t0 }, [...notes, note]);
    ctx.show(partial.summary, partial.blocks);
  };
  showSoFar(PROGRESS_NOTE);

  const { engine, loaded, loadModelMs } = await loadModelOnEngine(ctx, model, spec.backend);
  timings.loadModelMs = loadModelMs;
  const tCompute = performance.now();
  const { engineMs, totalTokens } = await scoreRecords(
    ctx,
    engine,
    loaded,
    model.source.tokenizer!,
    cell,
    scores,
    (pct) => showSoFar(`${PROGRESS_NOTE} ${pct}%`),
  );
  timings.computeMs = performance.now() - tCompute;
  timings.totalMs = performance.now() - t0;
  const engineInfo = {
    backend: loaded.backend,
    reason: loaded.reason,
    device: loaded.device,
    tokensPerSecond: engineMs > 0 ? (1000 * totalTokens) / engineMs : 0,
  };
  return buildOutput(cell, scores, engineInfo, timings, notes);
}
