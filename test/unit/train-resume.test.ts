// A run cancelled and resumed from its checkpoint ends with exactly the weights of the same run
// left alone (same windows, same AdamW state, same schedule), and its metrics form one curve.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelDir } from '../../extension/core/models/load-model';
import { latestCheckpointDir } from '../../extension/core/runs/checkpoint';
import { readMetrics, readStatus } from '../../extension/core/runs/run-dir';
import { createRun, runSession } from '../../extension/core/runs/train-session';
import { randomBases, tempDir, tinyRunSpec, writeFasta } from '../support/train-data';

test('cancel + resume reproduces the uninterrupted run bit for bit', async () => {
  const dir = tempDir('resume');
  const file = writeFasta(join(dir, 'g.fa'), { a: randomBases(3000), b: randomBases(2000) });
  const straight = join(dir, 'straight'),
    broken = join(dir, 'broken');
  await createRun(straight, tinyRunSpec('straight', file, 12));
  assert.equal((await runSession(straight)).state, 'finished');

  await createRun(broken, tinyRunSpec('broken', file, 12));
  const controller = new AbortController();
  const first = await runSession(broken, {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.step >= 7) controller.abort();
    },
  });
  assert.deepEqual([first.state, first.step], ['cancelled', 7]);
  assert.equal((await readStatus(broken))?.state, 'cancelled');
  const second = await runSession(broken);
  assert.deepEqual([second.state, second.step], ['finished', 12]);

  const a = await loadModelDir((await latestCheckpointDir(straight))!),
    b = await loadModelDir((await latestCheckpointDir(broken))!);
  assert.deepEqual(b.params, a.params, 'resumed weights equal uninterrupted weights');
  const ma = await readMetrics(straight),
    mb = await readMetrics(broken);
  assert.deepEqual(
    mb.map((m) => m.step),
    ma.map((m) => m.step),
    'one record per step, no repeats after resume',
  );
  assert.deepEqual(
    mb.map((m) => m.valBits),
    ma.map((m) => m.valBits),
    'the validation curve continues unchanged',
  );
  const kept = readdirSync(join(broken, 'checkpoints')).filter((n) => n.startsWith('step-'));
  assert.ok(kept.length <= 2, `old checkpoints pruned (${kept.join(', ')})`);
});
