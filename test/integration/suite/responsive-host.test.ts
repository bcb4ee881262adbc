// The extension host's event loop keeps turning while the heavy things a user can start at once run
// on it: a 201 MB FASTA of 100,000 records indexed (the Datasets view's counts), a 106 MB model
// loaded for an analysis cell, and a run whose metrics.jsonl is 69 MB listed in the Runs view and
// drawn in its training pane. A 5 ms timer (test/support/stall-probe.ts) measures the longest
// stall; the extension host's own CPU time between two turns must stay under 50 ms (its wall time
// also counts the operating system parking the thread, which on a busy machine says nothing about
// this code). The files are made by another process (responsive-fixtures.ts), so that collecting
// their garbage is not measured. The figures, each part's time span and every gap over 20 ms (with
// its garbage collection) are printed, so that a stall can be put on a part.
// Not in the default tier: on the 2-core development machine the host's longest CPU stall here was
// 99.6, 46.7 and 101.4 ms in three runs; the 101.4 ms one, profiled, holds no JavaScript and no
// garbage collection (outside V8: not yet put on a cause), the rest are GC pauses beside the upload
// (up to 47 ms) and VS Code's own port scan spawning processes (bench/RESULTS-upload.md). Run it
// by name: SEQLAB_TEST_GREP=responsive node test/integration/run.mjs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { parseRange } from '../../../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../../../extension/core/runs/presets';
import { runFiles, RUNS_DIR } from '../../../extension/core/runs/run-dir';
import { RunManager } from '../../../extension/core/runs/run-manager';
import { createRun } from '../../../extension/core/runs/train-session';
import type { SeqlabApi } from '../../../extension/host/extension';
import { NOTEBOOK_TYPE, SUMMARY_MIME, type OutputSummary } from '../../../protocol/notebook-output';
import { gapsText, StallProbe, stallText } from '../../support/stall-probe';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** How long the pane is given to read its run's metrics after it opens (it answers nothing the test can await). */
const PANE_MS = 10_000;

const selected = /responsive/.test(process.env.SEQLAB_TEST_GREP ?? '');

(selected ? describe : describe.skip)('a responsive extension host', function () {
  this.timeout(600_000);
  const ws = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const folder = (): string => join(ws(), 'responsive');
  const runDir = (): string => join(ws(), RUNS_DIR, 'responsive-long');
  after(() => {
    for (const d of [folder(), runDir()]) rmSync(d, { recursive: true, force: true });
  });

  it('indexes a 201 MB FASTA, loads a 106 MB model for a cell and shows a 69 MB metrics.jsonl, never stalling 50 ms', async () => {
    mkdirSync(folder(), { recursive: true });
    const fasta = join(folder(), 'big.fa');
    await createRun(runDir(), {
      name: 'responsive-long',
      data: [fasta],
      range: parseRange('0%-80%'),
      size: { dModel: 8, nLayer: 1, dState: 4 },
      hyper: DEFAULT_HYPER,
      budget: { steps: 100_000_000 },
      backend: 'cpu',
    });
    const fixtures = join(__dirname, '..', 'responsive-fixtures.js');
    const made = await promisify(execFile)(
      process.execPath,
      [fixtures, fasta, join(folder(), 'model'), runFiles(runDir()).metrics],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
    );
    const { fastaBytes, metricsBytes } = JSON.parse(made.stdout) as { fastaBytes: number; metricsBytes: number };
    const api = await vscode.extensions.getExtension<SeqlabApi>('mamba-seqlab.mamba-seqlab')!.activate();
    const item = (await api.datasets.getChildren()).find((i) => i.uri.fsPath === fasta);
    assert.ok(item, 'the Datasets view lists big.fa');
    const doc = await vscode.workspace.openNotebookDocument(
      NOTEBOOK_TYPE,
      new vscode.NotebookData([
        new vscode.NotebookCellData(
          vscode.NotebookCellKind.Code,
          'analyze: lambda_virus.fa\nmodel: responsive/model\nregion: gi|9626243|ref|NC_001416.1|:1-64\nbackend: cpu\n',
          'yaml',
        ),
      ]),
    );
    await vscode.window.showNotebookDocument(doc);

    const probe = new StallProbe();
    const spans: string[] = [];
    const span = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
      const t0 = probe.now();
      const out = await work();
      spans.push(`${what}: ${t0.toFixed(0)}-${probe.now().toFixed(0)} ms`);
      return out;
    };
    const [tooltip] = await Promise.all([
      span('big.fa indexed for the Datasets view', async () =>
        String((await api.datasets.resolveTreeItem(new vscode.TreeItem('big.fa'), item)).tooltip),
      ),
      span('analysis cell with the 106 MB model', async () => {
        await vscode.commands.executeCommand('notebook.cell.execute', {
          ranges: [{ start: 0, end: 1 }],
          document: doc.uri,
        });
        while (doc.cellAt(0).executionSummary?.success === undefined) await sleep(100);
      }),
      span('Runs view', async () => {
        await vscode.commands.executeCommand('seqlab.runs.focus');
        await vscode.commands.executeCommand('seqlab.runs.refresh');
        return new RunManager('unused.js').list(ws());
      }),
      span('training pane', async () => {
        await vscode.commands.executeCommand('seqlab.runs.open', { dir: runDir() });
        await sleep(PANE_MS);
      }),
    ]);
    const stalls = await probe.stop();
    const cell = doc.cellAt(0);
    const summaryItem = cell.outputs[0]?.items.find((i) => i.mime === SUMMARY_MIME);
    const summary = summaryItem && (JSON.parse(new TextDecoder().decode(summaryItem.data)) as OutputSummary);
    // `[seqlab]` lines are what test/integration/run.mjs prints (each cut at 400 characters; all in the console log).
    console.log(
      `[seqlab] responsive host: ${stallText(stalls)} (at ${stalls.busyAtMs?.toFixed(0)} ms); ` +
        `${(fastaBytes / 1e6).toFixed(0)} MB FASTA, ${(metricsBytes / 1e6).toFixed(0)} MB metrics.jsonl; ${spans.join('; ')}`,
    );
    console.log(`[seqlab] responsive host: cell timings ${JSON.stringify(summary?.timings)}`);
    console.log(`[seqlab] responsive host: gaps over 20 ms (ended at ms: wall/CPU/GC ms) ${gapsText(stalls)}`);
    assert.equal(cell.executionSummary?.success, true, 'the cell ran');
    assert.equal(summary?.model?.name, 'model');
    assert.match(tooltip, /\n100000 records · 200000000 bases$/);
    assert.ok((stalls.busyMs ?? stalls.wallMs) < 50, `${stallText(stalls)}; gaps ${gapsText(stalls, 50)}`);
  });
});
