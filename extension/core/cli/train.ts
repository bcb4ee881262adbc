// `seqlab train --data FILE… --out DIR [--preset tiny|small | --d-model N --n-layer N --d-state N]
//  [--steps N | --minutes M] [--backend auto|webgpu|cpu] [--range START%-END%] [--resume] …`:
// trains a Mamba on FASTA or WAV files; DIR is the run directory (config, manifest, metrics,
// checkpoints); the latest checkpoint in DIR/checkpoints is a model `seqlab eval` opens.
// Ctrl-C writes a checkpoint and stops; --resume continues from it.
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { FULL_RANGE, parseRange, withRecords } from '../runs/data-range';
import { DEFAULT_HYPER, PRESETS, type ModelSize, type PresetName, type TrainHyper } from '../runs/presets';
import type { BackendChoice } from '../../../kernels/backend';
import { checkRunName, type RunSpec } from '../runs/run-dir';
import { dataKindOf } from '../runs/token-data';
import { createRun, runSession } from '../runs/train-session';
import { CliError, parseOptions, type Command } from './command';

function positive(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(v > 0) || (integer && !Number.isInteger(v)))
    throw new CliError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  return v;
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
    const controller = new AbortController();
    const onSigint = () => {
      console.error('stopping: writing a checkpoint…');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    if (!o.flags.has('resume')) {
      if (!o.lists.data) throw new CliError('--data FILE… is required');
      for (const f of o.lists.data) {
        if (!existsSync(f) || !statSync(f).isFile()) throw new CliError(`${f}: no such file`);
        try {
          dataKindOf(f);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
      }
      const preset = (o.values.preset ?? 'tiny') as PresetName;
      if (!(preset in PRESETS)) throw new CliError(`--preset must be tiny or small, got "${preset}"`);
      const size: ModelSize = {
        dModel: positive('d-model', o.values['d-model'], true) ?? PRESETS[preset].dModel,
        nLayer: positive('n-layer', o.values['n-layer'], true) ?? PRESETS[preset].nLayer,
        dState: positive('d-state', o.values['d-state'], true) ?? PRESETS[preset].dState,
      };
      const steps = positive('steps', o.values.steps, true),
        minutes = positive('minutes', o.values.minutes, false);
      if (steps !== undefined && minutes !== undefined) throw new CliError('give --steps or --minutes, not both');
      const backend = (o.values.backend ?? 'auto') as BackendChoice;
      if (!['auto', 'webgpu', 'cpu'].includes(backend))
        throw new CliError(`--backend must be auto, webgpu or cpu, got "${backend}"`);
      let range = FULL_RANGE;
      try {
        if (o.values.range) range = parseRange(o.values.range);
        range = withRecords(range, o.lists.records);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const hyper: TrainHyper = {
        ...DEFAULT_HYPER,
        seed: o.values.seed !== undefined ? Number(o.values.seed) : DEFAULT_HYPER.seed,
        batch: positive('batch', o.values.batch, true) ?? DEFAULT_HYPER.batch,
        length: positive('length', o.values.length, true) ?? DEFAULT_HYPER.length,
        lr: positive('lr', o.values.lr, false) ?? DEFAULT_HYPER.lr,
        evalEvery: positive('eval-every', o.values['eval-every'], true) ?? DEFAULT_HYPER.evalEvery,
        checkpointEvery:
          positive('checkpoint-every', o.values['checkpoint-every'], true) ?? DEFAULT_HYPER.checkpointEvery,
      };
      const spec: RunSpec = {
        name: checkRunName(basename(runDir)),
        data: o.lists.data.map((f) => resolve(f)),
        range,
        size,
        hyper,
        budget: steps !== undefined ? { steps } : { minutes: minutes ?? 10 },
        backend,
        ...(o.values['d-model'] || o.values['n-layer'] || o.values['d-state'] ? {} : { preset }),
      };
      await createRun(runDir, spec);
    }
    const threads = positive('threads', o.values.threads, true);
    const result = await runSession(runDir, { signal: controller.signal, threads, onLog: (line) => console.log(line) });
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    console.log(`${result.state} at step ${result.step}; model: ${result.checkpoint}`);
    return result.state === 'finished' ? 0 : 130;
  },
};
