// Computes real analysis outputs for the component harness with the project's own pipeline:
// the host's analyzeDna / analyzeAudio (extension/core/analysis/) with the engine page's job handling
// (webview/engine/engine-core.ts) on the CPU backend, behind the host's EngineClient.
//   lambda.bin   the lambda phage genome (Debian's bowtie2-examples), both strands, HF fixture model
//   generated.bin 300 bases continuing lambda after base 1,011 (the host's generate, recurrent steps)
//   tricky.bin   a FASTA whose header is HTML, with soft-masked stretches and an N run
//   speech.bin   espeak-ng speech scored as mu-law tokens by a random audio model
//   variants.bin  Sibelia's S. aureus VCF against its NCTC 8325 genome, scored by the sample model
//                 (the variants cell's own job, variant-cell.ts)
//   mutagenesis.bin every substitution of 100 bases around the VCF's first variant, the same model
// The lambda and speech models are random: those outputs say "model is untrained: numbers are not meaningful".
// Usage: node out/test/webview/make-harness-data.js OUT_DIR   (writes OUT_DIR/*.bin and timings.json)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { OutputSummary } from '../../protocol/notebook-output';
import { saveModelDir } from '../../extension/core/models/save-model';
import { analyzeAudio } from '../../extension/core/analysis/analyze-audio';
import { analyzeDna } from '../../extension/core/analysis/analyze-dna';
import { generateFromSpec } from '../../extension/core/analysis/generate';
import { parseCellSpec } from '../../extension/core/notebook/cell-spec';
import { mutagenesisCell, scoreVariantsCell } from '../../extension/core/variants/variant-cell';
import { readModelSource } from '../../extension/core/analysis/model-source';
import type { RunContext } from '../../extension/core/analysis/run-context';
import { encodeOutput, type Block } from '../../protocol/track-codec';
import { parseMambaConfig } from '../../kernels/model/config';
import { Rng } from '../../kernels/train/rng';
import { randomMambaParams } from '../support/engine-suites';
import { HF_FIXTURE_DIR, REPO_ROOT } from '../support/hf-fixture';
import { inProcessEngine, type InProcessEngine } from '../support/in-process-engine';
import { REAL, realFile } from '../support/real-data';

const LAMBDA = '/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz';
const SPEECH = 'Mamba sequence lab. One, two, three. The quick brown fox jumps over the lazy dog.';
const SAUREUS_FASTA = realFile(REAL.saureusNctc8325);
const SAUREUS_VCF = join(dirname(SAUREUS_FASTA), 'variant.vcf.gz');

interface RunLog {
  firstPictureMs: number | null;
  pictures: number;
  totalMs: number;
}

interface ModelDirs {
  dna: string;
  audio: string;
}

function context(engine: InProcessEngine, runId: string, models: ModelDirs, log: RunLog, t0: number): RunContext {
  return {
    runId,
    signal: new AbortController().signal,
    resolveFile: async (p) => resolve(p),
    shownPath: (p) => basename(p),
    model: async (modality) => ({
      source: await readModelSource(models[modality]),
      shownPath: basename(models[modality]),
    }),
    engine: async () => engine.client,
    backend: () => 'cpu',
    show: () => {
      log.pictures++;
      log.firstPictureMs ??= performance.now() - t0;
    },
  };
}

async function analyzeOrGenerate(
  engine: InProcessEngine,
  spec: string,
  models: ModelDirs,
  runId: string,
): Promise<{ summary: OutputSummary; blocks: Map<string, Block>; log: RunLog }> {
  const log: RunLog = { firstPictureMs: null, pictures: 0, totalMs: 0 };
  const t0 = performance.now();
  const parsed = parseCellSpec(spec);
  const ctx = context(engine, runId, models, log, t0);
  const out =
    parsed.action === 'generate'
      ? await generateFromSpec(parsed, ctx)
      : parsed.modality === 'dna'
        ? await analyzeDna(parsed, ctx)
        : await analyzeAudio(parsed, ctx);
  log.totalMs = performance.now() - t0;
  return { ...out, log };
}

/** A random mu-law audio model (vocab 256), saved like any model folder. */
async function audioModel(dir: string): Promise<string> {
  const config = parseMambaConfig(
    { vocab_size: 256, hidden_size: 32, num_hidden_layers: 2, state_size: 8 },
    'harness audio model',
  );
  await saveModelDir(dir, config, randomMambaParams(config, new Rng(11)));
  return dir;
}

async function main(out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  const engine = inProcessEngine();
  const timings: Record<string, RunLog> = {};
  const models: ModelDirs = { dna: HF_FIXTURE_DIR, audio: await audioModel(join(out, 'audio-model')) };
  try {
    const lambda = await analyzeOrGenerate(
      engine,
      `analyze: ${LAMBDA}\nstrand: both\nbackend: cpu`,
      models,
      'harness-lambda',
    ).catch((e: Error) => {
      throw new Error(`${e.message} (lambda genome: apt-get install bowtie2-examples)`);
    });
    writeFileSync(join(out, 'lambda.bin'), encodeOutput(lambda.summary, lambda.blocks));
    timings.lambda = lambda.log;

    // What the Generate button asks for: continue lambda after base 1,011 (the harness picks it too).
    const generated = await analyzeOrGenerate(
      engine,
      `generate: ${LAMBDA}\nbackend: cpu\nfrom: 1011\nlength: 300\nseed: 1`,
      models,
      'harness-generated',
    );
    writeFileSync(join(out, 'generated.bin'), encodeOutput(generated.summary, generated.blocks));

    const trickyPath = join(out, 'tricky.fa');
    writeFileSync(
      trickyPath,
      '><img src=x onerror=alert(1)> <b>bold</b> & "quotes"\n' +
        'ACGTACGTTTGACCAnnnnNNNNNNNNNNacgtacgtatatGGCCGGCCATATATCGCGATTA\n'.repeat(20),
    );
    const tricky = await analyzeOrGenerate(
      engine,
      `analyze: ${trickyPath}\nbackend: cpu\nwindow: 20`,
      models,
      'harness-tricky',
    );
    writeFileSync(join(out, 'tricky.bin'), encodeOutput(tricky.summary, tricky.blocks));

    const wavPath = join(out, 'speech.wav');
    execFileSync('espeak-ng', ['-w', wavPath, SPEECH]);
    const speech = await analyzeOrGenerate(engine, `analyze: ${wavPath}\nbackend: cpu`, models, 'harness-speech');
    writeFileSync(join(out, 'speech.bin'), encodeOutput(speech.summary, speech.blocks));
    timings.speech = speech.log;

    // The variants and mutagenesis cells' jobs, in this thread rather than the host's worker.
    const job = {
      model: { path: join(REPO_ROOT, 'samples', 'models', 'dna-saureus'), shown: 'dna-saureus' },
      reference: { path: SAUREUS_FASTA, shown: basename(SAUREUS_FASTA) },
      backend: 'cpu' as const,
    };
    const hooks = { signal: new AbortController().signal, progress: () => undefined };
    const variants = await scoreVariantsCell(
      {
        ...job,
        runId: 'harness-variants',
        window: 64,
        vcf: { path: SAUREUS_VCF, shown: 'variant.vcf.gz' },
        records: 10_000,
      },
      hooks,
    );
    writeFileSync(join(out, 'variants.bin'), variants);
    const mutagenesis = await mutagenesisCell(
      { ...job, runId: 'harness-mutagenesis', window: 32, region: { chrom: 'NC_007795', start: 22131, end: 22230 } },
      hooks,
    );
    writeFileSync(join(out, 'mutagenesis.bin'), mutagenesis);
  } finally {
    engine.dispose();
  }
  writeFileSync(join(out, 'timings.json'), JSON.stringify(timings, null, 1));
  console.log(
    `harness data in ${out}: lambda.bin generated.bin tricky.bin speech.bin variants.bin mutagenesis.bin; lambda first picture ${timings.lambda.firstPictureMs?.toFixed(0)} ms, all ${timings.lambda.totalMs.toFixed(0)} ms`,
  );
}

main(process.argv[2] ?? '.seqlab-test/harness').catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
