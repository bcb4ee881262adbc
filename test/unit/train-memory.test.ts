// A model too large for this machine is refused before anything is allocated, with its sizes named:
// `seqlab train --d-state 1000000000` leaves no run folder behind to block the name, and a run.json
// asking for it ends with a status that says why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRange } from '../../extension/core/runs/data-range';
import { checkTrainingMemory } from '../../extension/core/runs/memory-check';
import { DEFAULT_HYPER, modelConfig, PRESETS } from '../../extension/core/runs/presets';
import { readStatus } from '../../extension/core/runs/run-dir';
import { createRun, runSession } from '../../extension/core/runs/train-session';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

const CLI = join(__dirname, '..', '..', 'extension', 'core', 'cli', 'main.js');
const TOO_BIG =
  /needs about [\d.]+ TiB .*parameters.*AdamW.*activations of batch \d+ × length \d+.*this machine has [\d.]+ GiB/;

test('seqlab train --d-state 1e9 is refused with the sizes named, and leaves no run folder', () => {
  const root = tempDir('too-big');
  const file = writeFasta(join(root, 'g.fa'), { r: randomBases(2000) });
  const out = join(root, 'runs', 'huge');
  const r = spawnSync(
    process.execPath,
    [CLI, 'train', '--data', file, '--out', out, '--d-state', '1e9', '--steps', '1', '--backend', 'cpu'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, TOO_BIG);
  assert.match(r.stderr, /d_state 1000000000/);
  assert.ok(!existsSync(out), `no run folder is left: ${existsSync(out) ? readdirSync(out).join(', ') : ''}`);
  assert.ok(!existsSync(join(root, 'runs')), 'nor the folder it was made in');
});

test('a run.json asking for more memory than the machine has fails at the start with a status that says why', async () => {
  const root = tempDir('too-big-run');
  const file = writeFasta(join(root, 'g.fa'), { r: randomBases(2000) });
  const dir = join(root, 'run');
  await createRun(dir, {
    name: 'run',
    data: [file],
    range: parseRange('0%-100%'),
    size: { dModel: 64, nLayer: 2, dState: 1e9 },
    hyper: DEFAULT_HYPER,
    budget: { steps: 1 },
    backend: 'cpu',
  });
  await assert.rejects(runSession(dir, { threads: 1 }), TOO_BIG);
  const status = await readStatus(dir);
  assert.equal(status?.state, 'failed');
  assert.match(status?.message ?? '', TOO_BIG);
});

test('a layer count typed by hand is refused without listing the layers; so is an array too long', () => {
  const cfg = modelConfig(PRESETS.tiny, 6);
  assert.doesNotThrow(() => checkTrainingMemory(cfg, DEFAULT_HYPER.batch, DEFAULT_HYPER.length));
  assert.throws(
    () => checkTrainingMemory(modelConfig({ ...PRESETS.tiny, nLayer: 1e9 }, 6), 16, 256),
    /a model of [\d,]+ parameters \(d_model 32, 1000000000 layers, d_state 16\) needs about/,
  );
  assert.throws(
    () => checkTrainingMemory(cfg, 16, 256, { total: 2 ** 40, maxArray: 2 ** 16 }),
    /a model of [\d,]+ parameters \(d_model 32, 2 layers, d_state 16\) with batch 16 × length 256 needs an array of [\d.]+ MiB; one array may hold at most 64\.0 KiB/,
  );
});
