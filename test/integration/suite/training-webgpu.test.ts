// Training on the engine webview's GPU inside a real VS Code: a run with backend
// 'webgpu' on the lambda genome, started by the Runs view's Resume command, sends its steps from
// its worker thread through the host to the WebGPU trainer on the engine page (SwiftShader in this
// headless chromium). Its metrics.jsonl grows while the host stays responsive; its losses follow a
// CPU run of the same seed and windows within the WebGPU tolerance; it keeps training with the
// engine view's panel closed (the view keeps its context when hidden); Cancel stops it at a
// checkpoint and Resume carries it to its budget on one curve.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { latestCheckpointDir } from '../../../extension/core/runs/checkpoint';
import { parseRange } from '../../../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../../../extension/core/runs/presets';
import {
  readMetrics,
  readStatus,
  RUNS_DIR,
  type MetricRecord,
  type RunSpec,
  type RunState,
} from '../../../extension/core/runs/run-dir';
import { createRun } from '../../../extension/core/runs/train-session';
import { TOLERANCE, assertClose } from '../../support/tolerance';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const STEPS = 100;
const COMPARED_STEPS = 30;

function spec(name: string, data: string, backend: RunSpec['backend']): RunSpec {
  return {
    name,
    data: [data],
    range: parseRange('0%-80%'),
    size: { dModel: 8, nLayer: 1, dState: 4 },
    hyper: {
      ...DEFAULT_HYPER,
      batch: 2,
      length: 64,
      warmupSteps: 5,
      evalEvery: 10,
      checkpointEvery: 10,
      valWindows: 4,
    },
    budget: { steps: STEPS },
    backend,
  };
}

async function newRun(backend: RunSpec['backend']): Promise<string> {
  const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const name = `it-${backend}-${Date.now()}`;
  const dir = join(ws, RUNS_DIR, name);
  await createRun(dir, spec(name, join(ws, 'lambda_virus.fa'), backend));
  return dir;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    assert.ok(Date.now() - t0 < timeoutMs, `${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The run's status once it is `state`; a run that failed or was interrupted on the way fails the test with its message. */
const stateIs = (dir: string, state: RunState) => async () => {
  const s = await readStatus(dir);
  if (s?.state === state) return true;
  assert.ok(s?.state !== 'failed' && s?.state !== 'interrupted', `run ${dir} stopped: ${JSON.stringify(s)}`);
  return undefined;
};

/** Resolves once metrics.jsonl holds a record at or past `step`. */
const logged =
  (dir: string, step: number, onRead: (records: MetricRecord[]) => void = () => undefined) =>
  async () => {
    await stateIs(dir, 'running')();
    const m = await readMetrics(dir);
    onRead(m);
    return m.some((r) => r.step >= step) ? true : undefined;
  };

describe('training on the engine webview GPU', () => {
  it('a webgpu run trains on the engine page, follows the CPU curve, cancels at a checkpoint and resumes to its budget', async function () {
    this.timeout(600_000); // SwiftShader's WebGPU trains slowly
    const cpu = await newRun('cpu');
    await vscode.commands.executeCommand('seqlab.runs.resume', { dir: cpu });
    await until('the CPU run finishes', 120_000, stateIs(cpu, 'finished'));
    const ref = await readMetrics(cpu);

    const dir = await newRun('webgpu');
    await vscode.commands.executeCommand('seqlab.runs.resume', { dir });
    // metrics.jsonl grows while the steps run on the page; the host's event loop keeps turning.
    let last = Date.now(),
      maxGap = 0;
    const sizes: number[] = [];
    await until(
      'the webgpu run logs step 20',
      240_000,
      logged(dir, 20, (m) => {
        maxGap = Math.max(maxGap, Date.now() - last);
        last = Date.now();
        if (sizes[sizes.length - 1] !== m.length) sizes.push(m.length);
      }),
    );
    assert.ok(sizes.length >= 3, `metrics.jsonl grew record by record: ${sizes.join(', ')}`);
    assert.ok(maxGap < 1500, `the extension host stalled for ${maxGap} ms`);
    assert.equal((await readStatus(dir))?.state, 'running');
    console.log('[seqlab] screenshot training-webgpu-pane');
    await sleep(3000); // run.mjs takes the screenshot of the live pane
    await vscode.commands.executeCommand('workbench.action.closePanel');
    const hiddenStep = (await readMetrics(dir)).slice(-1)[0].step;
    await until('two more records with the engine view hidden', 120_000, logged(dir, hiddenStep + 20));
    assert.ok(hiddenStep + 20 < STEPS, 'the run is still short of its budget');

    await vscode.commands.executeCommand('seqlab.runs.cancel', { dir });
    await until('the run is cancelled', 60_000, stateIs(dir, 'cancelled'));
    const stopped = (await readStatus(dir))!.step;
    assert.ok(stopped >= 20 && stopped < STEPS, `cancelled at step ${stopped}`);
    const checkpoint = (await latestCheckpointDir(dir))!;
    const training = JSON.parse(await readFile(join(checkpoint, 'training.json'), 'utf8')) as {
      step: number;
      backend: string;
    };
    assert.equal(training.step, stopped, 'the cancel wrote a checkpoint at the step it stopped');
    assert.match(training.backend, /^webgpu in the engine view: WebGPU on /, 'the steps ran on the engine page');
    console.log(`[seqlab] webgpu run: cancelled at step ${stopped} on "${training.backend}"`);

    await vscode.commands.executeCommand('seqlab.runs.resume', { dir });
    await until('the resumed run finishes', 300_000, stateIs(dir, 'finished'));
    const got = await readMetrics(dir);
    assert.deepEqual(
      got.map((m) => m.step),
      ref.map((m) => m.step),
      'one record per logged step across cancel and resume',
    );
    // trainBits is a mean since the last record, so the first one after the resume covers fewer steps than the CPU run's.
    const upTo = { trainBits: Math.min(stopped, COMPARED_STEPS), valBits: COMPARED_STEPS };
    const first = (ms: MetricRecord[], key: 'trainBits' | 'valBits') =>
      ms.filter((m) => m.step <= upTo[key] && m[key] !== undefined).map((m) => m[key] as number);
    for (const key of ['trainBits', 'valBits'] as const) {
      assert.ok(first(ref, key).length >= 2, `${key} logged`);
      const r = assertClose(
        first(got, key),
        first(ref, key),
        TOLERANCE.logitsWebgpu,
        `${key} up to step ${upTo[key]}, engine page vs CPU worker`,
      );
      console.log(`[seqlab] webgpu vs cpu ${key} up to step ${upTo[key]}: max abs err ${r.maxAbs.toExponential(2)}`);
    }
    const tokensPerSec = got.filter((m) => m.tokensPerSec !== undefined).map((m) => m.tokensPerSec as number);
    console.log(
      `[seqlab] webgpu run: ${tokensPerSec.join(', ')} tokens/s; cpu run: ${ref
        .filter((m) => m.tokensPerSec)
        .map((m) => m.tokensPerSec)
        .join(', ')} tokens/s`,
    );
  });
});
