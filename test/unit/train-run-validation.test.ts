// What a run folder holds is checked when it is read back, with the file and the field named:
// run.json (a budget of nothing, checkpoints every 0 steps), status.json, checkpoints/latest.json,
// manifest.json and a checkpoint's trainer-state.json.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelDir } from '../../extension/core/models/load-model';
import { checkpointsDir, latestCheckpointDir, loadCheckpoint } from '../../extension/core/runs/checkpoint';
import { parseRange } from '../../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../../extension/core/runs/presets';
import { readRunSpec, readStatus, runFiles, type RunSpec } from '../../extension/core/runs/run-dir';
import { createRun, runSession } from '../../extension/core/runs/train-session';
import { paramSpecs } from '../../kernels/train/params';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

function spec(file: string): RunSpec {
  return {
    name: 'run',
    data: [file],
    range: parseRange('0%-100%'),
    size: { dModel: 8, nLayer: 1, dState: 4 },
    hyper: { ...DEFAULT_HYPER, batch: 2, length: 16, evalEvery: 1, valWindows: 2 },
    budget: { steps: 2 },
    backend: 'cpu',
  };
}

function editJson(path: string, edit: (o: Record<string, unknown>) => void): void {
  const o = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(o);
  writeFileSync(path, JSON.stringify(o));
}

test('createRun refuses a spec run.json could not hold, and creates nothing', async () => {
  const root = tempDir('spec-create');
  const file = writeFasta(join(root, 'g.fa'), { r: randomBases(2000) });
  const dir = join(root, 'run');
  const bad: [Partial<RunSpec>, RegExp][] = [
    [
      { hyper: { ...DEFAULT_HYPER, checkpointEvery: 0 } },
      /run\.json: hyper\.checkpointEvery must be a positive integer, got 0$/,
    ],
    [
      { budget: {} },
      /run\.json: budget must be \{"steps": N\} \(a positive integer\) or \{"minutes": M\} .*, got \{\}$/,
    ],
    [{ budget: { steps: 10, minutes: 5 } }, /run\.json: budget must be .*, not both, got \{"steps":10,"minutes":5\}$/],
    [{ hyper: { ...DEFAULT_HYPER, lr: NaN } }, /run\.json: hyper\.lr must be a positive number, got NaN$/],
    [{ size: { dModel: 8, nLayer: 1.5, dState: 4 } }, /run\.json: size\.nLayer must be a positive integer, got 1\.5$/],
    [{ range: { startPct: 50, endPct: 20 } }, /run\.json: range\.startPct must be less than range\.endPct/],
    [{ data: [] }, /run\.json: data must be a non-empty list of file paths, got \[\]$/],
  ];
  for (const [change, message] of bad) {
    await assert.rejects(createRun(dir, { ...spec(file), ...change }), message);
    assert.ok(!existsSync(dir), 'nothing is left behind');
  }
});

test('a run.json edited by hand is refused when the run starts, and its status says why', async () => {
  const root = tempDir('spec-read');
  const file = writeFasta(join(root, 'g.fa'), { r: randomBases(2000) });
  const dir = join(root, 'run');
  await createRun(dir, spec(file));
  editJson(runFiles(dir).spec, (o) => ((o.hyper as Record<string, unknown>).checkpointEvery = 0));
  const message = /run\.json: hyper\.checkpointEvery must be a positive integer, got 0$/;
  await assert.rejects(readRunSpec(dir), message);
  await assert.rejects(runSession(dir, { threads: 1 }), message);
  assert.match((await readStatus(dir))?.message ?? '', message);

  editJson(runFiles(dir).spec, (o) => {
    (o.hyper as Record<string, unknown>).checkpointEvery = 5;
    o.budget = {};
  });
  await assert.rejects(runSession(dir, { threads: 1 }), /run\.json: budget must be \{"steps": N\}/);
});

test('status.json, latest.json, manifest.json and trainer-state.json are checked field by field', async () => {
  const root = tempDir('run-files');
  const file = writeFasta(join(root, 'g.fa'), { r: randomBases(2000) });
  const dir = join(root, 'run');
  await createRun(dir, spec(file));
  assert.equal((await runSession(dir, { threads: 1 })).state, 'finished');
  const files = runFiles(dir);

  editJson(files.status, (o) => (o.step = -1));
  await assert.rejects(readStatus(dir), /status\.json: step must be a non-negative integer, got -1$/);
  editJson(files.status, (o) => Object.assign(o, { step: 2, state: 'done' }));
  await assert.rejects(readStatus(dir), /status\.json: state must be one of running, finished, .*got "done"$/);

  const latest = join(checkpointsDir(dir), 'latest.json');
  const goodLatest = readFileSync(latest, 'utf8');
  writeFileSync(latest, JSON.stringify({ checkpoint: '../../elsewhere', step: 2 }));
  await assert.rejects(latestCheckpointDir(dir), /latest\.json: checkpoint must be a folder name step-N/);
  writeFileSync(latest, JSON.stringify({ checkpoint: 'step-0000002', step: 3 }));
  await assert.rejects(latestCheckpointDir(dir), /latest\.json: step must be 2, the step checkpoint names, got 3$/);
  writeFileSync(latest, goodLatest);

  const checkpoint = (await latestCheckpointDir(dir))!;
  const specs = paramSpecs((await loadModelDir(checkpoint)).config);
  editJson(join(checkpoint, 'trainer-state.json'), (o) => (o.adamT = -1));
  await assert.rejects(
    loadCheckpoint(checkpoint, specs),
    /trainer-state\.json: adamT must be a non-negative integer, got -1$/,
  );
  editJson(join(checkpoint, 'trainer-state.json'), (o) => Object.assign(o, { adamT: 2, step: 7 }));
  await assert.rejects(loadCheckpoint(checkpoint, specs), /trainer-state\.json: step must be 2, the step of/);
  editJson(join(checkpoint, 'trainer-state.json'), (o) => (o.step = 2));

  editJson(files.manifest, (o) => ((o.files as Record<string, unknown>[])[0].sha256 = 'abc'));
  await assert.rejects(
    runSession(dir, { threads: 1 }),
    /manifest\.json: files\[0\]\.sha256 must be a SHA-256 in hex, got "abc"$/,
  );
});

test('a field nested deeper than JSON.stringify can write is refused naming the field', async () => {
  const dir = tempDir('deep-field');
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  writeFileSync(runFiles(dir).status, `{"state": "running", "step": 0, "updated": ${deep}}`);
  await assert.rejects(readStatus(dir), {
    name: 'RunFileError',
    message: /status\.json: updated must be a string, got \[\.\.\.\]$/,
  });
});
