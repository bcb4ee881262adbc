// Computes real analysis outputs for the component harness with the project's own pipeline:
// the host's analyzeDna / analyzeAudio (extension/notebook/) with the engine page's job handling
// (webview/engine/engine-core.ts) on the CPU backend, behind the host's EngineClient.
//   lambda.bin   the lambda phage genome (Debian's bowtie2-examples), both strands, HF fixture model
//   generated.bin 300 bases continuing lambda after base 1,011 (the host's generate, recurrent steps)
//   tricky.bin   a FASTA whose header is HTML, with soft-masked stretches and an N run
//   speech.bin   espeak-ng speech; analyze-audio does not score audio yet, so this script adds the
//                surprisal of the mu-law tokens under a random audio model (labelled untrained)
// The models are random: every output says "model is untrained: numbers are not meaningful".
// Usage: node out/test/webview/make-harness-data.js OUT_DIR   (writes OUT_DIR/*.bin and timings.json)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { AudioAnalysisSummary, OutputSummary } from '../../extension/protocol';
import { mulawEncode } from '../../extension/datasets/mulaw';
import { saveModelDir } from '../../extension/models/save-model';
import { analyzeAudio } from '../../extension/notebook/analyze-audio';
import { analyzeDna } from '../../extension/notebook/analyze-dna';
import { generateFromSpec } from '../../extension/notebook/generate';
import { parseCellSpec } from '../../extension/notebook/cell-spec';
import { modelInfo, readModelSource } from '../../extension/notebook/model-source';
import type { RunContext } from '../../extension/notebook/run-context';
import { encodeOutput, type Block } from '../../extension/notebook/track-codec';
import { finiteMean } from '../../extension/notebook/track-math';
import { parseMambaConfig } from '../../kernels/model/config';
import { Rng } from '../../kernels/train/rng';
import { randomMambaParams } from '../support/engine-suites';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';
import { inProcessEngine, type InProcessEngine } from '../support/in-process-engine';

const LAMBDA = '/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz';
const SPEECH = 'Mamba sequence lab. One, two, three. The quick brown fox jumps over the lazy dog.';

interface RunLog { firstPictureMs: number | null; pictures: number; totalMs: number }

function context(engine: InProcessEngine, runId: string, modelDir: string, log: RunLog, t0: number): RunContext {
  return {
    runId, signal: new AbortController().signal,
    resolveFile: async (p) => resolve(p),
    shownPath: (p) => basename(p),
    model: async () => ({ source: await readModelSource(modelDir), shownPath: basename(modelDir) }),
    engine: async () => engine.client,
    backend: () => 'cpu',
    show: () => { log.pictures++; log.firstPictureMs ??= performance.now() - t0; },
  };
}

async function analyzeOrGenerate(engine: InProcessEngine, spec: string, modelDir: string, runId: string): Promise<{ summary: OutputSummary; blocks: Map<string, Block>; log: RunLog }> {
  const log: RunLog = { firstPictureMs: null, pictures: 0, totalMs: 0 };
  const t0 = performance.now();
  const parsed = parseCellSpec(spec);
  const ctx = context(engine, runId, modelDir, log, t0);
  const out = parsed.action === 'generate' ? await generateFromSpec(parsed, ctx) : parsed.modality === 'dna' ? await analyzeDna(parsed, ctx) : await analyzeAudio(parsed, ctx);
  log.totalMs = performance.now() - t0;
  return { ...out, log };
}

/** A random mu-law audio model (vocab 256), saved like any model folder. */
async function audioModel(dir: string): Promise<string> {
  const config = parseMambaConfig({ vocab_size: 256, hidden_size: 32, num_hidden_layers: 2, state_size: 8 }, 'harness audio model');
  await saveModelDir(dir, config, randomMambaParams(config, new Rng(11)));
  return dir;
}

/** Adds the per-sample surprisal of the mu-law tokens to an audio output (see the header). */
async function scoreAudio(engine: InProcessEngine, out: { summary: OutputSummary; blocks: Map<string, Block> }, modelDir: string): Promise<void> {
  const summary = out.summary as AudioAnalysisSummary;
  const samples = out.blocks.get('samples') as Float32Array;
  const source = await readModelSource(modelDir);
  const loaded = await engine.client.loadModel(source.key, 'cpu', source.configJson, source.weights);
  const surprisal = new Float32Array(samples.length).fill(NaN);
  const { engineMs } = await engine.client.score(loaded.modelKey, mulawEncode(samples), {
    collectDelta: false, chunkTokens: 1 << 14, onChunk: (offset, s) => surprisal.set(s, offset),
  });
  const samplesTrack = summary.tracks.find((t) => t.kind === 'samples')!;
  out.blocks.set('surprisal', surprisal);
  summary.tracks.push({ ...samplesTrack, block: 'surprisal', kind: 'surprisal', label: 'surprisal', unit: 'bits' });
  summary.model = modelInfo(source, basename(modelDir));
  summary.engine = { backend: loaded.backend, reason: loaded.reason, device: loaded.device, tokensPerSecond: (1000 * samples.length) / engineMs };
  summary.audio.bitsPerSample = finiteMean(surprisal);
  summary.notes = summary.notes.filter((n) => !n.startsWith('no audio model')).concat(
    'model is untrained: numbers are not meaningful', 'surprisal added by the harness script (analyze-audio does not score audio yet)');
}

async function main(out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  const engine = inProcessEngine();
  const timings: Record<string, RunLog> = {};
  try {
    const lambda = await analyzeOrGenerate(engine, `analyze: ${LAMBDA}\nstrand: both\nmodel: ${HF_FIXTURE_DIR}\nbackend: cpu`, HF_FIXTURE_DIR, 'harness-lambda')
      .catch((e: Error) => { throw new Error(`${e.message} (lambda genome: apt-get install bowtie2-examples)`); });
    writeFileSync(join(out, 'lambda.bin'), encodeOutput(lambda.summary, lambda.blocks));
    timings.lambda = lambda.log;

    // What the Generate button asks for: continue lambda after base 1,011 (the harness picks it too).
    const generated = await analyzeOrGenerate(engine, `generate: ${LAMBDA}\nmodel: ${HF_FIXTURE_DIR}\nbackend: cpu\nfrom: 1011\nlength: 300\nseed: 1`, HF_FIXTURE_DIR, 'harness-generated');
    writeFileSync(join(out, 'generated.bin'), encodeOutput(generated.summary, generated.blocks));

    const trickyPath = join(out, 'tricky.fa');
    writeFileSync(trickyPath, '><img src=x onerror=alert(1)> <b>bold</b> & "quotes"\n' +
      'ACGTACGTTTGACCAnnnnNNNNNNNNNNacgtacgtatatGGCCGGCCATATATCGCGATTA\n'.repeat(20));
    const tricky = await analyzeOrGenerate(engine, `analyze: ${trickyPath}\nmodel: ${HF_FIXTURE_DIR}\nbackend: cpu\nwindow: 20`, HF_FIXTURE_DIR, 'harness-tricky');
    writeFileSync(join(out, 'tricky.bin'), encodeOutput(tricky.summary, tricky.blocks));

    const wavPath = join(out, 'speech.wav');
    execFileSync('espeak-ng', ['-w', wavPath, SPEECH]);
    const speech = await analyzeOrGenerate(engine, `analyze: ${wavPath}`, HF_FIXTURE_DIR, 'harness-speech');
    await scoreAudio(engine, speech, await audioModel(join(out, 'audio-model')));
    writeFileSync(join(out, 'speech.bin'), encodeOutput(speech.summary, speech.blocks));
    timings.speech = speech.log;
  } finally {
    engine.dispose();
  }
  writeFileSync(join(out, 'timings.json'), JSON.stringify(timings, null, 1));
  console.log(`harness data in ${out}: lambda.bin generated.bin tricky.bin speech.bin; lambda first picture ${timings.lambda.firstPictureMs?.toFixed(0)} ms, all ${timings.lambda.totalMs.toFixed(0)} ms`);
}

main(process.argv[2] ?? '.seqlab-test/harness').catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
