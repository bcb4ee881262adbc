// `seqlab eval` end to end through the compiled CLI on the lambda phage genome: a run folder is
// scored at its latest checkpoint with the data and held-out range of its run.json; the figure
// comes with the uniform code and the best order-k Markov model counted on the training range,
// which must be the figure the baseline code gives on its own; a plain model folder takes the
// baseline's range from --train-range; bad input gets one clear line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { heldOutRange, parseRange, parseRangeText } from '../../extension/core/runs/data-range';
import { bestMarkov, defaultMarkovOrders, markovSweep } from '../../extension/core/runs/markov-baseline';
import { resolveModelOrigin } from '../../extension/core/runs/model-origin';
import { loadTokenData } from '../../extension/core/runs/token-data';
import { REAL, realFile } from '../support/real-data';
import { tempDir } from '../support/train-data';

const CLI = join(__dirname, '..', '..', 'extension', 'core', 'cli', 'main.js');
const FIXTURE_MODEL = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hf-mamba-dna');
const seqlab = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

/** A tiny run on `genome`'s first 80%: two checkpoints (steps 10 and 20), the later one named by latest.json. */
function trainRun(genome: string, runDir: string): void {
  const r = seqlab(
    'train',
    ...['--data', genome, '--out', runDir, '--range', '0%-80%', '--steps', '20', '--checkpoint-every', '10'],
    ...['--d-model', '8', '--n-layer', '1', '--d-state', '4', '--batch', '2', '--length', '64', '--backend', 'cpu'],
  );
  assert.equal(r.status, 0, r.stderr);
}

interface EvalJson {
  checkpoint?: string;
  step?: number;
  modelDir: string;
  data: string[];
  range: string;
  trainRange?: string;
  scored: number;
  bitsPerToken: number;
  uniformBitsPerToken: number;
  markov?: { best: { k: number; bitsPerToken: number }; orders: { k: number; bitsPerToken: number }[] };
  verdict?: string;
}

test('a run folder is scored at its latest checkpoint on the complement of its training range, next to the best Markov', async () => {
  const genome = realFile(REAL.lambdaGenome);
  const runDir = join(tempDir('eval-run'), 'lambda');
  trainRun(genome, runDir);

  const origin = await resolveModelOrigin(runDir);
  assert.equal(origin.modelDir, join(runDir, 'checkpoints', 'step-0000020'));
  assert.deepEqual(origin.run, { dir: runDir, name: 'lambda', checkpoint: 'step-0000020', step: 20 });
  assert.deepEqual([origin.training?.data, origin.training?.range], [[genome], { startPct: 0, endPct: 80 }]);

  const r = seqlab('eval', '--model', runDir, '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as EvalJson;
  assert.deepEqual(
    [j.checkpoint, j.step, j.data, j.range, j.trainRange],
    ['step-0000020', 20, [genome], '80%-100%', '0%-80%'],
  );
  assert.equal(j.scored, 9700, 'lambda is 48,502 bases: positions 38,801-48,502 less the first');
  assert.equal(j.uniformBitsPerToken, 2);

  // The same checkpoint named directly, with the data and range given: the same figure.
  const direct = seqlab('eval', '--model', origin.modelDir, '--data', genome, '--range', '80%-100%', '--json');
  assert.equal(direct.status, 0, direct.stderr);
  assert.equal((JSON.parse(direct.stdout) as EvalJson).bitsPerToken, j.bitsPerToken);

  // The baseline is the baseline code's own figure on exactly these positions.
  const train = await loadTokenData([genome], parseRange('0%-80%')),
    held = await loadTokenData([genome], parseRange('80%-100%'));
  const sweep = await markovSweep(train, held, defaultMarkovOrders('dna'), true);
  const best = bestMarkov(sweep);
  assert.deepEqual(j.markov?.best, { k: best.k, bitsPerToken: best.score.bitsPerToken });
  assert.equal(j.markov?.orders.length, 12);
  assert.ok(
    best.score.bitsPerToken > 1.9 && best.score.bitsPerToken < 2,
    `lambda's best Markov: ${best.score.bitsPerToken}`,
  );
  // 20 steps of a 864-parameter model: far from the baseline, and the verdict says so.
  assert.ok(j.bitsPerToken > best.score.bitsPerToken);
  assert.equal(
    j.verdict,
    `model does not beat the best Markov (k=${best.k}): ${(j.bitsPerToken - best.score.bitsPerToken).toFixed(4)} bits/base behind`,
  );

  const text = seqlab('eval', '--model', runDir);
  assert.equal(text.status, 0, text.stderr);
  for (const line of [
    'model: run lambda, checkpoint step-0000020 (step 20), the latest in checkpoints/latest.json',
    `data: ${genome} (from ${join(runDir, 'run.json')})`,
    `range: 80%-100%, the complement of the training range 0%-80% (from ${join(runDir, 'run.json')})`,
    'uniform: 2.0000 bits/base',
    `best order-k Markov (k 1-12, counted on 0%-80% plus its reverse complement): k=${best.k}, ${best.score.bitsPerToken.toFixed(4)} bits/base`,
  ])
    assert.ok(text.stdout.includes(line + '\n'), `"${line}" missing in:\n${text.stdout}`);
});

test('a checkpoint folder takes its defaults from training.json; changed data is refused', () => {
  const dir = tempDir('eval-changed');
  const genome = join(dir, 'lambda.fa.gz');
  copyFileSync(realFile(REAL.lambdaGenome), genome);
  const runDir = join(dir, 'run');
  trainRun(genome, runDir);
  const checkpoint = join(runDir, 'checkpoints', 'step-0000010');
  const r = seqlab('eval', '--model', checkpoint, '--no-baseline');
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`^range: 80%-100%, the complement of the training range 0%-80% \\(from .*training\\.json\\)$`, 'm'),
  );
  assert.doesNotMatch(r.stdout, /Markov/);

  writeFileSync(genome, '>x\nACGT\n');
  const changed = seqlab('eval', '--model', runDir);
  assert.equal(changed.status, 1);
  assert.match(
    changed.stderr,
    /lambda\.fa\.gz: changed since training \(SHA-256 [0-9a-f]{12}…, .*run\.json says [0-9a-f]{12}…\)/,
  );
});

test('a plain model folder: --train-range gives the baseline and the held-out range; --baseline without one is an error', () => {
  const genome = realFile(REAL.lambdaGenome);
  const r = seqlab('eval', '--model', FIXTURE_MODEL, '--data', genome, '--train-range', '0%-50%', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as EvalJson;
  assert.deepEqual([j.range, j.trainRange, j.markov?.orders.length], ['50%-100%', '0%-50%', 12]);

  const plain = seqlab('eval', '--model', FIXTURE_MODEL, '--data', genome, '--range', '99%-100%');
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /Markov/, 'no training range known: no baseline');

  const missing = seqlab('eval', '--model', FIXTURE_MODEL, '--data', genome, '--baseline');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /--baseline needs the range the baseline is counted on: give --train-range/);
  const noData = seqlab('eval', '--model', FIXTURE_MODEL);
  assert.match(noData.stderr, /--data FILE… is required \(the model records no training data\)/);
});

test('run folders without a checkpoint and folders that are neither are named in the error', () => {
  const dir = tempDir('eval-bad');
  const runDir = join(dir, 'empty-run');
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'run.json'), '{"name":"empty-run","data":[],"range":{"startPct":0,"endPct":80}}');
  const r = seqlab('eval', '--model', runDir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /empty-run: the run has no checkpoint yet/);
  const neither = seqlab('eval', '--model', dir);
  assert.match(neither.stderr, /neither a model folder \(config\.json\) nor a run folder \(run\.json\)/);
});

test('held-out ranges and range text', () => {
  assert.deepEqual(heldOutRange(parseRange('0%-80%')), { startPct: 80, endPct: 100 });
  assert.deepEqual(heldOutRange(parseRange('20%-100%')), { startPct: 0, endPct: 20 });
  assert.deepEqual(heldOutRange({ startPct: 0, endPct: 90, records: ['NC_1'] }), {
    startPct: 90,
    endPct: 100,
    records: ['NC_1'],
  });
  assert.throws(() => heldOutRange(parseRange('10%-90%')), /leaves a part on each side: no single held-out range/);
  assert.throws(() => heldOutRange(parseRange('0%-100%')), /covers all of the data/);
  assert.deepEqual(parseRangeText('records NC_1, NC_2, 0%-80%', 'x'), {
    startPct: 0,
    endPct: 80,
    records: ['NC_1', 'NC_2'],
  });
  assert.throws(() => parseRangeText('most of it', 'training.json "range"'), /training\.json "range"/);
});
