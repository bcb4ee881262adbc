// `seqlab train --data FILE… --out DIR [--preset tiny|small | --d-model N --n-layer N --d-state N]
//  [--steps N | --minutes M] [--backend auto|webgpu|cpu] [--range START%-END%] [--resume] …`:
// trains a Mamba on FASTA or WAV files; DIR is the run directory (config, manifest, metrics,
// checkpoints); the latest checkpoint in DIR/checkpoints is a model `seqlab eval` opens.
// Ctrl-C writes a checkpoint and stops; --resume continues from it.
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { FULL_RANGE, parseRange, withRecords, type DataRange } from '../runs/data-range';
import { DEFAULT_HYPER, PRESETS, type ModelSize, type PresetName, type TrainHyper } from '../runs/presets';
import type { BackendChoice } from '../../../kernels/backend';
import { checkRunName, type RunSpec } from '../runs/run-dir';
import { dataKindOf } from '../runs/token-data';
import { createRun, openSession } from '../runs/train-session';
import { CliError, parseOptions, type Command } from './command';

function positive(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(v > 0) || (integer && !Number.isInteger(v)))
    throw new CliError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  return v;
}

function integer(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw new CliError(`--${name} must be an integer, got "${text}"`);
  return v;
}

type Options = ReturnType<typeof parseOptions>;

/** Every data file exists and is FASTA/FASTQ or WAV. */
function checkDataFiles(files: string[] | undefined): string[] {
  if (!files) throw new CliError('--data FILE… is required');
  for (const f of files) {
    if (!existsSync(f) || !statSync(f).isFile()) throw new CliError(`${f}: no such file`);
    try {
      dataKindOf(f);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  return files;
}

/** The model size: a preset, with any of --d-model, --n-layer, --d-state overriding it. */
function modelSize(o: Options): { size: ModelSize; preset?: PresetName } {
  const preset = (o.values.preset ?? 'tiny') as PresetName;
  if (!(preset in PRESETS)) throw new CliError(`--preset must be tiny or small, got "${preset}"`);
  const size: ModelSize = {
    dModel: positive('d-model', o.values['d-model'], true) ?? PRESETS[preset].dModel,
    nLayer: positive('n-layer', o.values['n-layer'], true) ?? PRESETS[preset].nLayer,
    dState: positive('d-state', o.values['d-state'], true) ?? PRESETS[preset].dState,
  };
  const custom = o.values['d-model'] || o.values['n-layer'] || o.values['d-state'];
  return custom ? { size } : { size, preset };
}

function budget(o: Options): RunSpec['budget'] {
  const steps = positive('steps', o.values.steps, true),
    minutes = positive('minutes', o.values.minutes, false);
  if (steps !== undefined && minutes !== undefined) throw new CliError('give --steps or --minutes, not both');
  return steps !== undefined ? { steps } : { minutes: minutes ?? 10 };
}

function dataRange(o: Options): DataRange {
  try {
    return withRecords(o.values.range ? parseRange(o.values.range) : FULL_RANGE, o.lists.records);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

function hyperparameters(o: Options): TrainHyper {
  return {
    ...DEFAULT_HYPER,
    seed: o.values.seed !== undefined ? integer('seed', o.values.seed) : DEFAULT_HYPER.seed,
    batch: positive('batch', o.values.batch, true) ?? DEFAULT_HYPER.batch,
    length: positive('length', o.values.length, true) ?? DEFAULT_HYPER.length,
    lr: positive('lr', o.values.lr, false) ?? DEFAULT_HYPER.lr,
    evalEvery: positive('eval-every', o.values['eval-every'], true) ?? DEFAULT_HYPER.evalEvery,
    checkpointEvery: positive('checkpoint-every', o.values['checkpoint-every'], true) ?? DEFAULT_HYPER.checkpointEvery,
  };
}

/** A new run's spec from the command line, every option checked. */
function runSpec(o: Options, runDir: string): RunSpec {
  const data = checkDataFiles(o.lists.data);
  const { size, preset } = modelSize(o);
  const backend = (o.values.backend ?? 'auto') as BackendChoice;
  if (!['auto', 'webgpu', 'cpu'].includes(backend))
    throw new CliError(`--backend must be auto, webgpu or cpu, got "${backend}"`);
  return {
    name: checkRunName(basename(runDir)),
    data: data.map((f) => resolve(f)),
    range: dataRange(o),
    size,
    hyper: hyperparameters(o),
    budget: budget(o),
    backend,
    ...(preset ? { preset } : {}),
  };
}

/** Ctrl-C (or SIGTERM) aborts the session, which checkpoints and stops; the returned function stops listening. */
function abortOnSignals(controller: AbortController): () => void {
  const onSignal = (): void => {
    console.error('stopping: writing a checkpoint…');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

export const trainCommand: Command = {
  help:
    'seqlab train --data FILE… --out DIR [--preset tiny|small] [--d-model N --n-layer N --d-state N]\n' +
    '  [--steps N | --minutes M] [--backend auto|webgpu|cpu] [--range START%-END%] [--records ID…] [--seed N]\n' +
    '  [--batch N] [--length N] [--lr X] [--eval-every N] [--checkpoint-every N] [--threads N] [--resume]\n' +
    '  Trains on the range of each file (default 0%-100%); the last 2% of it is held out for validation.\n' +
    '  --records keeps only the FASTA records with these IDs or accessions (e.g. one genome of several); the range is then over them.',
  async run(args) {
    const o = parseOptions(args, {
      data: 'values',
      out: 'value',
      preset: 'value',
      'd-model': 'value',
      'n-layer': 'value',
      'd-state': 'value',
      steps: 'value',
      minutes: 'value',
      backend: 'value',
      range: 'value',
      seed: 'value',
      batch: 'value',
      length: 'value',
      lr: 'value',
      resume: 'flag',
      'eval-every': 'value',
      'checkpoint-every': 'value',
      threads: 'value',
      records: 'values',
    });
    if (!o.values.out) throw new CliError('--out DIR is required');
    const runDir = resolve(o.values.out);
    const threads = positive('threads', o.values.threads, true);
    const created = o.flags.has('resume') ? undefined : await createRun(runDir, runSpec(o, runDir));
    const controller = new AbortController();
    const stopListening = abortOnSignals(controller);
    try {
      const options = { signal: controller.signal, threads, onLog: (line: string) => console.log(line) };
      // A new run that cannot start (too large, no window fits its data) leaves no folder to block its name.
      const session = await openSession(runDir, options).catch(async (err: unknown) => {
        await created?.discard();
        throw err;
      });
      const result = await session.run();
      console.log(`${result.state} at step ${result.step}; model: ${result.checkpoint}`);
      return result.state === 'finished' ? 0 : 130;
    } finally {
      stopListening();
    }
  },
};
