// Training inside a real VS Code extension host: a run created in the workspace's .seqlab/runs is
// started by the Runs view's Resume command, trains in the extension's worker thread
// (dist/train-worker.js) while the host stays responsive, opens its live pane, and leaves a
// loadable checkpoint and a finished status.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadModelDir } from '../../../extension/core/models/load-model';
import { latestCheckpointDir } from '../../../extension/core/runs/checkpoint';
import { parseRange } from '../../../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../../../extension/core/runs/presets';
import { readMetrics, readStatus, RUNS_DIR } from '../../../extension/core/runs/run-dir';
import { createRun } from '../../../extension/core/runs/train-session';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// Long enough (about 150k tokens) that the run spans many polls even on a fast machine.
const STEPS = 300;

describe('training', () => {
  it('Resume in the Runs view trains a run to its budget in the worker thread', async () => {
    const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const dir = join(ws, RUNS_DIR, `it-${Date.now()}`);
    await createRun(dir, {
      name: dir.split(/[\\/]/).pop() as string,
      data: [join(ws, 'lambda_virus.fa')],
      range: parseRange('0%-80%'),
      size: { dModel: 8, nLayer: 1, dState: 4 },
      hyper: { ...DEFAULT_HYPER, batch: 4, length: 128, evalEvery: 100, checkpointEvery: 100, valWindows: 4 },
      budget: { steps: STEPS },
      backend: 'cpu',
    });
    await vscode.commands.executeCommand('seqlab.runs.resume', { dir });
    // The host's event loop keeps turning while the worker trains: no gap between our polls
    // comes near the seconds the run takes (a trainer on the host thread would stall them).
    const t0 = Date.now();
    let last = t0,
      maxGap = 0;
    while ((await readStatus(dir))?.state !== 'finished') {
      assert.ok(Date.now() - t0 < 100_000, `run did not finish: ${JSON.stringify(await readStatus(dir))}`);
      await sleep(50);
      maxGap = Math.max(maxGap, Date.now() - last);
      last = Date.now();
    }
    const took = Date.now() - t0;
    assert.ok(took > 4 * maxGap && maxGap < 1500, `the extension host stalled for ${maxGap} ms of a ${took} ms run`);
    const steps = (await readMetrics(dir)).map((m) => m.step);
    assert.equal(steps[steps.length - 1], STEPS);
    const model = await loadModelDir((await latestCheckpointDir(dir)) as string);
    assert.equal(model.config.vocabSize, 16);
  });
});
