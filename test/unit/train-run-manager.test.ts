// The run manager trains in a worker thread: progress arrives as events while this thread stays
// free, cancel stops with a checkpoint, start again resumes, and a run left "running" by a dead
// process is reported as interrupted.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRange } from '../../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../../extension/core/runs/presets';
import { RUNS_DIR, writeStatus } from '../../extension/core/runs/run-dir';
import { RunManager } from '../../extension/core/runs/run-manager';
import { createRun } from '../../extension/core/runs/train-session';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

const WORKER = join(__dirname, '..', '..', 'extension', 'core', 'runs', 'train-worker.js');

test('a run trains on a worker thread, cancels, resumes and lists with its phase', async () => {
  const ws = tempDir('manager');
  const file = writeFasta(join(ws, 'g.fa'), { r: randomBases(3000) });
  const dir = join(ws, RUNS_DIR, 'first');
  await createRun(dir, {
    name: 'first',
    data: [file],
    range: parseRange('0%-100%'),
    size: { dModel: 8, nLayer: 1, dState: 4 },
    hyper: { ...DEFAULT_HYPER, batch: 2, length: 32, evalEvery: 1, checkpointEvery: 1000, valWindows: 2 },
    budget: { steps: 400 },
    backend: 'auto',
  });
  const manager = new RunManager(WORKER);
  const steps: number[] = [];
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5); // this thread keeps running while the worker trains
  manager.on('progress', (_d, p) => {
    steps.push(p.step);
    if (p.step === 20) void manager.cancel(dir);
  });
  const ended = new Promise<{ state: string; step: number }>((r) => manager.once('ended', (_d, o) => r(o)));
  manager.start(dir);
  assert.throws(() => manager.start(dir), /already training/);
  const first = await ended;
  assert.equal(first.state, 'cancelled');
  assert.ok(ticks > 3, `the main thread ran ${ticks} timer ticks during training`);
  assert.equal((await manager.info(dir)).phase, 'cancelled');

  const again = new Promise<{ state: string; step: number }>((r) => manager.once('ended', (_d, o) => r(o)));
  manager.start(dir);
  const second = await again;
  clearInterval(timer);
  assert.deepEqual([second.state, second.step], ['finished', 400]);
  assert.ok(steps.includes(20) && steps[steps.length - 1] === 400);
  const listed = await manager.list(ws);
  assert.deepEqual(
    listed.map((r) => [r.name, r.phase, r.step]),
    [['first', 'finished', 400]],
  );
  assert.ok(listed[0].lastValBits !== undefined && listed[0].lastValBits > 0);

  await writeStatus(dir, 'running', 400); // as a crashed trainer (this pid, but no live worker) would leave it
  assert.equal((await manager.info(dir)).phase, 'interrupted');
});
