// `seqlab train --init MODEL`: the run starts from the model's weights (its step-0 validation loss
// is the model's own on the same windows, not a fresh init's), with its size and the fine-tuning
// schedule; sizes and tokenizers that contradict it are refused naming both; a run that starts over
// reads the same weights again or refuses when they changed.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainCommand } from '../../extension/core/cli/train';
import { latestCheckpointDir } from '../../extension/core/runs/checkpoint';
import { parseRange } from '../../extension/core/runs/data-range';
import { defaultInitFor, resolveInit } from '../../extension/core/runs/init-model';
import { DEFAULT_HYPER, FINE_TUNE_HYPER } from '../../extension/core/runs/presets';
import { readMetrics, readRunSpec, readStatus, type RunSpec } from '../../extension/core/runs/run-dir';
import { sha256File } from '../../extension/core/runs/token-data';
import { createRun, runSession } from '../../extension/core/runs/train-session';
import { randomBases, tempDir, writeFasta } from '../support/train-data';
import { writeRandomAudioModel } from '../support/random-audio-model';

const SHORT = ['--length', '16', '--batch', '2', '--eval-every', '1', '--backend', 'cpu', '--threads', '1'];

function spec(name: string, file: string, steps: number): RunSpec {
  return {
    name,
    data: [file],
    range: parseRange('0%-100%'),
    size: { dModel: 8, nLayer: 2, dState: 4 },
    hyper: { ...DEFAULT_HYPER, batch: 2, length: 16, warmupSteps: 2, evalEvery: 1, valWindows: 4, valFraction: 0.1 },
    budget: { steps },
    backend: 'cpu',
  };
}

/** A DNA file and a tiny model trained on it for a few steps (its latest checkpoint). */
async function trainedModel(): Promise<{ dir: string; file: string; base: string }> {
  const dir = tempDir('init');
  const file = writeFasta(join(dir, 'g.fa'), { a: randomBases(4000) });
  const base = join(dir, 'base');
  await createRun(base, spec('base', file, 4));
  assert.equal((await runSession(base, { threads: 1 })).state, 'finished');
  return { dir, file, base };
}

test('no default init yet: runs start from scratch unless --init names a model', () => {
  assert.equal(defaultInitFor('dna'), undefined);
  assert.equal(defaultInitFor('audio'), undefined);
});

test('an init run starts from the model: step-0 validation is its loss on the same windows', async () => {
  const { dir, file, base } = await trainedModel();
  const tuned = join(dir, 'tuned');
  await createRun(tuned, { ...spec('tuned', file, 2), init: (await resolveInit(base)).record });
  assert.equal((await runSession(tuned, { threads: 1 })).state, 'finished');
  const baseCurve = await readMetrics(base);
  const start = (await readMetrics(tuned)).find((m) => m.step === 0)!.valBits!;
  const baseEnd = baseCurve.find((m) => m.step === 4)!.valBits!;
  const fresh = baseCurve.find((m) => m.step === 0)!.valBits!;
  assert.ok(Math.abs(start - baseEnd) < 1e-6, `step 0 ${start} is the init's loss ${baseEnd}`);
  assert.ok(Math.abs(start - fresh) > 1e-3, `not a fresh init's loss ${fresh}`);
  const training = JSON.parse(readFileSync(join((await latestCheckpointDir(tuned))!, 'training.json'), 'utf8'));
  assert.deepEqual(training.init, (await readRunSpec(tuned)).init, 'training.json records the init');
});

test('--init takes the model (a run folder: its latest checkpoint), its size and the fine-tuning schedule', async () => {
  const { dir, file, base } = await trainedModel();
  const checkpoint = (await latestCheckpointDir(base))!;
  const tuned = join(dir, 'tuned');
  assert.equal(await trainCommand.run(['--data', file, '--out', tuned, '--init', base, '--steps', '1', ...SHORT]), 0);
  const run = await readRunSpec(tuned);
  assert.deepEqual(run.init, { path: checkpoint, sha256: await sha256File(join(checkpoint, 'model.safetensors')) });
  assert.deepEqual(run.size, { dModel: 8, nLayer: 2, dState: 4 }, "the init's size");
  assert.equal(run.preset, undefined);
  assert.deepEqual([run.hyper.lr, run.hyper.warmupSteps], [FINE_TUNE_HYPER.lr, FINE_TUNE_HYPER.warmupSteps]);
  assert.ok(FINE_TUNE_HYPER.lr < DEFAULT_HYPER.lr);

  const scratch = join(dir, 'scratch');
  assert.equal(
    await trainCommand.run(['--data', file, '--out', scratch, '--init', 'none', '--steps', '1', ...SHORT]),
    0,
  );
  const plain = await readRunSpec(scratch);
  assert.equal(plain.init, undefined);
  assert.equal(plain.hyper.lr, DEFAULT_HYPER.lr);
});

test('--init refuses sizes and tokenizers that contradict the model, naming both', async () => {
  const { dir, file, base } = await trainedModel();
  const refused = (extra: string[], init = base) =>
    trainCommand.run([
      '--data',
      file,
      '--out',
      join(dir, 'refused'),
      '--init',
      init,
      '--steps',
      '1',
      ...SHORT,
      ...extra,
    ]);
  const said = /--init \S+ \(d_model 8, 2 layers, d_state 4\)$/;
  await assert.rejects(
    refused(['--d-model', '16']),
    (e: Error) => /^--d-model 16 contradicts /.test(e.message) && said.test(e.message),
  );
  await assert.rejects(refused(['--n-layer', '3']), /--n-layer 3 contradicts --init .*2 layers/);
  await assert.rejects(refused(['--preset', 'small']), /--preset small contradicts --init .*d_model 8/);
  // Agreeing with the model is allowed.
  assert.equal(await refused(['--d-state', '4']), 0);

  const audio = await writeRandomAudioModel(join(dir, 'audio-model'));
  await assert.rejects(
    refused([], audio),
    new RegExp(`the init model ${audio} is an audio model; the data is DNA \\(FASTA\\)$`),
  );
});

test('a run that starts over reads its init again and refuses weights that changed', async () => {
  const { dir, file, base } = await trainedModel();
  const model = join(dir, 'model');
  cpSync((await latestCheckpointDir(base))!, model, { recursive: true });
  const init = await resolveInit(model);
  const run = join(dir, 'run');
  await createRun(run, { ...spec('run', file, 1), init: init.record });

  // The run has no checkpoint yet, so (re)starting it reads the init, hash checked.
  const weights = join(model, 'model.safetensors');
  const bytes = readFileSync(weights);
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(weights, bytes);
  await assert.rejects(runSession(run, { threads: 1 }), /model\.safetensors: changed since the run was created/);
  assert.equal((await readStatus(run))?.state, 'failed');
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(weights, bytes);
  assert.equal((await runSession(run, { threads: 1 })).state, 'finished', 'the same weights again: it starts');
});
