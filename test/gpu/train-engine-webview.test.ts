// Training sessions on WebGPU against the CPU trainer's curve: in this process through Dawn (the
// CLI's path: one submit per step, losses read back when logged), and on the engine webview's
// trainer (webview/engine/engine-trainer.ts) on Dawn's WebGPU, reached as inside VS Code: session -> webviewStepEngines ->
// the worker's channel -> relayTraining on the host -> the training channel -> page trainer, every hop cloned (test/support/in-process-trainer.ts). State moves in chunks bit
// for bit; a run follows the CPU trainer's curve on the same seed and windows of the lambda
// genome; the view going away or the device being lost ends the run interrupted at its last
// checkpoint, and resuming on the page or on the CPU continues the same curve.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadModelDir } from '../../extension/core/models/load-model';
import { MAX_TRAIN_CHUNK_VALUES } from '../../protocol/training-calls';
import { latestCheckpointDir } from '../../extension/core/runs/checkpoint';
import { parseRange } from '../../extension/core/runs/data-range';
import { DEFAULT_HYPER, modelConfig } from '../../extension/core/runs/presets';
import {
  readMetrics,
  readRunSpec,
  readStatus,
  runFiles,
  type MetricRecord,
  type RunSpec,
} from '../../extension/core/runs/run-dir';
import { createRun, runSession } from '../../extension/core/runs/train-session';
import { DEFAULT_ADAMW } from '../../kernels/train/adamw';
import { paramCount, paramSpecs } from '../../kernels/train/params';
import type { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import { inProcessTrainer } from '../support/in-process-trainer';
import { REAL, realFile } from '../support/real-data';
import { TOLERANCE, assertClose } from '../support/tolerance';
import { tempDir } from '../support/train-data';
import { openWebGpu, uniform } from './webgpu-setup';

let gpu: WebGpuBackend;
before(async () => {
  gpu = await openWebGpu();
});
after(() => gpu.dispose());

const onPage = (backend: WebGpuBackend) =>
  inProcessTrainer(async () => ({ backend, reason: `webgpu: ${backend.description}` }));

const STEPS = 24;
function spec(name: string, backend: RunSpec['backend']): RunSpec {
  return {
    name,
    data: [realFile(REAL.lambdaGenome)],
    range: parseRange('0%-60%'),
    size: { dModel: 8, nLayer: 1, dState: 4 },
    hyper: { ...DEFAULT_HYPER, batch: 2, length: 64, warmupSteps: 3, evalEvery: 8, checkpointEvery: 10, valWindows: 4 },
    budget: { steps: STEPS },
    backend,
  };
}

async function setBackend(dir: string, backend: RunSpec['backend']): Promise<void> {
  writeFileSync(runFiles(dir).spec, JSON.stringify({ ...(await readRunSpec(dir)), backend }, null, 2) + '\n');
}

/** The metrics of `got` are those of the CPU run `ref`: the same records, losses within the WebGPU tolerance. */
function sameCurve(got: MetricRecord[], ref: MetricRecord[], what: string): void {
  assert.deepEqual(
    got.map((m) => m.step),
    ref.map((m) => m.step),
    `${what}: one record per logged step`,
  );
  for (const key of ['trainBits', 'valBits'] as const) {
    const pairs = ref.map((m, i) => [got[i][key], m[key]]).filter(([, r]) => r !== undefined) as [number, number][];
    assert.ok(pairs.length >= 3, `${what}: ${key} recorded`);
    assertClose(
      pairs.map(([g]) => g),
      pairs.map(([, r]) => r),
      TOLERANCE.logitsWebgpu,
      `${what}: ${key} against the CPU trainer`,
    );
  }
}

let cpuCurve: MetricRecord[];
before(async () => {
  const dir = join(tempDir('webview-train'), 'cpu');
  await createRun(dir, spec('cpu', 'cpu'));
  assert.equal((await runSession(dir, { threads: 1 })).state, 'finished');
  cpuCurve = await readMetrics(dir);
});

test('in this process (the path of the CLI: one submit per step, losses read back when logged): the CPU curve', async () => {
  const dir = join(tempDir('webview-train'), 'dawn');
  await createRun(dir, spec('dawn', 'webgpu'));
  const lines: string[] = [];
  assert.equal((await runSession(dir, { onLog: (l) => lines.push(l) })).state, 'finished');
  assert.match(lines[0], /^dawn: webgpu: WebGPU on /);
  sameCurve(await readMetrics(dir), cpuCurve, 'Dawn run');
});

test('parameters and AdamW moments go to the page trainer and come back in chunks, bit for bit', async () => {
  const cfg = modelConfig({ dModel: 512, nLayer: 2, dState: 16 }, 16);
  const size = paramCount(paramSpecs(cfg));
  assert.ok(size > MAX_TRAIN_CHUNK_VALUES, `${size} parameters span more than one chunk of ${MAX_TRAIN_CHUNK_VALUES}`);
  const page = onPage(gpu);
  try {
    const engine = await page.stepEngines('webgpu', cfg, 1, 3, DEFAULT_ADAMW);
    assert.match(engine.description, /^webgpu in the engine view: WebGPU on /);
    const state = { params: uniform(size), m: uniform(size), v: uniform(size, 0, 1), t: 17 };
    await engine.setState(state);
    assert.deepEqual(await engine.snapshot(), state);
    assert.deepEqual(await engine.params(), state.params);
    await engine.dispose();
    assert.equal(page.trainer.open, 0, 'closed on the page');
    await assert.rejects(engine.params(), /no trainer 1 on the engine page/);
  } finally {
    await page.close();
  }
});

test('started on the CPU, resumed on the page, interrupted when the view goes away, resumed on a new page: the CPU curve', async () => {
  const dir = join(tempDir('webview-train'), 'moved');
  await createRun(dir, spec('moved', 'cpu'));
  const stop = new AbortController();
  const first = await runSession(dir, {
    threads: 1,
    signal: stop.signal,
    onProgress: (p) => {
      if (p.step >= 10) stop.abort();
    },
  });
  assert.deepEqual([first.state, first.step], ['cancelled', 10]);

  await setBackend(dir, 'webgpu');
  const page = onPage(gpu);
  const lines: string[] = [];
  const second = await runSession(dir, {
    stepEngines: page.stepEngines,
    onLog: (l) => lines.push(l),
    onProgress: (p) => {
      if (p.step >= 14) void page.close();
    },
  });
  await page.close();
  assert.equal(second.state, 'interrupted');
  assert.equal(second.step, 10, 'interrupted at the checkpoint it resumes from');
  assert.match(second.message ?? '', /engine view was closed at step 1\d; it resumes from the checkpoint at step 10/);
  assert.ok(
    lines.some((l) => l.includes('webgpu in the engine view: WebGPU on')),
    lines.join('\n'),
  );
  const status = await readStatus(dir);
  assert.deepEqual([status?.state, status?.step], ['interrupted', 10]);
  assert.equal(
    (await loadModelDir((await latestCheckpointDir(dir))!)).config.hiddenSize,
    8,
    'the last checkpoint loads',
  );

  const again = onPage(gpu);
  try {
    const third = await runSession(dir, { stepEngines: again.stepEngines });
    assert.deepEqual([third.state, third.step], ['finished', STEPS]);
  } finally {
    await again.close();
  }
  sameCurve(await readMetrics(dir), cpuCurve, 'cpu -> page -> page');
});

test('the page loses its device mid-run: interrupted at the last checkpoint, resumed on the CPU it continues the curve', async () => {
  const own = await openWebGpu();
  const dir = join(tempDir('webview-train'), 'lost');
  await createRun(dir, spec('lost', 'webgpu'));
  const page = onPage(own);
  try {
    const first = await runSession(dir, {
      stepEngines: page.stepEngines,
      onProgress: (p) => {
        if (p.step >= 12) own.gpuDevice.destroy();
      },
    });
    assert.deepEqual([first.state, first.step], ['interrupted', 10]);
    assert.match(first.message ?? '', /WebGPU device/);
    assert.equal(page.trainer.open, 0, 'the page dropped the lost trainer');
  } finally {
    await page.close();
    own.dispose();
  }
  await setBackend(dir, 'cpu');
  const second = await runSession(dir, { threads: 1 });
  assert.deepEqual([second.state, second.step], ['finished', STEPS]);
  sameCurve(await readMetrics(dir), cpuCurve, 'page -> cpu');
});
