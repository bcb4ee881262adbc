// `seqlab import-run`: what train.py of an exported run (export-run.ts) trained, back into the run
// folder it came from, as the run's next checkpoint: the weights (transformers' folder, checked as
// import-hf checks one), AdamW's moments (torch-moments.ts), step, tokens and time from its
// trainer_state.json, and the data sampler's RNG state of the exported checkpoint; then the metrics
// train.py recorded past the exported step. The run must still stand where it was exported (its
// latest checkpoint the exported one), so nothing SeqLab trained since is overwritten; everything is
// read and checked before the run folder is touched.
import { basename, join } from 'node:path';
import type { MambaConfig } from '../../../kernels/model/config';
import { mambaParamsFromTensors, mambaParamsToTensors } from '../../../kernels/model/weights';
import { flatFromTensors, paramSpecs } from '../../../kernels/train/params';
import { readHfConfig } from '../models/hf-config';
import { readJsonFile, readModelTensors, readSafetensorsFile } from '../models/load-model';
import { writeFileAtomic } from './atomic-file';
import { CHECKPOINT_CONFIG_EXTRA, latestCheckpointDir, loadCheckpoint, writeCheckpoint } from './checkpoint';
import { HANDOFF_FILE, HANDOFF_FORMAT } from './export-run';
import { JsonFields, RunFileError } from './json-fields';
import { readMetricsFile } from './metrics-reader';
import {
  appendMetric,
  dropMetricsFrom,
  parseRunSpec,
  readRunSpec,
  runFiles,
  writeStatus,
  type Budget,
  type RunSpec,
} from './run-dir';
import { flatMoments } from './torch-moments';

export interface ImportRunResult {
  run: string;
  /** The exported checkpoint, and the step train.py brought it to. */
  from: string;
  step: number;
  records: number;
  budget: Budget;
  state: 'finished' | 'cancelled';
}

/** The fields that make two configs the same model. */
const SHAPE_FIELDS: (keyof MambaConfig)[] = [
  'vocabSize',
  'hiddenSize',
  'numLayers',
  'stateSize',
  'convKernel',
  'intermediateSize',
  'timeStepRank',
  'useBias',
  'useConvBias',
  'tieWordEmbeddings',
];

function checkSameModel(run: MambaConfig, got: MambaConfig, file: string): void {
  for (const k of SHAPE_FIELDS)
    if (run[k] !== got[k])
      throw new RunFileError(`${file}: ${String(k)} is ${String(got[k])}, the run's model has ${String(run[k])}`);
}

/** The budget after the import: a new total when given (past the imported point), else the run's. */
function budgetAfter(spec: RunSpec, step: number, elapsedSec: number, asked: Budget): Budget {
  if (asked.steps !== undefined) {
    if (!(asked.steps > step)) throw new Error(`--steps ${asked.steps} must exceed the imported step ${step}`);
    return { steps: asked.steps };
  }
  if (asked.minutes !== undefined) {
    if (!(asked.minutes * 60 > elapsedSec))
      throw new Error(
        `--minutes ${asked.minutes} must exceed the imported training time (${(elapsedSec / 60).toFixed(1)})`,
      );
    return { minutes: asked.minutes };
  }
  return spec.budget;
}

export async function importRun(from: string, runDir: string, asked: Budget = {}): Promise<ImportRunResult> {
  const handoffPath = join(from, HANDOFF_FILE);
  const handoff = new JsonFields(await readJsonFile(handoffPath), handoffPath);
  handoff.str('format', `"${HANDOFF_FORMAT}"`, new RegExp(`^${HANDOFF_FORMAT}$`));
  const exported = {
    run: handoff.str('run'),
    checkpoint: handoff.str('checkpoint'),
    step: handoff.object('progress').count('step'),
  };

  const spec = await readRunSpec(runDir);
  if (spec.name !== exported.run)
    throw new RunFileError(
      `${handoffPath}: exported from run ${exported.run}, not ${spec.name} (${runFiles(runDir).spec})`,
    );
  const runCk = await latestCheckpointDir(runDir);
  if (!runCk || basename(runCk) !== exported.checkpoint)
    throw new RunFileError(
      `${runDir}: the run moved on since the export (its latest checkpoint is ${runCk ? basename(runCk) : 'none'}, the export was made at ${exported.checkpoint}); export it again`,
    );
  const base = await loadCheckpoint(runCk);
  const { config } = base,
    specs = paramSpecs(config);

  const latestPath = join(from, 'checkpoints', 'latest.json');
  const latest = new JsonFields(await readJsonFile(latestPath), latestPath);
  const ckName = latest.str('checkpoint', 'a folder name step-N', /^step-\d+$/);
  const ckDir = join(from, 'checkpoints', ckName);
  const statePath = join(ckDir, 'trainer_state.json');
  const state = new JsonFields(await readJsonFile(statePath), statePath);
  const step = state.count('step');
  if (step !== latest.count('step')) state.fail('step', `${latest.count('step')}, the step latest.json names`);
  if (step <= exported.step)
    state.fail('step', `past the exported step ${exported.step}: train.py has not trained yet`);
  const progress = {
    step,
    tokens: state.num('tokens', 'a non-negative number', 0),
    elapsedSec: state.num('elapsedSec', 'a non-negative number', 0),
    rng: base.progress.rng,
  };
  const adamT = state.count('adamT');

  const modelDir = join(ckDir, 'model');
  const configPath = join(modelDir, 'config.json');
  checkSameModel(config, readHfConfig(await readJsonFile(configPath), configPath).config, configPath);
  const { tensors, fileOf } = await readModelTensors(modelDir);
  const params = flatFromTensors(
    specs,
    mambaParamsToTensors(config, mambaParamsFromTensors(config, tensors, fileOf)),
    join(modelDir, 'model.safetensors'),
  );
  const optPath = join(ckDir, 'optimizer.safetensors');
  const { m, v } = flatMoments(specs, (await readSafetensorsFile(optPath)).tensors, optPath);
  const records = (await readMetricsFile(join(from, 'metrics.jsonl'))).filter(
    (r) => r.step > exported.step && r.step <= step,
  );
  const budget = budgetAfter(spec, step, progress.elapsedSec, asked);
  const tokenizer = (await readJsonFile(join(runCk, 'tokenizer.json'))) as { type: string };
  const training = (await readJsonFile(join(runCk, 'training.json'))) as Record<string, unknown>;
  const lastVal = records.filter((r) => r.valBits !== undefined).pop()?.valBits;

  await writeCheckpoint(runDir, {
    config,
    configExtra: CHECKPOINT_CONFIG_EXTRA,
    tokenizer,
    training: {
      ...training,
      backend: `pytorch: train.py of the run exported at ${exported.checkpoint} (${from})`,
      lastValBits: lastVal ?? training.lastValBits ?? null,
    },
    specs,
    trainer: { params, m, v, t: adamT },
    progress,
  });
  await dropMetricsFrom(runDir, exported.step + 1);
  for (const r of records) await appendMetric(runDir, r);
  if (budget !== spec.budget) {
    const path = runFiles(runDir).spec;
    await writeFileAtomic(path, JSON.stringify(parseRunSpec({ ...spec, budget }, path), null, 2) + '\n');
  }
  const spent =
    budget.steps !== undefined ? step >= budget.steps : progress.elapsedSec >= (budget.minutes as number) * 60;
  const ended = spent ? 'finished' : 'cancelled';
  await writeStatus(
    runDir,
    ended,
    step,
    `trained on PyTorch from ${exported.checkpoint} to step ${step} (${from})${spent ? '' : '; resuming continues it in SeqLab'}`,
  );
  return { run: spec.name, from: exported.checkpoint, step, records: records.length, budget, state: ended };
}
