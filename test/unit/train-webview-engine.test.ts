// The engine webview's training path where no GPU is needed: the train* messages the host
// accepts from the page (and refuses, naming the field); 'auto' on a page whose only adapter is a
// software fallback trains on the CPU and says why in the log and the progress; 'webgpu' when the
// engine view cannot be had fails the run with a clear reason. The GPU half is test/gpu/train-engine-webview.test.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../../extension/core/engine/engine-client';
import { MAX_TRAIN_CHUNK_VALUES, ProtocolError, parseFromEngine } from '../../protocol/messages';
import { parseRange } from '../../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../../extension/core/runs/presets';
import { readStatus, type RunSpec } from '../../extension/core/runs/run-dir';
import { createRun, runSession, type TrainProgress } from '../../extension/core/runs/train-session';
import { StepCallRelay, webviewStepEngines } from '../../extension/core/runs/webview-step-engine';
import { inProcessTrainer } from '../support/in-process-trainer';
import { randomBases, tempDir, writeFasta } from '../support/train-data';

test('train messages from the page parse to themselves', () => {
  const values = Float32Array.from({ length: 37 }, () => Math.random() - 0.5);
  const msgs = [
    {
      type: 'trainOpened',
      requestId: 3,
      backend: 'webgpu',
      reason: 'webgpu: WebGPU on SwiftShader',
      device: 'WebGPU on SwiftShader (fallback adapter)',
    },
    { type: 'trainAck', requestId: 4 },
    { type: 'trainLosses', requestId: 9, nats: Float32Array.of(312.25, 290.5), counts: Int32Array.of(128, 127) },
    { type: 'trainValues', requestId: 7, tensor: 'm', offset: MAX_TRAIN_CHUNK_VALUES, values, t: 12, last: true },
    { type: 'trainLost', requestId: 8, message: 'WebGPU device lost on SwiftShader (unknown): gone' },
  ];
  for (const m of msgs) assert.deepEqual(parseFromEngine(m), m);
});

test('train messages with a bad field are refused with the field named', () => {
  const good = {
    type: 'trainValues',
    requestId: 1,
    tensor: 'params',
    offset: 0,
    values: new Float32Array(4),
    t: 0,
    last: false,
  };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...good, tensor: 'grad' }, /trainValues\.tensor: expected one of params, m, v/],
    [{ ...good, values: new Float32Array(MAX_TRAIN_CHUNK_VALUES + 1) }, /trainValues\.values: \d+ values, at most/],
    [{ ...good, values: [1, 2] }, /trainValues\.values: expected a Float32Array/],
    [{ ...good, t: -1 }, /trainValues\.t/],
    [
      { type: 'trainLosses', requestId: 1, nats: Float32Array.of(1), counts: Float32Array.of(2.5) },
      /trainLosses\.counts: expected a Int32Array/,
    ],
    [
      { type: 'trainLosses', requestId: 1, nats: Float32Array.of(1, 2), counts: Int32Array.of(3) },
      /trainLosses: 2 losses but 1 counts/,
    ],
    [
      { type: 'trainLosses', requestId: 1, nats: [1], counts: Int32Array.of(3) },
      /trainLosses\.nats: expected a Float32Array/,
    ],
    [{ type: 'trainOpened', requestId: 1, backend: 'npu', reason: '', device: '' }, /trainOpened\.backend/],
  ];
  for (const [msg, re] of cases)
    assert.throws(
      () => parseFromEngine(msg),
      (e: unknown) => e instanceof ProtocolError && re.test(e.message),
      JSON.stringify(msg).slice(0, 80),
    );
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
  const relay = new StepCallRelay(() => Promise.reject(new EngineError('the engine view did not open within 30 s')));
  const stepEngines = webviewStepEngines((call) => relay.answer(call));
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
