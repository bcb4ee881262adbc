// A run handed to PyTorch and back: export-run writes what train.py reads (the checkpoint as a
// transformers folder, AdamW's moments per parameter, the token runs the session samples from, the
// schedule where it stood), and import-run takes train.py's checkpoint back as the run's next one,
// from which SeqLab trains on. train.py itself runs against the real transformers on the GPU
// machine (bench/RESULTS-scaleout.md); here its output files are written as it writes them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSafetensors } from '../../kernels/io/safetensors';
import { paramSpecs, tensorsFromFlat } from '../../kernels/train/params';
import { stepProgress } from '../../kernels/train/schedule';
import { readHfConfig } from '../../extension/core/models/hf-config';
import { loadModelDir, readModelTensors, readSafetensorsFile } from '../../extension/core/models/load-model';
import { mambaParamsFromTensors, mambaParamsToTensors } from '../../kernels/model/weights';
import { flatFromTensors } from '../../kernels/train/params';
import { latestCheckpointDir, loadCheckpoint } from '../../extension/core/runs/checkpoint';
import { parseRange } from '../../extension/core/runs/data-range';
import { exportRun } from '../../extension/core/runs/export-run';
import { importRun } from '../../extension/core/runs/import-run';
import { readMetrics, readRunSpec, readStatus } from '../../extension/core/runs/run-dir';
import { loadTokenData } from '../../extension/core/runs/token-data';
import { flatMoments } from '../../extension/core/runs/torch-moments';
import { createRun, runSession } from '../../extension/core/runs/train-session';
import { trainingRuns } from '../../extension/core/runs/window-sampler';
import { randomBases, tempDir, tinyRunSpec, writeFasta } from '../support/train-data';

const EXPORT_HYPER = { evalEvery: 2, checkpointEvery: 100 };

/** A run of 10 steps cancelled at step 6 (its checkpoint), on a FASTA with an N run that splits it. */
async function cancelledRun(dir: string): Promise<string> {
  const file = writeFasta(join(dir, 'g.fa'), {
    a: randomBases(2500) + 'N'.repeat(40) + randomBases(900),
    b: randomBases(1500),
  });
  const runDir = join(dir, 'run');
  await createRun(runDir, tinyRunSpec('handed', file, 10, EXPORT_HYPER));
  const controller = new AbortController();
  const r = await runSession(runDir, {
    signal: controller.signal,
    onProgress: (p) => p.step >= 6 && controller.abort(),
  });
  assert.deepEqual([r.state, r.step], ['cancelled', 6]);
  return runDir;
}

/** train.py's 2-bit token file read back: four tokens a byte, the first in the high bits. */
function decode2bit(bytes: Uint8Array, alphabet: number[], n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => alphabet[(bytes[i >> 2] >> (6 - 2 * (i & 3))) & 3]);
}

test('export-run writes the checkpoint, moments, data and schedule that train.py continues', async () => {
  const dir = tempDir('export-run');
  const runDir = await cancelledRun(dir);
  const out = join(dir, 'exported');
  const r = await exportRun(runDir, out, false);
  assert.deepEqual([r.checkpoint, r.step], ['step-0000006', 6]);

  const ck = await loadCheckpoint((await latestCheckpointDir(runDir))!);
  const cfgPath = join(out, 'model', 'config.json');
  const { config } = readHfConfig(JSON.parse(readFileSync(cfgPath, 'utf8')), cfgPath);
  const specs = paramSpecs(config);
  const { tensors, fileOf } = await readModelTensors(join(out, 'model'));
  const params = flatFromTensors(
    specs,
    mambaParamsToTensors(config, mambaParamsFromTensors(config, tensors, fileOf)),
    'model',
  );
  assert.deepEqual(params, ck.trainer.params, 'the transformers folder holds the checkpoint weights');
  const optPath = join(out, 'optimizer.safetensors');
  const moments = flatMoments(specs, (await readSafetensorsFile(optPath)).tensors, optPath);
  assert.deepEqual([moments.m, moments.v], [ck.trainer.m, ck.trainer.v], 'AdamW moments per parameter');

  const handoff = JSON.parse(readFileSync(join(out, 'handoff.json'), 'utf8'));
  assert.deepEqual(handoff.progress, { step: 6, tokens: 6 * 3 * 24, elapsedSec: ck.progress.elapsedSec, adamT: 6 });
  assert.equal(handoff.schedule.stepsLeft, 4);
  assert.equal(handoff.schedule.progress, stepProgress(6, 3, 10));
  assert.deepEqual(
    handoff.adamw.noDecay,
    specs.filter((s) => !s.decay).map((s) => s.name),
  );

  const manifest = JSON.parse(readFileSync(join(out, 'data', 'manifest.json'), 'utf8'));
  const runs = trainingRuns(await loadTokenData([join(dir, 'g.fa')], parseRange('0%-90%')), 24, 0.1);
  for (const split of ['train', 'val'] as const) {
    const m = manifest.splits[split];
    const bytes = new Uint8Array(readFileSync(join(out, 'data', m.file)));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), m.sha256);
    assert.equal(m.encoding, '2bit');
    const tokens = decode2bit(bytes, m.alphabet, m.tokens);
    assert.equal(m.runs.length, runs[split].length, `${split}: one entry per run (the N run splits a)`);
    runs[split].forEach((run, i) => {
      const e = m.runs[i];
      assert.deepEqual([e.record, e.start, e.length], [run.record, run.start, run.tokens.length]);
      assert.deepEqual(tokens.subarray(e.offset, e.offset + e.length), run.tokens);
    });
  }
  assert.equal(manifest.complement.length, config.vocabSize);
  const records = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(records.length > 0 && records.every((x) => x.step <= 6));
  assert.ok(existsSync(join(out, 'train.py')) && existsSync(join(out, 'requirements.txt')));
  assert.match(
    readFileSync(join(out, 'README.md'), 'utf8'),
    /accelerate launch --multi_gpu --num_processes 8 train\.py/,
  );

  await assert.rejects(exportRun(runDir, out, false), /exists; --force replaces it/);
  await exportRun(runDir, out, true);
  await assert.rejects(exportRun(runDir, join(dir, 'run'), true), /holds the model being read|is not an exported run/);
  const empty = join(dir, 'fresh');
  await createRun(empty, tinyRunSpec('fresh', join(dir, 'g.fa'), 10, EXPORT_HYPER));
  await assert.rejects(exportRun(empty, join(dir, 'x'), false), /the run has no checkpoint yet/);
});

test("import-run takes train.py's checkpoint as the run's next, and SeqLab trains on from it", async () => {
  const dir = tempDir('import-run');
  const runDir = await cancelledRun(dir);
  const out = join(dir, 'exported');
  await exportRun(runDir, out, false);

  // What train.py leaves after two more steps: weights and moments moved, its metrics appended.
  const specs = paramSpecs((await loadModelDir(join(out, 'model'))).config);
  const ck = await loadCheckpoint((await latestCheckpointDir(runDir))!, specs);
  const moved = ck.trainer.params.map((x) => x * 0.5 + 0.01);
  const ckDir = join(out, 'checkpoints', 'step-0000008');
  mkdirSync(ckDir, { recursive: true });
  cpSync(join(out, 'model'), join(ckDir, 'model'), { recursive: true });
  writeFileSync(
    join(ckDir, 'model', 'model.safetensors'),
    writeSafetensors(tensorsFromFlat(specs, moved), { format: 'pt' }),
  );
  const m2 = ck.trainer.m.map((x) => x + 1e-3),
    v2 = ck.trainer.v.map((x) => x + 1e-4);
  const named = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [n, t] of tensorsFromFlat(specs, m2)) named.set(`exp_avg.${n}`, t);
  for (const [n, t] of tensorsFromFlat(specs, v2)) named.set(`exp_avg_sq.${n}`, t);
  writeFileSync(join(ckDir, 'optimizer.safetensors'), writeSafetensors(named));
  writeFileSync(
    join(ckDir, 'trainer_state.json'),
    JSON.stringify({ step: 8, tokens: 8 * 72, elapsedSec: 9.5, adamT: 8 }),
  );
  writeFileSync(join(out, 'checkpoints', 'latest.json'), JSON.stringify({ checkpoint: 'step-0000008', step: 8 }));
  writeFileSync(
    join(out, 'metrics.jsonl'),
    readFileSync(join(out, 'metrics.jsonl'), 'utf8') +
      JSON.stringify({ step: 8, tokens: 576, elapsedSec: 9.5, lr: 0.002, trainBits: 1.99, valBits: 1.98 }) +
      '\n',
  );

  await assert.rejects(importRun(out, runDir, { steps: 8 }), /--steps 8 must exceed the imported step 8/);
  const r = await importRun(out, runDir, { steps: 12 });
  assert.deepEqual([r.from, r.step, r.records, r.state], ['step-0000006', 8, 1, 'cancelled']);
  const back = await loadCheckpoint((await latestCheckpointDir(runDir))!, specs);
  assert.deepEqual(back.trainer.params, moved);
  assert.deepEqual([back.trainer.m, back.trainer.v, back.trainer.t], [m2, v2, 8]);
  assert.deepEqual(back.progress.rng, ck.progress.rng, "the data sampler goes on from the exported checkpoint's state");
  assert.deepEqual((await readRunSpec(runDir)).budget, { steps: 12 });
  assert.equal((await readStatus(runDir))?.state, 'cancelled');
  assert.ok((await readMetrics(runDir)).some((x) => x.step === 8 && x.trainBits === 1.99));

  const cont = await runSession(runDir);
  assert.deepEqual([cont.state, cont.step], ['finished', 12]);
  const steps = (await readMetrics(runDir)).map((x) => x.step);
  assert.deepEqual(
    steps,
    [...steps].sort((a, b) => a - b),
    'one curve: SeqLab, PyTorch, SeqLab again',
  );
  await assert.rejects(
    importRun(out, runDir),
    /the run moved on since the export \(its latest checkpoint is step-0000012/,
  );
});
