// Runs inside a real VS Code extension host (the VS Code server here, @vscode/test-electron where a
// desktop build can be downloaded), on the workspace run.mjs prepares: the lambda phage genome,
// a spoken WAV, the HF reference model. Opens notebooks, runs analysis cells through VS Code's own
// execute command and checks what lands in the outputs, including the model's surprisal against
// the CPU engine run here in the host.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CpuBackend } from '../../../kernels/cpu-backend';
import { scoreStream } from '../../../kernels/model/stream';
import { uploadMambaModel } from '../../../kernels/model/weights';
import { DnaTokenizer } from '../../../extension/datasets/dna-tokenizer';
import { IndexedFasta } from '../../../extension/datasets/fasta-index';
import { loadModelDir } from '../../../extension/models/load-model';
import { writeNotebook } from '../../../extension/notebook/notebook-format';
import { decodeOutput, encodeOutput } from '../../../extension/notebook/track-codec';
import { ANALYSIS_MIME, NOTEBOOK_TYPE, SUMMARY_MIME, type AudioAnalysisSummary, type DnaAnalysisSummary, type OutputSummary } from '../../../extension/protocol';
import { TOLERANCE, assertClose } from '../../support/tolerance';

const ws = (): vscode.Uri => vscode.workspace.workspaceFolders![0].uri;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function finished(cell: vscode.NotebookCell, timeoutMs = 100_000): Promise<void> {
  const t0 = Date.now();
  while (cell.executionSummary?.success === undefined) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`cell ${cell.index} did not finish in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The text of a cell's outputs; error items (JSON {name, message, stack}) as their message. */
function errorText(cell: vscode.NotebookCell): string {
  return cell.outputs.flatMap((o) => o.items).map((i) => {
    const text = new TextDecoder().decode(i.data);
    return i.mime === 'application/vnd.code.notebook.error' ? (JSON.parse(text) as { message: string }).message : text;
  }).join('\n');
}

function outputOf(cell: vscode.NotebookCell): ReturnType<typeof decodeOutput> {
  assert.equal(cell.executionSummary?.success, true, `cell failed: ${errorText(cell)}`);
  const item = cell.outputs[0]?.items.find((i) => i.mime === ANALYSIS_MIME);
  assert.ok(item, 'the cell has an analysis output');
  const decoded = decodeOutput(item.data);
  const json = cell.outputs[0].items.find((i) => i.mime === SUMMARY_MIME);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(json!.data)), decoded.summary, 'the JSON item is the summary');
  return decoded;
}

async function runSpec(source: string): Promise<vscode.NotebookCell> {
  const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, 'yaml')]));
  await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: doc.uri });
  await finished(doc.cellAt(0));
  return doc.cellAt(0);
}

describe('Mamba SeqLab in VS Code', () => {
  before(async () => {
    await vscode.workspace.getConfiguration('seqlab').update('defaultDnaModel', join(ws().fsPath, 'models', 'hf-mamba-dna'), vscode.ConfigurationTarget.Global);
  });

  it('activates on a .seqlab notebook and registers its commands', async () => {
    const ext = vscode.extensions.getExtension('mamba-seqlab.mamba-seqlab');
    assert.ok(ext, 'extension present');
    await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([]));
    for (let i = 0; i < 100 && !ext.isActive; i++) await sleep(100);
    assert.ok(ext.isActive, 'activated by onNotebook');
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['seqlab.analyzeFile', 'seqlab.newNotebook', 'seqlab.showStats', 'seqlab.datasets.refresh', 'seqlab.models.refresh']) assert.ok(commands.includes(c), c);
  });

  it('a saved .seqlab file reopens with its outputs, without running anything', async () => {
    const summary: OutputSummary = {
      schema: 1, id: 'saved-run', kind: 'dna-analysis', file: 'x.fa', model: null, engine: null, timings: { readMs: 1, loadModelMs: 0, computeMs: 0, totalMs: 1 },
      tracks: [{ block: 'g', record: 0, kind: 'gc', label: 'GC', unit: '%', start: 0, binSize: 100, length: 3, rows: 1, rowLabels: [] }],
      intervals: [], notes: ['<img src=x onerror=alert(1)>'],
      records: [{ index: 0, name: 'r', description: '', length: 250, start: 0, end: 250, gcPercent: 40, nCount: 0, softMaskedCount: 0, bitsPerBase: null, bitsPerBaseReverse: null }],
    };
    const blocks = new Map([['g', new Float32Array([40, 45.5, Number.NaN])]]);
    const uri = vscode.Uri.joinPath(ws(), 'saved.seqlab');
    await vscode.workspace.fs.writeFile(uri, writeNotebook({ metadata: undefined, cells: [{ kind: 'code', language: 'yaml', source: 'analyze: x.fa\n', run: { order: 1, success: true, startTime: 1, endTime: 2 }, metadata: undefined,
      outputs: [{ metadata: undefined, items: [{ mime: ANALYSIS_MIME, data: encodeOutput(summary, blocks) }, { mime: SUMMARY_MIME, data: new TextEncoder().encode(JSON.stringify(summary)) }] }] }] }));
    const doc = await vscode.workspace.openNotebookDocument(uri);
    assert.equal(doc.notebookType, NOTEBOOK_TYPE);
    const cell = doc.cellAt(0);
    assert.equal(cell.executionSummary?.executionOrder, 1);
    const got = outputOf(cell);
    assert.deepEqual(got.summary, summary);
    assert.deepEqual(got.blocks.get('g'), blocks.get('g'));
  });

  it('Analyze on lambda_virus.fa appends a cell, runs the model in the engine webview and stores tracks that match the CPU engine', async () => {
    const fa = vscode.Uri.joinPath(ws(), 'lambda_virus.fa');
    const t0 = Date.now();
    const cell = await vscode.commands.executeCommand<vscode.NotebookCell>('seqlab.analyzeFile', fa);
    assert.ok(cell, 'the command returns the new cell');
    assert.match(cell.document.getText(), /^analyze: lambda_virus\.fa$/m);
    await finished(cell);
    const { summary, blocks } = outputOf(cell);
    console.log(`lambda analysis: ${Date.now() - t0} ms; engine ${JSON.stringify(summary.engine)}; timings ${JSON.stringify(summary.timings)}`);
    assert.equal(summary.kind, 'dna-analysis');
    const s = summary as DnaAnalysisSummary;
    const rec = s.records[0];
    assert.equal(rec.length, 48502);
    assert.ok(Math.abs(rec.gcPercent - 49.86) < 0.01, `GC ${rec.gcPercent}`);
    assert.ok(s.notes.includes('model is untrained: numbers are not meaningful'), s.notes.join('; '));
    assert.ok(s.engine && ['webgpu', 'cpu'].includes(s.engine.backend) && s.engine.tokensPerSecond > 0, JSON.stringify(s.engine));
    const surprisalTrack = s.tracks.find((t) => t.kind === 'surprisal')!;
    assert.equal(surprisalTrack.length, 48502);
    const deltaTrack = s.tracks.find((t) => t.kind === 'delta')!;
    assert.equal(deltaTrack.rows, 2);
    const surprisal = blocks.get(surprisalTrack.block) as Float32Array;
    assert.ok(Number.isNaN(surprisal[0]), 'nothing predicts the first base');

    // The same model on the CPU engine, here in the extension host, over the first 2000 bases.
    const n = 2000;
    const fasta = await IndexedFasta.open(fa.fsPath);
    const tokens = DnaTokenizer.default().encode(await fasta.readBases(0, 0, n));
    await fasta.close();
    const dir = join(ws().fsPath, 'models', 'hf-mamba-dna');
    const loaded = await loadModelDir(dir);
    const backend = new CpuBackend();
    const model = uploadMambaModel(backend, loaded.config, loaded.params);
    const ref = new Float32Array(n);
    await scoreStream(backend, model, [[tokens]], (r) => { ref.set(r.surprisal, r.start); });
    backend.dispose();
    const tol = s.engine!.backend === 'webgpu' ? TOLERANCE.logitsWebgpu : TOLERANCE.logitsCpu;
    assertClose(surprisal.subarray(1, n), ref.subarray(1, n), tol, `surprisal (${s.engine!.backend}) vs CPU engine`);
    assert.ok(rec.bitsPerBase !== null && rec.bitsPerBase > 0 && rec.bitsPerBase < 16, `bits/base ${rec.bitsPerBase}`);
  });

  it('analyzes a WAV: format, span and the mono samples', async () => {
    const cell = await runSpec('analyze: speech.wav\n');
    const { summary, blocks } = outputOf(cell);
    assert.equal(summary.kind, 'audio-analysis');
    const a = (summary as AudioAnalysisSummary).audio;
    assert.equal(a.sampleRate, 22050);
    assert.equal(a.channels, 1);
    assert.ok(a.durationS > 0.5 && a.durationS < 10, `duration ${a.durationS}`);
    const samples = blocks.get('samples') as Float32Array;
    assert.equal(samples.length, Math.round(a.durationS * a.sampleRate));
    let peak = 0;
    for (const v of samples) peak = Math.max(peak, Math.abs(v));
    assert.ok(peak > 0.05 && peak <= 1, `peak ${peak}`);
  });

  it('a spec with a typo fails with an error output naming the line', async () => {
    const cell = await runSpec('analyze: lambda_virus.fa\nwindw: 50\n');
    assert.equal(cell.executionSummary?.success, false);
    assert.match(errorText(cell), /cell spec line 2: unknown key "windw"/);
  });

  it('a missing file fails naming the file', async () => {
    const cell = await runSpec('analyze: nowhere/missing.fa\n');
    assert.equal(cell.executionSummary?.success, false);
    assert.match(errorText(cell), /file "nowhere\/missing\.fa" not found/);
  });
});
