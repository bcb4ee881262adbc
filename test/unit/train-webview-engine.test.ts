// The engine webview's training path where no GPU is needed: the training calls and answers each
// side accepts (and refuses, naming the field); 'auto' on a page whose only adapter is a software
// fallback trains on the CPU and says why in the log and the progress; 'webgpu' when the engine
// view cannot be had fails the run with a clear reason. The GPU half is test/gpu/train-engine-webview.test.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../../extension/core/engine/engine-client';
import {
  MAX_TRAIN_CHUNK_VALUES,
  MAX_TRAIN_ROWS,
  trainingCallParsers,
  trainingProgressParsers,
  trainingReplyParsers,
} from '../../protocol/training-calls';
import { ProtocolError } from '../../protocol/validate';
import { parseRange } from '../../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../../extension/core/runs/presets';
import { readStatus, type RunSpec } from '../../extension/core/runs/run-dir';
import { createRun, runSession, type TrainProgress } from '../../extension/core/runs/train-session';
import { webviewStepEngines } from '../../extension/core/runs/webview-step-engine';
import { inProcessTrainer, workerToHost } from '../support/in-process-trainer';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

const ADAM = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

test('training calls, their answers and read chunks parse to themselves', () => {
  const values = Float32Array.from({ length: 37 }, () => Math.random() - 0.5);
  const calls: [keyof typeof trainingCallParsers, unknown][] = [
    ['open', { backend: 'auto', config: { d_model: 8 }, batch: 2, length: 32, adam: ADAM }],
    ['write', { trainer: 3, tensor: 'm', offset: MAX_TRAIN_CHUNK_VALUES, values }],
    ['setState', { trainer: 3, t: 12 }],
    ['read', { trainer: 3, moments: true }],
    ['step', { trainer: 3, ids: Int32Array.of(1, 2), targets: Int32Array.of(2, -1), lr: 1e-3, maxNorm: 1 }],
    ['readLosses', { trainer: 3 }],
    ['close', { trainer: 3 }],
  ];
  for (const [type, payload] of calls) assert.deepEqual(trainingCallParsers[type](payload), payload, type);
  const replies: [keyof typeof trainingReplyParsers, unknown][] = [
    [
      'open',
      { trainer: 1, reason: 'webgpu: WebGPU on SwiftShader', device: 'WebGPU on SwiftShader (fallback adapter)' },
    ],
    ['open', { reason: 'cpu: the only WebGPU adapter is a software fallback', device: 'cpu' }],
    ['read', { t: 12 }],
    ['readLosses', { nats: Float32Array.of(312.25, 290.5), counts: Int32Array.of(128, 127) }],
    ['step', null],
  ];
  for (const [type, reply] of replies) assert.deepEqual(trainingReplyParsers[type](reply), reply, type);
  const chunk = { trainer: 3, tensor: 'params', offset: 0, values };
  assert.deepEqual(trainingProgressParsers.read(chunk), chunk);
});

test('training calls and answers with a bad field are refused with the field named', () => {
  const chunk = { trainer: 1, tensor: 'params', offset: 0, values: new Float32Array(4) };
  const open = { backend: 'webgpu', config: {}, batch: 2, length: 32, adam: ADAM };
  const step = { trainer: 1, ids: Int32Array.of(1, 2), targets: Int32Array.of(2, 3), lr: 1e-3, maxNorm: 1 };
  const cases: [() => unknown, RegExp][] = [
    [() => trainingCallParsers.write({ ...chunk, tensor: 'grad' }), /write\.tensor: expected one of params, m, v/],
    [
      () => trainingCallParsers.write({ ...chunk, values: new Float32Array(MAX_TRAIN_CHUNK_VALUES + 1) }),
      /write\.values: \d+ values, at most/,
    ],
    [() => trainingProgressParsers.read({ ...chunk, values: [1, 2] }), /read chunk\.values: expected a Float32Array/],
    [() => trainingCallParsers.write({ ...chunk, trainer: 0 }), /write\.trainer: expected an integer/],
    [() => trainingCallParsers.setState({ trainer: 1, t: -1 }), /setState\.t/],
    [() => trainingCallParsers.open({ ...open, backend: 'cpu' }), /open\.backend: expected one of auto, webgpu/],
    [() => trainingCallParsers.open({ ...open, config: 'd_model 8' }), /open\.config: expected an object/],
    [() => trainingCallParsers.open({ ...open, adam: { ...ADAM, beta2: 2 } }), /open\.adam\.beta2/],
    [() => trainingCallParsers.open({ ...open, batch: 2, length: MAX_TRAIN_ROWS }), /at most \d+ positions/],
    [() => trainingCallParsers.step({ ...step, targets: Int32Array.of(1) }), /step\.targets: 1 targets for 2 ids/],
    [() => trainingCallParsers.step({ ...step, lr: Number.NaN }), /step\.lr/],
    [
      () => trainingReplyParsers.readLosses({ nats: Float32Array.of(1), counts: Float32Array.of(2.5) }),
      /losses\.counts: expected a Int32Array/,
    ],
    [
      () => trainingReplyParsers.readLosses({ nats: Float32Array.of(1, 2), counts: Int32Array.of(3) }),
      /losses: 2 losses but 1 counts/,
    ],
    [() => trainingReplyParsers.open({ trainer: 'one', reason: '', device: '' }), /opened\.trainer/],
    [() => trainingReplyParsers.step({ ok: true }), /expected null/],
  ];
  for (const [parse, re] of cases)
    assert.throws(parse, (e: unknown) => e instanceof ProtocolError && re.test(e.message), re.source);
});

async function tinyRun(backend: RunSpec['backend']): Promise<string> {
  const dir = tempDir('webview-step');
  const file = writeFasta(join(dir, 'g.fa'), { a: randomBases(4000) });
  const runDir = join(dir, 'run');
  await createRun(runDir, {
    name: 'run',
    data: [file],
    range: parseRange('0%-100%'),
    size: { dModel: 8, nLayer: 1, dState: 4 },
    hyper: {
      ...DEFAULT_HYPER,
      batch: 2,
      length: 32,
      warmupSteps: 2,
      evalEvery: 5,
      checkpointEvery: 5,
      valWindows: 2,
      valFraction: 0.1,
    },
    budget: { steps: 6 },
    backend,
  });
  return runDir;
}

test("'auto' on a page with only a software fallback adapter trains on the CPU and says why", async () => {
  const reason =
    'cpu: the only WebGPU adapter is a software fallback (Google / swiftshader), slower than the CPU; set backend "webgpu" to use it anyway';
  const page = inProcessTrainer(async (preference) => {
    assert.equal(preference, 'auto');
    return { reason };
  });
  try {
    const dir = await tinyRun('auto');
    const lines: string[] = [],
      progress: TrainProgress[] = [];
    const r = await runSession(dir, {
      threads: 1,
      stepEngines: page.stepEngines,
      onLog: (l) => lines.push(l),
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual([r.state, r.step], ['finished', 6]);
    assert.equal(progress[0].backend, `cpu, 1 thread(s) (${reason})`);
    assert.ok(lines[0].includes(`cpu, 1 thread(s) (${reason})`), lines[0]);
    assert.equal(page.trainer.open, 0, 'no trainer was opened on the page');
  } finally {
    await page.close();
  }
});

test("'webgpu' without an engine view fails the run naming the reason; 'auto' then trains on the CPU", async () => {
  const stepEngines = webviewStepEngines(
    workerToHost(() => Promise.reject(new EngineError('the engine view did not open within 30 s'))),
  );
  const dir = await tinyRun('webgpu');
  await assert.rejects(
    runSession(dir, { stepEngines }),
    /^Error: WebGPU is not available in the engine view: the engine view did not open within 30 s; pick cpu$/,
  );
  const status = await readStatus(dir);
  assert.equal(status?.state, 'failed');
  assert.match(status?.message ?? '', /WebGPU is not available in the engine view/);

  const auto = await tinyRun('auto');
  const progress: TrainProgress[] = [];
  assert.equal(
    (await runSession(auto, { threads: 1, stepEngines, onProgress: (p) => progress.push(p) })).state,
    'finished',
  );
  assert.match(
    progress[0].backend,
    /^cpu, 1 thread\(s\) \(cpu: the engine view gave no WebGPU \(the engine view did not open within 30 s\)\)$/,
  );
});
