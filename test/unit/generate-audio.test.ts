// Audio continuation of a `generate:` cell (extension/core/analysis/generate.ts) through the engine's
// job handling on the CPU backend: the prompt is the WAV before `from`, resampled to the model's
// 16 kHz and mu-law quantized; the sampled tokens must be those of the engine's generate() run here
// on the same prompt and seed, decoded from mu-law into the samples the pane plays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { CpuBackend } from '../../kernels/cpu-backend';
import { generate } from '../../kernels/model/generate';
import { tokenBatch } from '../../kernels/model/token-ids';
import { uploadMambaModel } from '../../kernels/model/weights';
import { mulawDecode, mulawEncode } from '../../extension/core/datasets/mulaw';
import { resample } from '../../extension/core/datasets/resample';
import { encodeWav } from '../../extension/core/datasets/wav-writer';
import { loadModelDir } from '../../extension/core/models/load-model';
import { parseCellSpec } from '../../extension/core/notebook/cell-spec';
import { generateFromSpec } from '../../extension/core/analysis/generate';
import { readModelSource } from '../../extension/core/analysis/model-source';
import { UNTRAINED_NOTE, type RunContext } from '../../extension/core/analysis/run-context';
import type { GenerationSummary } from '../../protocol/notebook-output';
import { generationLine } from '../../webview/components/summary-text';
import { inProcessEngine, type InProcessEngine } from '../support/in-process-engine';
import { writeRandomAudioModel } from '../support/random-audio-model';

const context = (engine: InProcessEngine, modelDir: string): RunContext => ({
  runId: 'gen-audio',
  signal: new AbortController().signal,
  resolveFile: async (p) => resolve(p),
  shownPath: (p) => basename(p),
  model: async () => ({ source: await readModelSource(modelDir), shownPath: basename(modelDir) }),
  engine: async () => engine.client,
  backend: () => 'cpu',
  show: () => undefined,
});

test('audio continuation: prompt from the WAV before `from`, tokens as the engine samples them, decoded from mu-law', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-gen-audio-'));
  const engine = inProcessEngine();
  try {
    const fileRate = 22050,
      x = new Float32Array(fileRate);
    for (let i = 0; i < x.length; i++) x[i] = 0.4 * Math.sin(i * 0.03) * Math.sin(i * 0.0007);
    const wavPath = join(dir, 'tone.wav');
    writeFileSync(wavPath, encodeWav(x, { encoding: 'float', bitsPerSample: 32, channels: 1, sampleRate: fileRate }));
    const modelDir = await writeRandomAudioModel(join(dir, 'audio-model'));
    const { summary, blocks } = await generateFromSpec(
      parseCellSpec(`generate: ${wavPath}\nfrom: 0.5\nlength: 300\ntemperature: 0.9\ntopK: 40\nseed: 7\n`),
      context(engine, modelDir),
    );
    const g = summary as GenerationSummary;
    assert.equal(g.kind, 'audio-generation');
    assert.deepEqual(
      [g.sampleRate, g.position, g.steps, g.seed, g.name],
      [16000, 8000, 300, 7, 'tone_continued_from_0.500s'],
    );
    assert.ok(
      g.notes.includes(UNTRAINED_NOTE) && g.notes.includes("prompt resampled from 22050 Hz to the model's 16000 Hz"),
      g.notes.join('; '),
    );

    // The same prompt and sampling through the engine's generate(), here.
    const end = Math.round(0.5 * fileRate),
      start = end - Math.ceil((8000 * fileRate) / 16000);
    const atRate = resample(x.subarray(start, end), fileRate, 16000);
    const prompt = mulawEncode(atRate.subarray(atRate.length - 8000));
    const loaded = await loadModelDir(modelDir);
    const backend = new CpuBackend();
    const model = uploadMambaModel(backend, loaded.config, loaded.params);
    const ref = await generate(backend, model, tokenBatch([prompt], 256, 'test prompt'), {
      tokens: 300,
      temperature: 0.9,
      topK: 40,
      seed: 7,
    });
    backend.dispose();
    const samples = blocks.get('samples') as Float32Array;
    assert.deepEqual(samples, mulawDecode(ref.tokens[0]));
    assert.deepEqual(
      summary.tracks.map((t) => [t.kind, t.start, t.binSize, t.length]),
      [['samples', 0, 1, 300]],
    );
    assert.equal(
      generationLine(g),
      'generated 300 samples after position 8,000 of record 1: temperature 0.9, top-k 40, seed 7',
    );
  } finally {
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
