// Runs inside a real VS Code extension host (the VS Code server here, @vscode/test-electron where a
// desktop build can be downloaded), on the workspace run.mjs prepares: the lambda phage genome,
// a spoken WAV, the HF reference model, and a random audio model written here. Opens notebooks,
// runs analysis cells through VS Code's own execute command and checks what lands in the outputs,
// including the model's surprisal against the CPU engine run here in the host. The whole genome
// runs on the engine webview's CPU worker (seqlab.backend cpu: SwiftShader's WebGPU, a software
// fallback adapter, scores about 10x slower here); a region of it runs on WebGPU.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CpuBackend } from '../../../kernels/cpu-backend';
import { generate } from '../../../kernels/model/generate';
import { scoreStream } from '../../../kernels/model/stream';
import { tokenBatch } from '../../../kernels/model/token-ids';
import { mulawDecode, mulawEncode } from '../../../extension/core/datasets/mulaw';
import { resample } from '../../../extension/core/datasets/resample';
import { WavReader } from '../../../extension/core/datasets/wav';
import { uploadMambaModel } from '../../../kernels/model/weights';
import { DnaTokenizer } from '../../../extension/core/datasets/dna-tokenizer';
import { IndexedFasta } from '../../../extension/core/datasets/fasta-index';
import { loadModelDir } from '../../../extension/core/models/load-model';
import { writeNotebook } from '../../../extension/core/notebook/notebook-format';
import { encodeOutput } from '../../../protocol/track-codec';
import {
  ANALYSIS_MIME,
  NOTEBOOK_TYPE,
  SUMMARY_MIME,
  type AudioAnalysisSummary,
  type DnaAnalysisSummary,
  type GenerationSummary,
  type OutputSummary,
} from '../../../protocol/notebook-output';
import { writeRandomAudioModel } from '../../support/random-audio-model';
import { outputOf } from '../../support/notebook-cells';
import { TOLERANCE, assertClose, type Tolerance } from '../../support/tolerance';
import type { SeqlabApi } from '../../../extension/host/extension';

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
  return cell.outputs
    .flatMap((o) => o.items)
    .map((i) => {
      const text = new TextDecoder().decode(i.data);
      return i.mime === 'application/vnd.code.notebook.error'
        ? (JSON.parse(text) as { message: string }).message
        : text;
    })
    .join('\n');
}

async function runSpec(source: string): Promise<vscode.NotebookCell> {
  const doc = await vscode.workspace.openNotebookDocument(
    NOTEBOOK_TYPE,
    new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, 'yaml')]),
  );
  await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: doc.uri });
  await finished(doc.cellAt(0));
  return doc.cellAt(0);
}

/** Per-position surprisal of `tokens` under the model in `dir`, from the CPU engine run here in the host. */
async function cpuSurprisal(dir: string, tokens: Int32Array): Promise<Float32Array> {
  const loaded = await loadModelDir(dir);
  const backend = new CpuBackend();
  try {
    const model = uploadMambaModel(backend, loaded.config, loaded.params);
    const ref = new Float32Array(tokens.length);
    await scoreStream(backend, model, [[tokens]], (r) => {
      ref.set(r.surprisal, r.start);
    });
    return ref;
  } finally {
    backend.dispose();
  }
}

/** The tokens the engine's generate() samples after `prompt` on the CPU, run here in the host. */
async function cpuGenerate(
  dir: string,
  prompt: Int32Array,
  steps: number,
  temperature: number,
  topK: number,
  seed: number,
): Promise<number[]> {
  const loaded = await loadModelDir(dir);
  const backend = new CpuBackend();
  try {
    const model = uploadMambaModel(backend, loaded.config, loaded.params);
    const r = await generate(backend, model, tokenBatch([prompt], loaded.config.vocabSize, 'prompt'), {
      tokens: steps,
      temperature,
      topK,
      seed,
    });
    return r.tokens[0];
  } finally {
    backend.dispose();
  }
}

const tolerance = (backend: string): Tolerance => (backend === 'webgpu' ? TOLERANCE.logitsWebgpu : TOLERANCE.logitsCpu);
const DNA_MODEL = (): string => join(ws().fsPath, 'models', 'hf-mamba-dna');
const AUDIO_MODEL = (): string => join(ws().fsPath, 'models', 'random-audio');

describe('Mamba SeqLab in VS Code', () => {
  before(async () => {
    await writeRandomAudioModel(AUDIO_MODEL());
    const settings = vscode.workspace.getConfiguration('seqlab');
    await settings.update('defaultDnaModel', DNA_MODEL(), vscode.ConfigurationTarget.Global);
    await settings.update('defaultAudioModel', AUDIO_MODEL(), vscode.ConfigurationTarget.Global);
    await settings.update('backend', 'cpu', vscode.ConfigurationTarget.Global);
  });

  it('activates on a .seqlab notebook and registers its commands', async () => {
    const ext = vscode.extensions.getExtension('mamba-seqlab.mamba-seqlab');
    assert.ok(ext, 'extension present');
    await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([]));
    for (let i = 0; i < 100 && !ext.isActive; i++) await sleep(100);
    assert.ok(ext.isActive, 'activated by onNotebook');
    const commands = await vscode.commands.getCommands(true);
    for (const c of [
      'seqlab.analyzeFile',
      'seqlab.newNotebook',
      'seqlab.showStats',
      'seqlab.datasets.refresh',
      'seqlab.models.refresh',
    ])
      assert.ok(commands.includes(c), c);
  });

  it('a saved .seqlab file reopens with its outputs, without running anything', async () => {
    const summary: OutputSummary = {
      schema: 1,
      id: 'saved-run',
      kind: 'dna-analysis',
      file: 'x.fa',
      model: null,
      engine: null,
      timings: { readMs: 1, loadModelMs: 0, computeMs: 0, totalMs: 1 },
      tracks: [
        {
          block: 'g',
          record: 0,
          kind: 'gc',
          label: 'GC',
          unit: '%',
          start: 0,
          binSize: 100,
          length: 3,
          rows: 1,
          rowLabels: [],
        },
      ],
      intervals: [],
      notes: ['<img src=x onerror=alert(1)>'],
      records: [
        {
          index: 0,
          name: 'r',
          description: '',
          length: 250,
          start: 0,
          end: 250,
          gcPercent: 40,
          nCount: 0,
          softMaskedCount: 0,
          bitsPerBase: null,
          bitsPerBaseReverse: null,
        },
      ],
    };
    const blocks = new Map([['g', new Float32Array([40, 45.5, Number.NaN])]]);
    const uri = vscode.Uri.joinPath(ws(), 'saved.seqlab');
    await vscode.workspace.fs.writeFile(
      uri,
      writeNotebook({
        metadata: undefined,
        cells: [
          {
            kind: 'code',
            language: 'yaml',
            source: 'analyze: x.fa\n',
            run: { order: 1, success: true, startTime: 1, endTime: 2 },
            metadata: undefined,
            outputs: [
              {
                metadata: undefined,
                items: [
                  { mime: ANALYSIS_MIME, data: encodeOutput(summary, blocks) },
                  { mime: SUMMARY_MIME, data: new TextEncoder().encode(JSON.stringify(summary)) },
                ],
              },
            ],
          },
        ],
      }),
    );
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
    console.log(
      `lambda analysis: ${Date.now() - t0} ms; engine ${JSON.stringify(summary.engine)}; timings ${JSON.stringify(summary.timings)}`,
    );
    assert.equal(summary.kind, 'dna-analysis');
    const s = summary as DnaAnalysisSummary;
    const rec = s.records[0];
    assert.equal(rec.length, 48502);
    assert.ok(Math.abs(rec.gcPercent - 49.86) < 0.01, `GC ${rec.gcPercent}`);
    assert.ok(s.notes.includes('model is untrained: numbers are not meaningful'), s.notes.join('; '));
    assert.ok(
      s.engine && ['webgpu', 'cpu'].includes(s.engine.backend) && s.engine.tokensPerSecond > 0,
      JSON.stringify(s.engine),
    );
    const surprisalTrack = s.tracks.find((t) => t.kind === 'surprisal')!;
    assert.equal(surprisalTrack.length, 48502);
    const deltaTrack = s.tracks.find((t) => t.kind === 'delta')!;
    assert.equal(deltaTrack.rows, 2);
    const surprisal = blocks.get(surprisalTrack.block) as Float32Array;
    assert.ok(Number.isNaN(surprisal[0]), 'nothing predicts the first base');

    assert.equal(s.engine!.backend, 'cpu', 'seqlab.backend cpu');
    // The same model on the CPU engine, here in the extension host, over the first 2000 bases.
    const n = 2000;
    const fasta = await IndexedFasta.open(fa.fsPath);
    const tokens = DnaTokenizer.default().encode(await fasta.readBases(0, 0, n));
    await fasta.close();
    const ref = await cpuSurprisal(DNA_MODEL(), tokens);
    assertClose(
      surprisal.subarray(1, n),
      ref.subarray(1, n),
      tolerance(s.engine!.backend),
      `surprisal (${s.engine!.backend}) vs CPU engine`,
    );
    assert.ok(rec.bitsPerBase !== null && rec.bitsPerBase > 0 && rec.bitsPerBase < 16, `bits/base ${rec.bitsPerBase}`);
  });

  it('a region of lambda on WebGPU in the engine webview matches the CPU engine, both strands', async () => {
    const name = 'gi|9626243|ref|NC_001416.1|';
    const cell = await runSpec(`analyze: lambda_virus.fa\nregion: ${name}:1001-2200\nstrand: both\nbackend: webgpu\n`);
    const { summary, blocks } = outputOf(cell);
    const s = summary as DnaAnalysisSummary;
    console.log(`lambda region on WebGPU: engine ${JSON.stringify(s.engine)}; timings ${JSON.stringify(s.timings)}`);
    assert.equal(s.engine?.backend, 'webgpu', JSON.stringify(s.engine));
    assert.match(s.engine!.reason, /webgpu/i);
    const rec = s.records[0];
    assert.deepEqual([rec.name, rec.start, rec.end], [name, 1000, 2200]);
    const fasta = await IndexedFasta.open(join(ws().fsPath, 'lambda_virus.fa'));
    const tokens = DnaTokenizer.default().encode(await fasta.readBases(0, 1000, 2200));
    await fasta.close();
    const forward = s.tracks.find((t) => t.kind === 'surprisal')!;
    assert.deepEqual([forward.start, forward.binSize, forward.length], [1000, 1, 1200]);
    const got = blocks.get(forward.block) as Float32Array;
    const ref = await cpuSurprisal(DNA_MODEL(), tokens);
    assertClose(got.subarray(1), ref.subarray(1), TOLERANCE.logitsWebgpu, 'forward strand on WebGPU vs CPU engine');
    // The reverse strand is stored in forward coordinates: position i is the complement of base i.
    const reverse = blocks.get(s.tracks.find((t) => t.kind === 'surprisal-reverse')!.block) as Float32Array;
    const refReverse = (await cpuSurprisal(DNA_MODEL(), DnaTokenizer.default().reverseComplement(tokens))).reverse();
    assertClose(
      reverse.subarray(0, 1199),
      refReverse.subarray(0, 1199),
      TOLERANCE.logitsWebgpu,
      'reverse strand on WebGPU vs CPU engine',
    );
    assert.ok(
      rec.bitsPerBaseReverse !== null && Math.abs(rec.bitsPerBaseReverse - rec.bitsPerBase!) < 1,
      `${rec.bitsPerBase} vs ${rec.bitsPerBaseReverse}`,
    );
  });

  it('analyzes a WAV: mixed down, resampled to the audio model, mu-law surprisal like the CPU engine, bits/sample, unusual regions', async () => {
    const cell = await runSpec('analyze: speech.wav\n');
    const { summary, blocks } = outputOf(cell);
    assert.equal(summary.kind, 'audio-analysis');
    const s = summary as AudioAnalysisSummary;
    console.log(
      `speech analysis: engine ${JSON.stringify(s.engine)}; timings ${JSON.stringify(s.timings)}; bits/sample ${s.audio.bitsPerSample}`,
    );
    const a = s.audio;
    assert.deepEqual([a.sampleRate, a.channels, a.modelRate], [22050, 1, 16000]);
    assert.ok(a.durationS > 0.5 && a.durationS < 10, `duration ${a.durationS}`);
    assert.ok(s.notes.includes('model is untrained: numbers are not meaningful'), s.notes.join('; '));
    assert.equal(s.model?.name, 'random-audio');
    assert.equal(s.engine?.backend, 'cpu');
    const samples = blocks.get('samples') as Float32Array;
    assert.ok(
      Math.abs(samples.length - a.durationS * 16000) <= 1,
      `${samples.length} samples at 16 kHz for ${a.durationS} s`,
    );
    let peak = 0;
    for (const v of samples) peak = Math.max(peak, Math.abs(v));
    assert.ok(peak > 0.05 && peak <= 1.05, `peak ${peak}`);
    const surprisal = blocks.get(s.tracks.find((t) => t.kind === 'surprisal')!.block) as Float32Array;
    assert.equal(surprisal.length, samples.length);
    const n = 4000;
    const ref = await cpuSurprisal(AUDIO_MODEL(), mulawEncode(samples.subarray(0, n)));
    assertClose(surprisal.subarray(1, n), ref.subarray(1, n), TOLERANCE.logitsCpu, 'audio surprisal vs CPU engine');
    assert.ok(
      a.bitsPerSample !== null && a.bitsPerSample > 0 && a.bitsPerSample < 16,
      `bits/sample ${a.bitsPerSample}`,
    );
    const unusual = s.intervals.find((i) => i.kind === 'unusual-audio');
    assert.ok(unusual, 'unusual-audio regions are stored');
    unusual.starts.forEach((st, i) =>
      assert.ok(
        st >= 0 && st < unusual.ends[i] && unusual.ends[i] <= samples.length,
        `region ${st}-${unusual.ends[i]}`,
      ),
    );
  });

  it('generate: DNA continues lambda after a base, audio continues the speech after 1 s, as the CPU engine samples them', async () => {
    const dna = outputOf(
      await runSpec('generate: lambda_virus.fa\nfrom: 1011\nlength: 200\ntemperature: 0.8\ntopK: 3\nseed: 5\n'),
    );
    const g = dna.summary as GenerationSummary;
    assert.deepEqual(
      [g.kind, g.position, g.name],
      ['dna-generation', 1011, 'gi|9626243|ref|NC_001416.1|_continued_from_1011'],
    );
    const fasta = await IndexedFasta.open(join(ws().fsPath, 'lambda_virus.fa'));
    const prompt = DnaTokenizer.default().encode(await fasta.readBases(0, 0, 1011));
    await fasta.close();
    const want = DnaTokenizer.default().decode(Int32Array.from(await cpuGenerate(DNA_MODEL(), prompt, 200, 0.8, 3, 5)));
    assert.equal(new TextDecoder().decode(dna.blocks.get('sequence')), want);

    const audio = outputOf(await runSpec('generate: speech.wav\nfrom: 1\nlength: 400\nseed: 9\n'));
    const a = audio.summary as GenerationSummary;
    assert.deepEqual([a.kind, a.sampleRate, a.position, a.steps], ['audio-generation', 16000, 16000, 400]);
    const wav = await WavReader.open(join(ws().fsPath, 'speech.wav'));
    const end = wav.format.sampleRate,
      start = end - Math.ceil((8000 * end) / 16000);
    const atRate = resample(await wav.readFrames(start, end, 'mix'), wav.format.sampleRate, 16000);
    await wav.close();
    const tokens = await cpuGenerate(AUDIO_MODEL(), mulawEncode(atRate.subarray(atRate.length - 8000)), 400, 1, 0, 9);
    assert.deepEqual(audio.blocks.get('samples'), mulawDecode(tokens));
  });

  it('the Datasets view lists the workspace files with format and size, and reads counts on demand; the Models view describes both models', async () => {
    const api = vscode.extensions.getExtension<SeqlabApi>('mamba-seqlab.mamba-seqlab')!.exports;
    const items = await api.datasets.getChildren();
    const byName = new Map(items.map((i) => [i.uri.path.split('/').pop()!, i]));
    // NCTC8325.fasta.gz: the S. aureus genome the variants suite scores against (saureus/ in the workspace).
    assert.deepEqual([...byName.keys()].sort(), [
      'NCTC8325.fasta.gz',
      'lambda_virus.fa',
      'lambda_virus.fa.gz',
      'speech.wav',
      'xss.fa',
    ]);
    assert.equal(byName.get('lambda_virus.fa')!.description, 'FASTA · 48.1 KB');
    assert.match(String(byName.get('lambda_virus.fa.gz')!.description), /^FASTA \(gzip\) · \d+\.\d KB$/);
    assert.match(String(byName.get('speech.wav')!.description), /^WAV · \d+\.\d KB$/);
    const tooltip = async (name: string): Promise<string> =>
      String((await api.datasets.resolveTreeItem(new vscode.TreeItem(name), byName.get(name)!)).tooltip);
    assert.equal(await tooltip('lambda_virus.fa'), 'lambda_virus.fa\n1 record · 48502 bases');
    assert.equal(await tooltip('lambda_virus.fa.gz'), 'lambda_virus.fa.gz\n1 record · 48502 bases');
    assert.match(await tooltip('speech.wav'), /^speech\.wav\n2\.\d\d s · 22050 Hz · 1 ch · 16-bit pcm$/);

    const models = new Map((await api.models.getChildren()).map((m) => [String(m.label), String(m.description)]));
    assert.equal(models.get('hf-mamba-dna'), 'dna · 2 layers · d 64 · untrained · default · workspace');
    assert.equal(models.get('random-audio'), 'audio · 2 layers · d 32 · untrained · default · workspace');
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
