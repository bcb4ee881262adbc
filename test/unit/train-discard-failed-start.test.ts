// A new run started from VS Code ("Mamba: Train Model…") that fails before its first step leaves no
// folder behind; one that trained a step, or ended any other way, keeps it.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRange } from '../../extension/core/runs/data-range';
import { discardIfStartFails } from '../../extension/core/runs/discard-failed-start';
import { DEFAULT_HYPER } from '../../extension/core/runs/presets';
import { RUNS_DIR, writeStatus, type RunSpec } from '../../extension/core/runs/run-dir';
import { RunManager } from '../../extension/core/runs/run-manager';
import { createRun } from '../../extension/core/runs/train-session';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

const WORKER = join(__dirname, '..', '..', 'extension', 'core', 'runs', 'train-worker.js');

function spec(name: string, file: string): RunSpec {
  return {
    name,
    data: [file],
    range: parseRange('0%-100%'),
    size: { dModel: 8, nLayer: 1, dState: 4 },
    hyper: { ...DEFAULT_HYPER, batch: 2, length: 32, evalEvery: 1, checkpointEvery: 1000, valWindows: 2 },
    budget: { steps: 5 },
    backend: 'cpu',
  };
}

test('a run whose data is gone fails in its worker before the first step, and its folder is removed', async () => {
  const ws = tempDir('discard');
  const file = writeFasta(join(ws, 'g.fa'), { r: randomBases(3000) });
  const dir = join(ws, RUNS_DIR, 'gone');
  const created = await createRun(dir, spec('gone', file));
  rmSync(file);
  const manager = new RunManager(WORKER);
  const heard: string[] = [];
  const ended = new Promise<{ state: string; error?: string }>((r) => manager.once('ended', (_d, o) => r(o)));
  const discarded = discardIfStartFails(manager, dir, created);
  manager.on('ended', () => heard.push('ended'));
  manager.on('changed', () => heard.push('changed'));
  manager.start(dir);
  const outcome = await ended;
  assert.equal(outcome.state, 'failed', JSON.stringify(outcome));
  assert.equal(await discarded, true);
  assert.ok(!existsSync(dir), 'the run folder is gone');
  assert.deepEqual(heard, ['changed', 'ended', 'changed', 'changed'], 'the views hear of the removal too');
});

test('a run that trained a step, or that ended other than failed, keeps its folder', async () => {
  const ws = tempDir('discard-keep');
  const file = writeFasta(join(ws, 'g.fa'), { r: randomBases(3000) });
  const manager = new RunManager(WORKER); // never started: the test plays its events
  const cases: [string, (dir: string) => Promise<void>][] = [
    [
      'progress past step 0',
      async (dir) => {
        manager.emit('progress', dir, { step: 10, tokens: 640, elapsedSec: 1, backend: 'cpu' });
        manager.emit('ended', dir, { state: 'failed', step: 0, error: 'device lost' });
      },
    ],
    [
      'a status at step 3',
      async (dir) => {
        await writeStatus(dir, 'failed', 3, 'out of memory');
        manager.emit('ended', dir, { state: 'failed', step: 0, error: 'out of memory' });
      },
    ],
    ['cancelled', async (dir) => void manager.emit('ended', dir, { state: 'cancelled', step: 0 })],
    ['interrupted', async (dir) => void manager.emit('ended', dir, { state: 'interrupted', step: 0 })],
  ];
  for (const [what, play] of cases) {
    const dir = join(ws, RUNS_DIR, what.replace(/\W/g, '-'));
    const discarded = discardIfStartFails(manager, dir, await createRun(dir, spec('keep', file)));
    manager.emit('ended', join(ws, RUNS_DIR, 'another'), { state: 'failed', step: 0, error: 'not this run' });
    await play(dir);
    assert.equal(await discarded, false, what);
    assert.ok(existsSync(join(dir, 'run.json')), what);
  }
  assert.equal(manager.listenerCount('ended') + manager.listenerCount('progress'), 0, 'no listener left behind');
});
