// A resume never destroys what a run has: with checkpoints/latest.json torn it continues from the
// newest complete checkpoint on disk (or refuses, naming the file, and changes nothing), keeps the
// metrics up to that step byte for byte and never prunes a checkpoint newer than its start; a
// crash while a checkpoint of the same step is rewritten leaves the old one to resume from.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, promises as fsp, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { mock, test } from 'node:test';
import { loadModelDir } from '../../extension/core/models/load-model';
import { publishDirectory, recoverReplaced } from '../../extension/core/runs/atomic-file';
import { checkpointsDir, latestCheckpointDir } from '../../extension/core/runs/checkpoint';
import { dropMetricsFrom, readMetrics, readStatus, runFiles } from '../../extension/core/runs/run-dir';
import { createRun, runSession } from '../../extension/core/runs/train-session';
import { randomBases, tempDir, tinyRunSpec, writeFasta } from '../support/train-data';

/** A run of 12 steps cancelled after step `stop` (checkpoints every 4 steps and at `stop`). */
async function cancelledRun(root: string, name: string, file: string, stop: number): Promise<string> {
  const dir = join(root, name);
  await createRun(dir, tinyRunSpec(name, file, 12));
  const controller = new AbortController();
  const r = await runSession(dir, {
    threads: 1,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.step >= stop) controller.abort();
    },
  });
  assert.deepEqual([r.state, r.step], ['cancelled', stop]);
  return dir;
}

const checkpointNames = (dir: string) => readdirSync(checkpointsDir(dir)).sort();

test('a torn latest.json resumes from the newest complete checkpoint, keeping metrics and newer checkpoints', async () => {
  const root = tempDir('torn-latest');
  const file = writeFasta(join(root, 'g.fa'), { a: randomBases(3000), b: randomBases(2000) });
  const straight = join(root, 'straight');
  await createRun(straight, tinyRunSpec('straight', file, 12));
  assert.equal((await runSession(straight, { threads: 1 })).state, 'finished');

  const dir = await cancelledRun(root, 'broken', file, 9);
  assert.deepEqual(checkpointNames(dir), ['latest.json', 'step-0000008', 'step-0000009']);
  writeFileSync(join(checkpointsDir(dir), 'latest.json'), '{"checkpoint": "step-00');
  rmSync(join(checkpointsDir(dir), 'step-0000009', 'optimizer.safetensors'));
  writeFileSync(runFiles(dir).metrics, 'a line the run did not write\n', { flag: 'a' });
  const kept = readFileSync(runFiles(dir).metrics, 'utf8')
    .split('\n')
    .filter((line) => !/"step":9\b/.test(line))
    .join('\n');

  const logs: string[] = [];
  const r = await runSession(dir, { threads: 1, onLog: (line) => logs.push(line) });
  assert.deepEqual([r.state, r.step], ['finished', 12]);
  const said = logs.join('\n');
  assert.match(said, /latest\.json/, said);
  assert.match(said, /step-0000009.*optimizer\.safetensors/, 'says why the newer checkpoint was skipped');
  assert.match(said, /resuming broken from \S*step-0000008 \(step 8\)/, said);

  const text = readFileSync(runFiles(dir).metrics, 'utf8');
  assert.ok(text.startsWith(kept), 'the records up to step 8, and a line the run did not write, are kept as they were');
  assert.deepEqual(
    (await readMetrics(dir)).map((m) => m.step),
    (await readMetrics(straight)).map((m) => m.step),
    'one curve: only the records after step 8 were replaced',
  );
  const a = await loadModelDir((await latestCheckpointDir(straight))!),
    b = await loadModelDir((await latestCheckpointDir(dir))!);
  assert.deepEqual(b.params, a.params, 'resumed from step 8, the weights equal the uninterrupted run');
  assert.equal(basename(b.dir), 'step-0000012');
  assert.ok(
    existsSync(join(checkpointsDir(dir), 'step-0000009')),
    'a checkpoint newer than the resume point, not written by this session, is not pruned',
  );
});

test('a torn latest.json with no complete checkpoint refuses, naming the file, and changes nothing', async () => {
  const root = tempDir('torn-none');
  const file = writeFasta(join(root, 'g.fa'), { a: randomBases(3000) });
  const dir = await cancelledRun(root, 'run', file, 5);
  const ck = checkpointsDir(dir);
  writeFileSync(join(ck, 'latest.json'), 'not json');
  for (const n of ['step-0000004', 'step-0000005']) rmSync(join(ck, n, 'trainer-state.json'));
  const files = runFiles(dir);
  const before = [readFileSync(files.metrics, 'utf8'), readFileSync(files.manifest, 'utf8'), checkpointNames(dir)];

  await assert.rejects(runSession(dir, { threads: 1 }), (err: Error) => {
    assert.match(err.message, /latest\.json: invalid JSON/);
    assert.match(err.message, /no complete checkpoint/);
    return true;
  });
  assert.deepEqual(
    [readFileSync(files.metrics, 'utf8'), readFileSync(files.manifest, 'utf8'), checkpointNames(dir)],
    before,
  );
  const status = await readStatus(dir);
  assert.equal(status?.state, 'failed');
  assert.match(status?.message ?? '', /latest\.json/);
});

test('a crash while a checkpoint of the same step is rewritten leaves the old one, and the next start recovers it', async () => {
  const root = tempDir('same-step');
  const file = writeFasta(join(root, 'g.fa'), { a: randomBases(3000) });
  const dir = join(root, 'run');
  await createRun(dir, tinyRunSpec('run', file, 4));
  assert.equal((await runSession(dir, { threads: 1 })).state, 'finished');
  const original = await loadModelDir(join(checkpointsDir(dir), 'step-0000004'));

  // Resuming a finished run rewrites its final checkpoint (step 4); the process "dies" just as the
  // new folder would be renamed into place.
  const rename = fsp.rename;
  let crashed!: () => void;
  const atCrash = new Promise<void>((r) => (crashed = r));
  mock.method(fsp, 'rename', (from: string, to: string) => {
    if (basename(from) !== 'step-0000004.tmp') return rename(from, to);
    crashed();
    return new Promise<void>(() => undefined);
  });
  void runSession(dir, { threads: 1 });
  await atCrash;
  mock.restoreAll();

  const logs: string[] = [];
  const r = await runSession(dir, { threads: 1, onLog: (line) => logs.push(line) });
  assert.deepEqual([r.state, r.step], ['finished', 4]);
  assert.match(logs.join('\n'), /resuming run from \S*step-0000004 \(step 4\)/);
  assert.deepEqual((await loadModelDir(join(checkpointsDir(dir), 'step-0000004'))).params, original.params);
  assert.deepEqual(checkpointNames(dir), ['latest.json', 'step-0000004'], 'nothing is left aside');
});

test('a failed rename puts the replaced folder back; recoverReplaced settles what a crash left aside', async () => {
  const root = tempDir('replace-dir');
  const write = (dir: string, text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'f'), text);
  };
  const read = (dir: string) => readFileSync(join(dir, 'f'), 'utf8');
  write(join(root, 'a'), 'old');
  write(join(root, 'a.tmp'), 'new');
  const rename = fsp.rename;
  mock.method(fsp, 'rename', (from: string, to: string) =>
    basename(from) === 'a.tmp' ? Promise.reject(new Error('disk full')) : rename(from, to),
  );
  await assert.rejects(publishDirectory(join(root, 'a.tmp'), join(root, 'a')), /disk full/);
  mock.restoreAll();
  assert.equal(read(join(root, 'a')), 'old');

  write(join(root, 'b.replaced'), 'old'); // the crash came after the aside rename
  write(join(root, 'c'), 'new');
  write(join(root, 'c.replaced'), 'old'); // the crash came after the new folder was in
  assert.equal((await recoverReplaced(root)).length, 2);
  assert.deepEqual(readdirSync(root).sort(), ['a', 'a.tmp', 'b', 'c']);
  assert.deepEqual([read(join(root, 'b')), read(join(root, 'c'))], ['old', 'new']);
});

test('dropping stale records keeps every other line as it was, and ends a torn one', async () => {
  const dir = tempDir('metrics');
  const rec = (step: number) => JSON.stringify({ step, tokens: step * 10, elapsedSec: step });
  writeFileSync(runFiles(dir).metrics, [rec(0), 'not a record', rec(3), rec(4), '{"step": 5, "tok'].join('\n'));
  await dropMetricsFrom(dir, 4);
  assert.equal(
    readFileSync(runFiles(dir).metrics, 'utf8'),
    [rec(0), 'not a record', rec(3), '{"step": 5, "tok', ''].join('\n'),
  );
});
