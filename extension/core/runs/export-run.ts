// `seqlab export-run`: a run folder as a folder that continues the run with transformers +
// accelerate on one GPU or many (resources/pytorch/train.py, copied in). It holds
//   handoff.json           what train.py reproduces: the objective's windows, batch, AdamW, schedule and where the run stands
//   model/                 the latest checkpoint as a transformers MambaForCausalLM folder, tokenizer included (export-hf.ts)
//   optimizer.safetensors  AdamW's moments per parameter, as torch's AdamW keeps them (torch-moments.ts)
//   data/                  the token runs the session samples from, train and val (2 bits a token for DNA, see
//                          encodeTokens), and manifest.json (their SHA-256, runs, the sources' paths, hashes and range)
//   metrics.jsonl          the run's records up to the checkpoint, which train.py continues
//   train.py, requirements.txt, README.md (launch commands for 1, 8 and many GPUs)
// The data must be what the run started on (checked against its manifest); the folder is written
// aside and renamed into place, and an existing one is replaced only with --force.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeSafetensors } from '../../../kernels/io/safetensors';
import { DEFAULT_ADAMW } from '../../../kernels/train/adamw';
import { paramSpecs } from '../../../kernels/train/params';
import { stepProgress } from '../../../kernels/train/schedule';
import { bundledResource } from '../bundled-resource';
import { exportHfModel } from '../models/export-hf';
import { writeModelFolder } from '../models/model-output-dir';
import { latestCheckpointDir, loadCheckpoint, type LoadedCheckpoint } from './checkpoint';
import { rangeText } from './data-range';
import { exportedRunReadme } from './export-run-readme';
import { RunFileError } from './json-fields';
import { checkManifest, readMetrics, readRunSpec, runFiles, type RunSpec } from './run-dir';
import { loadTokenData, type TokenData } from './token-data';
import { torchMoments } from './torch-moments';
import { trainingRuns, type Run } from './window-sampler';

/** The marker of an exported run folder, and what train.py and import-run read. */
export const HANDOFF_FILE = 'handoff.json';
export const HANDOFF_FORMAT = 'seqlab-run-export';

export interface ExportRunResult {
  run: string;
  checkpoint: string;
  step: number;
  trainTokens: number;
  valTokens: number;
}

const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

/**
 * A split's tokens as stored: two bits a token (four to a byte, the first in the high bits) when they
 * use at most four ids, as DNA's scored runs do (A, C, G, T), so a genome set travels at a quarter
 * of its size; else one byte a token.
 */
function encodeTokens(tokens: Uint8Array): { encoding: '2bit' | 'u8'; alphabet?: number[]; bytes: Uint8Array } {
  const seen = new Set(tokens);
  if (seen.size > 4) return { encoding: 'u8', bytes: tokens };
  const alphabet = [...seen].sort((a, b) => a - b);
  const code = new Uint8Array(256);
  alphabet.forEach((id, i) => (code[id] = i));
  const bytes = new Uint8Array(Math.ceil(tokens.length / 4));
  for (let i = 0; i < tokens.length; i++) bytes[i >> 2] |= code[tokens[i]] << (6 - 2 * (i & 3));
  return { encoding: '2bit', alphabet, bytes };
}

/** One split's runs concatenated, and where each run lies in the concatenation. */
function packRuns(runs: readonly Run[]): { tokens: Uint8Array; table: object[] } {
  const tokens = new Uint8Array(runs.reduce((n, r) => n + r.tokens.length, 0));
  let offset = 0;
  const table = runs.map((r) => {
    tokens.set(r.tokens, offset);
    const row = { file: r.file, record: r.record, start: r.start, offset, length: r.tokens.length };
    offset += r.tokens.length;
    return row;
  });
  return { tokens, table };
}

/** The schedule train.py continues: warmup and cosine as SeqLab's, from the progress the run had made. */
function scheduleAt(spec: RunSpec, ck: LoadedCheckpoint) {
  const { lr, warmupSteps, minLrRatio } = spec.hyper;
  const { step, elapsedSec } = ck.progress;
  const total = spec.budget.steps;
  return {
    peak: lr,
    warmup: warmupSteps,
    minRatio: minLrRatio,
    step,
    progress:
      total !== undefined
        ? stepProgress(step, warmupSteps, total)
        : elapsedSec / ((spec.budget.minutes as number) * 60),
    ...budgetLeft(spec.budget, step, elapsedSec),
  };
}

/** What the run's budget has left, train.py's default end; nothing when it is spent. */
function budgetLeft(budget: RunSpec['budget'], step: number, elapsedSec: number) {
  if (budget.steps !== undefined) return budget.steps > step ? { stepsLeft: budget.steps - step } : {};
  const minutes = (budget.minutes as number) - elapsedSec / 60;
  return minutes > 0 ? { minutesLeft: minutes } : {};
}

export type ExportSchedule = ReturnType<typeof scheduleAt>;

async function writeData(dir: string, data: TokenData, spec: RunSpec): Promise<{ train: number; val: number }> {
  const runs = trainingRuns(data, spec.hyper.length, spec.hyper.valFraction);
  await mkdir(join(dir, 'data'));
  const splits: Record<string, object> = {};
  const sizes = { train: 0, val: 0 };
  for (const split of ['train', 'val'] as const) {
    const { tokens, table } = packRuns(runs[split]);
    const { encoding, alphabet, bytes } = encodeTokens(tokens);
    const file = `${split}.${encoding}`;
    await writeFile(join(dir, 'data', file), bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    splits[split] = { file, encoding, ...(alphabet ? { alphabet } : {}), tokens: tokens.length, sha256, runs: table };
    sizes[split] = tokens.length;
  }
  await writeFile(
    join(dir, 'data', 'manifest.json'),
    json({
      kind: data.kind,
      vocabSize: data.vocabSize,
      sources: data.manifest,
      range: rangeText(spec.range),
      valFraction: spec.hyper.valFraction,
      windowLength: spec.hyper.length,
      complement: runs.complement ? [...runs.complement] : null,
      splits,
    }),
  );
  return sizes;
}

export async function exportRun(runDir: string, out: string, force: boolean): Promise<ExportRunResult> {
  const spec = await readRunSpec(runDir);
  const ckDir = await latestCheckpointDir(runDir);
  if (!ckDir) throw new RunFileError(`${runDir}: the run has no checkpoint yet (checkpoints/latest.json names none)`);
  const ck = await loadCheckpoint(ckDir);
  const { config } = ck,
    specs = paramSpecs(config);
  const data = await loadTokenData(spec.data, spec.range);
  await checkManifest(runDir, data.manifest);
  const records = (await readMetrics(runDir)).filter((r) => r.step <= ck.progress.step);
  const lastTrain = records.filter((r) => r.trainBits !== undefined).pop();
  const lastVal = records.filter((r) => r.valBits !== undefined).pop();
  const checkpoint = basename(ckDir);
  let sizes = { train: 0, val: 0 };
  const kind = { marker: HANDOFF_FILE, what: 'an exported run' };
  await writeModelFolder(out, { force, source: runDir, kind }, async (tmp) => {
    await exportHfModel(ckDir, join(tmp, 'model'), false);
    await writeFile(
      join(tmp, 'optimizer.safetensors'),
      writeSafetensors(torchMoments(specs, ck.trainer.m, ck.trainer.v), { format: 'pt' }),
    );
    sizes = await writeData(tmp, data, spec);
    await writeFile(join(tmp, 'metrics.jsonl'), records.map((r) => JSON.stringify(r) + '\n').join(''));
    const adamw = { ...DEFAULT_ADAMW, weightDecay: spec.hyper.weightDecay };
    const schedule = scheduleAt(spec, ck);
    await writeFile(
      join(tmp, HANDOFF_FILE),
      json({
        format: HANDOFF_FORMAT,
        version: 1,
        run: spec.name,
        runDir: resolve(runDir),
        checkpoint,
        kind: data.kind,
        hyper: spec.hyper,
        budget: spec.budget,
        schedule,
        adamw: { ...adamw, noDecay: specs.filter((s) => !s.decay).map((s) => s.name) },
        progress: {
          step: ck.progress.step,
          tokens: ck.progress.tokens,
          elapsedSec: ck.progress.elapsedSec,
          adamT: ck.trainer.t,
        },
        lastTrainBits: lastTrain?.trainBits ?? null,
        lastValBits: lastVal?.valBits ?? null,
        exportedAt: new Date().toISOString(),
      }),
    );
    await copyFile(bundledResource('pytorch', 'train.py'), join(tmp, 'train.py'));
    await copyFile(bundledResource('pytorch', 'requirements.txt'), join(tmp, 'requirements.txt'));
    await writeFile(
      join(tmp, 'README.md'),
      exportedRunReadme({ spec, checkpoint, step: ck.progress.step, runFile: runFiles(runDir).spec, config, schedule }),
    );
  });
  return { run: spec.name, checkpoint, step: ck.progress.step, trainTokens: sizes.train, valTokens: sizes.val };
}
