// `seqlab eval --model DIR|RUN_DIR [--data FILE…] [--range 80%-100%] [--train-range 0%-80%] …`:
// held-out bits per base (DNA) or per sample (audio) of a trained model on exactly that range of
// each file; N and other non-ACGT positions are excluded and reported. The figure comes with its
// context: the uniform code (2 bits/base, 8 bits/sample) and the best order-k Markov model counted
// on the training range, scored on the same positions. A run folder stands for its latest
// checkpoint; a run (or a model folder whose training.json says how it was made) supplies the data,
// the held-out range (the complement of its training range) and the baseline's training range.
import { existsSync, statSync } from 'node:fs';
import { onnxSurprisal } from '../../../kernels/onnx/onnx-stream';
import { FULL_RANGE, heldOutRange, parseRange, rangeText, withRecords, type DataRange } from '../runs/data-range';
import { bestMarkov, defaultMarkovOrders, markovSweep, type MarkovOrderScore } from '../runs/markov-baseline';
import { loadModelDir } from '../models/load-model';
import { ModelScorer } from '../runs/model-scorer';
import { resolveModelOrigin, type ModelOrigin } from '../runs/model-origin';
import { openOnnxModel } from '../onnx/open-onnx-model';
import { evaluateSegments, type RangeScore, type SegmentScorer } from '../runs/range-eval';
import { loadTokenData, type TokenData } from '../runs/token-data';
import { CliError, parseOptions, type Command } from './command';
import { backendOption, threadsOption } from './model-inputs';

export function printScore(score: RangeScore, unit: string, label: string): void {
  for (const f of score.files) {
    console.log(
      `${f.path}: ${f.bitsPerToken.toFixed(4)} bits/${unit} over ${f.scored} ${unit}s (${f.excluded} N/other excluded, ${f.segmentStarts} record starts unscored)`,
    );
  }
  console.log(
    `${label}: ${score.bitsPerToken.toFixed(4)} bits/${unit} over ${score.scored} ${unit}s; ${score.excluded} excluded`,
  );
}

/** What to score and against what, with a line for each default taken from the model's training. */
interface EvalPlan {
  data: string[];
  range: DataRange;
  trainRange: DataRange | undefined;
  baseline: boolean;
  notes: string[];
}

function userError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

function plan(o: ReturnType<typeof parseOptions>, origin: ModelOrigin): EvalPlan {
  const training = origin.training,
    records = o.lists.records,
    notes: string[] = [];
  if (origin.run)
    notes.push(
      `model: run ${origin.run.name}, checkpoint ${origin.run.checkpoint} (step ${origin.run.step}), the latest in checkpoints/latest.json`,
    );
  let data = o.lists.data;
  if (!data) {
    if (!training) throw new CliError('--data FILE… is required (the model records no training data)');
    for (const f of training.data)
      if (!existsSync(f))
        throw new CliError(`${f}: the training data ${training.source} names is not here; give --data`);
    data = training.data;
    notes.push(`data: ${data.join(', ')} (from ${training.source})`);
  }
  const givenTrain = o.values['train-range'];
  const trainRange = givenTrain
    ? userError(() => withRecords(parseRange(givenTrain, '--train-range'), records))
    : training && userError(() => withRecords(training.range, records));
  let range: DataRange;
  if (o.values.range) range = userError(() => withRecords(parseRange(o.values.range), records));
  else if (trainRange) {
    range = userError(() => heldOutRange(trainRange));
    notes.push(
      `range: ${rangeText(range)}, the complement of the training range ${rangeText(trainRange)}${givenTrain ? '' : ` (from ${training!.source})`}`,
    );
  } else range = userError(() => withRecords(FULL_RANGE, records));
  if (trainRange && range.startPct < trainRange.endPct && trainRange.startPct < range.endPct)
    notes.push(
      `note: ${rangeText(range)} overlaps the training range ${rangeText(trainRange)}: the model has seen part of it`,
    );
  if (o.flags.has('baseline') && !trainRange)
    throw new CliError('--baseline needs the range the baseline is counted on: give --train-range START%-END%');
  if (o.flags.has('baseline') && o.flags.has('no-baseline')) throw new CliError('give --baseline or --no-baseline');
  return { data, range, trainRange, baseline: !!trainRange && !o.flags.has('no-baseline'), notes };
}

/** Throws when a file the run trained on changed since (its figures would compare different data). */
function checkSameData(data: TokenData, origin: ModelOrigin): void {
  const training = origin.training!;
  for (const e of data.manifest) {
    const before = training.sha256.get(e.path);
    if (before && before !== e.sha256)
      throw new CliError(
        `${e.path}: changed since training (SHA-256 ${e.sha256.slice(0, 12)}…, ${training.source} says ${before.slice(0, 12)}…)`,
      );
  }
}

interface Baseline {
  trainRange: string;
  reverseComplement: boolean;
  best: MarkovOrderScore;
  orders: MarkovOrderScore[];
}

async function markovBaseline(files: string[], trainRange: DataRange, test: TokenData): Promise<Baseline> {
  const train = await loadTokenData(files, trainRange);
  const rc = train.kind === 'dna';
  const orders = await markovSweep(train, test, defaultMarkovOrders(train.kind), rc);
  return { trainRange: rangeText(trainRange), reverseComplement: rc, best: bestMarkov(orders), orders };
}

function verdict(model: number, baseline: Baseline, unit: string): string {
  const gap = baseline.best.score.bitsPerToken - model,
    best = `the best Markov (k=${baseline.best.k})`;
  return gap > 0
    ? `model beats ${best} by ${gap.toFixed(4)} bits/${unit}`
    : `model does not beat ${best}: ${(-gap).toFixed(4)} bits/${unit} behind`;
}

/** The model as a segment scorer, on the CPU backend or as an ONNX graph. */
interface Scoring {
  vocabSize: number;
  score: SegmentScorer;
  dispose(): Promise<void> | void;
}

/** Tokens per ONNX run: exp(Δ·A) and Δ·B·x take [chunk, d_in, n] floats each in the wasm heap. */
const ONNX_CHUNK = 1024;

async function openScoring(path: string, values: Record<string, string>): Promise<Scoring> {
  if (backendOption(values) === 'onnx') {
    const { model } = await openOnnxModel(path, 'step', threadsOption(values));
    return {
      vocabSize: model.config.vocabSize,
      score: (tokens) => onnxSurprisal(model, tokens, ONNX_CHUNK),
      dispose: () => model.release(),
    };
  }
  const loaded = await loadModelDir(path);
  const scorer = new ModelScorer(loaded);
  return { vocabSize: loaded.config.vocabSize, score: scorer.score, dispose: () => scorer.dispose() };
}

/** An .onnx file stands for itself (with --backend onnx); anything else is a model or run folder. */
async function modelOrigin(path: string, values: Record<string, string>): Promise<ModelOrigin> {
  const isFile = statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  if (isFile && values.backend !== 'onnx')
    throw new CliError(`${path} is a file: an .onnx model runs with --backend onnx`);
  if (isFile) return { modelDir: path };
  return resolveModelOrigin(path).catch((err: Error) => {
    throw new CliError(err.message);
  });
}

function printBaseline(score: RangeScore, baseline: Baseline, unit: string): void {
  const ks = baseline.orders.map((r) => r.k);
  const counted = `counted on ${baseline.trainRange}${baseline.reverseComplement ? ' plus its reverse complement' : ''}`;
  console.log(
    `best order-k Markov (k ${ks[0]}-${ks[ks.length - 1]}, ${counted}): k=${baseline.best.k}, ${baseline.best.score.bitsPerToken.toFixed(4)} bits/${unit}`,
  );
  console.log(verdict(score.bitsPerToken, baseline, unit));
}

interface EvalReport {
  model: string;
  origin: ModelOrigin;
  plan: EvalPlan;
  unit: string;
  score: RangeScore;
  uniform: number;
  baseline: Baseline | undefined;
  seconds: number;
}

/** The --json line: the figures, where they come from, and the baseline when there is one. */
function jsonReport({ model, origin, plan: p, unit, score, uniform, baseline, seconds }: EvalReport): object {
  return {
    model,
    modelDir: origin.modelDir,
    ...(origin.run ? { checkpoint: origin.run.checkpoint, step: origin.run.step } : {}),
    data: p.data,
    range: rangeText(p.range),
    ...(p.trainRange ? { trainRange: rangeText(p.trainRange) } : {}),
    unit,
    ...score,
    uniformBitsPerToken: uniform,
    ...(baseline
      ? {
          markov: {
            trainRange: baseline.trainRange,
            reverseComplement: baseline.reverseComplement,
            best: { k: baseline.best.k, bitsPerToken: baseline.best.score.bitsPerToken },
            orders: baseline.orders.map((r) => ({ k: r.k, bitsPerToken: r.score.bitsPerToken })),
          },
          verdict: verdict(score.bitsPerToken, baseline, unit),
        }
      : {}),
    seconds,
  };
}

export const evalCommand: Command = {
  help:
    'seqlab eval --model DIR|RUN_DIR [--data FILE…] [--range START%-END%] [--records ID…]\n' +
    '  [--train-range START%-END%] [--baseline | --no-baseline] [--json] [--backend cpu|onnx] [--threads N]\n' +
    '  bits per base (FASTA) or per sample (WAV) on exactly that range of each file (with --records, of\n' +
    '  those FASTA records only); positions holding N or other non-ACGT codes are excluded and counted.\n' +
    '  A run folder (seqlab train --out) is scored at its latest checkpoint. When the run (or the model\n' +
    "  folder's training.json) records its data and training range, --data defaults to that data and\n" +
    '  --range to the rest of it. Printed with the uniform code and, whenever a training range is known\n' +
    '  (--train-range gives one), the best order-k Markov model counted on it and scored on the same positions.\n' +
    '  --backend onnx scores with the model as an ONNX graph in onnxruntime-web (wasm, --threads N, default 1);\n' +
    '  --model may then also be a step-mode .onnx file from seqlab export-onnx (give --data).',
  async run(args) {
    const o = parseOptions(args, {
      model: 'value',
      data: 'values',
      range: 'value',
      records: 'values',
      'train-range': 'value',
      baseline: 'flag',
      'no-baseline': 'flag',
      json: 'flag',
      backend: 'value',
      threads: 'value',
    });
    if (!['cpu', 'onnx'].includes(backendOption(o.values))) throw new CliError('--backend for eval is cpu or onnx');
    const modelPath = o.values.model;
    if (!modelPath) throw new CliError('--model DIR is required (a model folder or a run folder)');
    const origin = await modelOrigin(modelPath, o.values);
    const p = plan(o, origin);
    const json = o.flags.has('json');
    if (!json) for (const line of p.notes) console.log(line);
    const scoring = await openScoring(origin.modelDir, o.values);
    let score: RangeScore, data: TokenData, seconds: number;
    try {
      data = await loadTokenData(p.data, p.range);
      if (!o.lists.data) checkSameData(data, origin);
      if (scoring.vocabSize !== data.vocabSize)
        throw new CliError(
          `${modelPath}: vocab_size ${scoring.vocabSize} does not match the data's tokenizer (${data.vocabSize})`,
        );
      const t0 = performance.now();
      score = await evaluateSegments(data, scoring.score);
      seconds = (performance.now() - t0) / 1000;
    } finally {
      await scoring.dispose();
    }
    const unit = data.kind === 'dna' ? 'base' : 'sample';
    const uniform = Math.log2(data.scored.reduce((a, s) => a + s, 0));
    if (!json) {
      printScore(score, unit, `${modelPath} on ${rangeText(p.range)}`);
      console.log(`uniform: ${uniform.toFixed(4)} bits/${unit}`);
    }
    const baseline = p.baseline ? await markovBaseline(p.data, p.trainRange!, data) : undefined;
    if (json) {
      const report = { model: modelPath, origin, plan: p, unit, score, uniform, baseline, seconds };
      console.log(JSON.stringify(jsonReport(report)));
    } else if (baseline) printBaseline(score, baseline, unit);
    return 0;
  },
};
