// `seqlab train --data FILE… --out DIR [--preset tiny|small | --d-model N --n-layer N --d-state N]
//  [--init MODEL|none] [--steps N | --minutes M] [--backend auto|webgpu|cpu] [--range START%-END%] [--resume] …`:
// trains a Mamba on FASTA or WAV files, from scratch or from a model's weights (init-model.ts); DIR
// is the run directory (config, manifest, metrics, checkpoints); the latest checkpoint in
// DIR/checkpoints is a model `seqlab eval` opens.
// Ctrl-C writes a checkpoint and stops; --resume continues from it.
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { FULL_RANGE, parseRange, withRecords, type DataRange } from '../runs/data-range';
import { checkInitKind, defaultInitFor, resolveInit, type InitModel } from '../runs/init-model';
import {
  DEFAULT_HYPER,
  FINE_TUNE_HYPER,
  PRESETS,
  type ModelSize,
  type PresetName,
  type TrainHyper,
} from '../runs/presets';
import type { BackendChoice } from '../../../kernels/backend';
import { checkRunName, type RunSpec } from '../runs/run-dir';
import { dataKindOf, type DataKind } from '../runs/token-data';
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
/** --preset, checked; undefined when not given. */
function presetOption(o: Options): PresetName | undefined {
  const preset = o.values.preset;
  if (preset !== undefined && !(preset in PRESETS))
    throw new CliError(`--preset must be tiny or small, got "${preset}"`);
  return preset as PresetName | undefined;
}

function modelSize(o: Options): { size: ModelSize; preset?: PresetName } {
  const preset = presetOption(o) ?? 'tiny';
  const size: ModelSize = {
    dModel: positive('d-model', o.values['d-model'], true) ?? PRESETS[preset].dModel,
    nLayer: positive('n-layer', o.values['n-layer'], true) ?? PRESETS[preset].nLayer,
    dState: positive('d-state', o.values['d-state'], true) ?? PRESETS[preset].dState,
  };
  const custom = o.values['d-model'] || o.values['n-layer'] || o.values['d-state'];
  return custom ? { size } : { size, preset };
}

const SIZE_OPTIONS: [option: string, field: keyof ModelSize][] = [
  ['d-model', 'dModel'],
  ['n-layer', 'nLayer'],
  ['d-state', 'dState'],
];

/** The init's size; a --preset, --d-model, --n-layer or --d-state that says otherwise is refused. */
function initSize(o: Options, init: InitModel): ModelSize {
  const { size } = init;
  const said = `--init ${init.record.path} (d_model ${size.dModel}, ${size.nLayer} layers, d_state ${size.dState})`;
  const preset = presetOption(o);
  if (preset !== undefined && SIZE_OPTIONS.some(([, k]) => PRESETS[preset][k] !== size[k]))
    throw new CliError(`--preset ${preset} contradicts ${said}`);
  for (const [option, k] of SIZE_OPTIONS) {
    const v = o.values[option];
    if (v !== undefined && Number(v) !== size[k]) throw new CliError(`--${option} ${v} contradicts ${said}`);
  }
  return size;
}

/** The model the run starts from: --init MODEL, none for from scratch, or the kind's default. */
async function initModel(o: Options, kind: DataKind): Promise<InitModel | undefined> {
  const path = o.values.init ?? defaultInitFor(kind);
  if (path === undefined || path === 'none') return undefined;
  try {
    const init = await resolveInit(path);
    checkInitKind(init.description, kind);
    return init;
  } catch (err) {
    throw new CliError((err as Error).message);
  }
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

/** The options over `base`: the from-scratch defaults, or the fine-tuning ones for a run with an init. */
function hyperparameters(o: Options, base: TrainHyper): TrainHyper {
  return {
    ...base,
    seed: o.values.seed !== undefined ? integer('seed', o.values.seed) : base.seed,
    batch: positive('batch', o.values.batch, true) ?? base.batch,
    length: positive('length', o.values.length, true) ?? base.length,
    lr: positive('lr', o.values.lr, false) ?? base.lr,
    evalEvery: positive('eval-every', o.values['eval-every'], true) ?? base.evalEvery,
    checkpointEvery: positive('checkpoint-every', o.values['checkpoint-every'], true) ?? base.checkpointEvery,
  };
}

/** A new run's spec from the command line, every option checked. */
async function runSpec(o: Options, runDir: string): Promise<RunSpec> {
  const data = checkDataFiles(o.lists.data);
  const init = await initModel(o, dataKindOf(data[0]));
  const { size, preset } = init ? { size: initSize(o, init), preset: undefined } : modelSize(o);
  const backend = (o.values.backend ?? 'auto') as BackendChoice;
  if (!['auto', 'webgpu', 'cpu'].includes(backend))
    throw new CliError(`--backend must be auto, webgpu or cpu, got "${backend}"`);
  return {
    name: checkRunName(basename(runDir)),
    data: data.map((f) => resolve(f)),
    range: dataRange(o),
    size,
    hyper: hyperparameters(o, init ? FINE_TUNE_HYPER : DEFAULT_HYPER),
    budget: budget(o),
    backend,
    ...(preset ? { preset } : {}),
    ...(init ? { init: init.record } : {}),
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
    'seqlab train --data FILE… --out DIR [--preset tiny|small] [--d-model N --n-layer N --d-state N] [--init MODEL|none]\n' +
    '  [--steps N | --minutes M] [--backend auto|webgpu|cpu] [--range START%-END%] [--records ID…] [--seed N]\n' +
    '  [--batch N] [--length N] [--lr X] [--eval-every N] [--checkpoint-every N] [--threads N] [--resume]\n' +
    '  Trains on the range of each file (default 0%-100%); the last 2% of it is held out for validation.\n' +
    '  --records keeps only the FASTA records with these IDs or accessions (e.g. one genome of several); the range is then over them.\n' +
    '  --init starts from the weights of a model folder, checkpoint or run folder (its size; a DNA model for FASTA,\n' +
    `  an audio model for WAV) with fresh AdamW moments, peak lr ${FINE_TUNE_HYPER.lr} and ${FINE_TUNE_HYPER.warmupSteps} warmup steps; none: from scratch (the default).`,
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
      init: 'value',
    });
    if (!o.values.out) throw new CliError('--out DIR is required');
    const runDir = resolve(o.values.out);
    const threads = positive('threads', o.values.threads, true);
    const created = o.flags.has('resume') ? undefined : await createRun(runDir, await runSpec(o, runDir));
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
