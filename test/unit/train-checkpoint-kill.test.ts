// Kill the trainer (SIGKILL) while it is writing a checkpoint: the previous checkpoint still
// loads as a model, and resuming continues from it to the end of the budget.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelDir } from '../../extension/core/models/load-model';
import { latestCheckpointDir, loadCheckpoint } from '../../extension/core/runs/checkpoint';
import { modelConfig } from '../../extension/core/runs/presets';
import { readMetrics, readStatus } from '../../extension/core/runs/run-dir';
import { paramSpecs } from '../../kernels/train/params';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

const CLI = join(__dirname, '..', '..', 'extension', 'core', 'cli', 'main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function trainArgs(file: string, out: string): string[] {
  return [
    CLI,
    'train',
    '--data',
    file,
    '--out',
    out,
    '--d-model',
    '8',
    '--n-layer',
    '1',
    '--d-state',
    '4',
    '--steps',
    '30',
    '--batch',
    '2',
    '--length',
    '32',
    '--checkpoint-every',
    '5',
    '--eval-every',
    '5',
    '--backend',
    'cpu',
  ];
}

test('SIGKILL during a checkpoint write leaves the previous checkpoint loadable, and resume finishes', async () => {
  const dir = tempDir('kill');
  const file = writeFasta(join(dir, 'g.fa'), { r: randomBases(4000) });
  const out = join(dir, 'run');
  const child = spawn(process.execPath, trainArgs(file, out), {
    env: { ...process.env, SEQLAB_CHECKPOINT_PAUSE_MS: '150' },
    stdio: 'ignore',
  });
  const ckRoot = join(out, 'checkpoints');
  // Wait for one complete checkpoint, then for the next one to be half written.
  const deadline = Date.now() + 60_000;
  let killedDuring = '';
  while (Date.now() < deadline) {
    const names = existsSync(ckRoot) ? readdirSync(ckRoot) : [];
    const tmp = names.find((n) => n.endsWith('.tmp'));
    if (names.includes('latest.json') && tmp && readdirSync(join(ckRoot, tmp)).length >= 2) {
      child.kill('SIGKILL');
      killedDuring = tmp;
      break;
    }
    await sleep(20);
  }
  await new Promise((r) => child.once('exit', r));
  assert.ok(killedDuring, 'the trainer was killed while a checkpoint directory was being written');
  assert.ok(existsSync(join(ckRoot, killedDuring)), 'the torn checkpoint is still a .tmp directory');

  const latest = await latestCheckpointDir(out);
  assert.ok(latest && !latest.endsWith('.tmp'), `latest.json names a published checkpoint (${latest})`);
  const model = await loadModelDir(latest);
  const ck = await loadCheckpoint(
    latest,
    paramSpecs(modelConfig({ dModel: 8, nLayer: 1, dState: 4 }, model.config.vocabSize)),
  );
  assert.ok(ck.progress.step > 0 && ck.progress.step % 5 === 0, `checkpoint at step ${ck.progress.step}`);
  assert.equal(
    (await readStatus(out))?.state,
    'running',
    'a killed run still says running: nothing had the chance to say otherwise',
  );

  const resumed = spawn(process.execPath, [CLI, 'train', '--out', out, '--resume'], { stdio: 'ignore' });
  const code = await new Promise((r) => resumed.once('exit', r));
  assert.equal(code, 0);
  assert.equal((await readStatus(out))?.state, 'finished');
  const steps = (await readMetrics(out)).map((m) => m.step);
  assert.equal(steps[steps.length - 1], 30);
  assert.deepEqual(
    steps,
    [...steps].sort((a, b) => a - b),
    'steps increase: the curve continues from the checkpoint without repeats',
  );
  assert.equal(new Set(steps).size, steps.length);
  assert.ok(!readdirSync(ckRoot).some((n) => n.endsWith('.tmp')), 'the resumed run replaced the torn directory');
});
