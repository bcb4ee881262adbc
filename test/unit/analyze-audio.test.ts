// The WAV analysis of a notebook cell (extension/core/analysis/analyze-audio.ts) through the real engine
// job handling on the CPU backend: espeak-ng speech at 22,050 Hz resampled to the audio model's
// 16 kHz, mu-law tokens scored; the per-sample surprisal must equal the CPU engine's own stream over
// the same tokens, bits/sample is its mean, a noise burst in a tone is found as unusual, and a stereo file is
// mixed down. Without a model the cell shows the waveform at the file's rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { CpuBackend } from '../../kernels/cpu-backend';
import { scoreStream } from '../../kernels/model/stream';
import { uploadMambaModel } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import { mulawEncode } from '../../extension/core/datasets/mulaw';
import { resample } from '../../extension/core/datasets/resample';
import { WavReader } from '../../extension/core/datasets/wav';
import { encodeWav } from '../../extension/core/datasets/wav-writer';
import { loadModelDir } from '../../extension/core/models/load-model';
import { analyzeAudio } from '../../extension/core/analysis/analyze-audio';
import { parseCellSpec } from '../../extension/core/notebook/cell-spec';
import { readModelSource } from '../../extension/core/analysis/model-source';
import { UNTRAINED_NOTE, type RunContext } from '../../extension/core/analysis/run-context';
import type { AudioAnalysisSummary } from '../../protocol/notebook-output';
import { inProcessEngine, type InProcessEngine } from '../support/in-process-engine';
import { writeRandomAudioModel } from '../support/random-audio-model';
import { requireTool } from '../support/real-data';
import { TOLERANCE, assertClose } from '../support/tolerance';

function context(engine: InProcessEngine, modelDir: string | undefined, pictures: unknown[]): RunContext {
  return {
    runId: 'audio-test',
    signal: new AbortController().signal,
    resolveFile: async (p) => resolve(p),
    shownPath: (p) => basename(p),
    model: async () =>
      modelDir ? { source: await readModelSource(modelDir), shownPath: basename(modelDir) } : undefined,
    engine: async () => engine.client,
    backend: () => 'cpu',
    show: (summary) => pictures.push(summary),
  };
}

async function referenceSurprisal(modelDir: string, tokens: Int32Array): Promise<Float32Array> {
  const loaded = await loadModelDir(modelDir);
  const backend = new CpuBackend();
  try {
    const model = uploadMambaModel(backend, loaded.config, loaded.params);
    const out = new Float32Array(tokens.length);
    await scoreStream(backend, model, [[tokens]], (r) => {
      out.set(r.surprisal, r.start);
    });
    return out;
  } finally {
    backend.dispose();
  }
}

test('speech: resampled to the model rate, mu-law surprisal equals the CPU engine stream, bits/sample is its mean', async () => {
  requireTool('espeak-ng', 'espeak-ng');
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-audio-'));
  const engine = inProcessEngine();
  try {
    const wavPath = join(dir, 'speech.wav');
    execFileSync('espeak-ng', ['-w', wavPath, 'one two three']);
    const modelDir = await writeRandomAudioModel(join(dir, 'audio-model'));
    const pictures: unknown[] = [];
    const { summary, blocks } = await analyzeAudio(
      parseCellSpec(`analyze: ${wavPath}\nstart: 0.2\nend: 0.7\n`),
      context(engine, modelDir, pictures),
    );
    const a = (summary as AudioAnalysisSummary).audio;
    assert.equal(a.sampleRate, 22050);
    assert.equal(a.modelRate, 16000);
    assert.ok(
      summary.notes.includes(UNTRAINED_NOTE) &&
        summary.notes.includes("resampled from 22050 Hz to the model's 16000 Hz"),
      summary.notes.join('; '),
    );
    assert.ok(pictures.length >= 1, 'the waveform is shown before scoring ends');

    const wav = await WavReader.open(wavPath);
    const mixed = await wav.readFrames(Math.round(0.2 * 22050), Math.round(0.7 * 22050), 'mix');
    await wav.close();
    const tokens = mulawEncode(resample(mixed, 22050, 16000));
    const samples = blocks.get('samples') as Float32Array;
    const surprisal = blocks.get('surprisal') as Float32Array;
    assert.equal(samples.length, tokens.length);
    assert.deepEqual(mulawEncode(samples), tokens, 'the stored waveform is what the model heard');
    const track = summary.tracks.find((t) => t.kind === 'surprisal')!;
    assert.deepEqual([track.start, track.binSize, track.length], [Math.round(0.2 * 16000), 1, tokens.length]);
    assert.ok(Number.isNaN(surprisal[0]), 'nothing predicts the first sample');
    const ref = await referenceSurprisal(modelDir, tokens);
    assertClose(surprisal.subarray(1), ref.subarray(1), TOLERANCE.logitsCpu, 'audio surprisal vs the CPU engine');
    let sum = 0;
    for (let i = 1; i < ref.length; i++) sum += surprisal[i];
    assert.ok(
      Math.abs(a.bitsPerSample! - sum / (ref.length - 1)) < 1e-6 * Math.abs(a.bitsPerSample!),
      `bits/sample ${a.bitsPerSample}`,
    );
    assert.ok(summary.engine?.backend === 'cpu' && summary.engine.tokensPerSecond > 0);

    assert.deepEqual(
      summary.intervals.map((s) => s.kind),
      ['unusual-audio'],
      'the regions are stored with the output',
    );
  } finally {
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a burst of noise inside a steady tone is the one region of unusual audio', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-audio-'));
  const engine = inProcessEngine();
  try {
    const rate = 16000,
      x = new Float32Array(rate),
      rng = new Rng(3);
    for (let i = 0; i < rate; i++)
      x[i] = i >= 7000 && i < 9000 ? 0.8 * (2 * rng.uniform() - 1) : 0.3 * Math.sin(i * 0.07);
    const wavPath = join(dir, 'tone-noise.wav');
    writeFileSync(wavPath, encodeWav(x, { encoding: 'pcm', bitsPerSample: 16, channels: 1, sampleRate: rate }));
    const modelDir = await writeRandomAudioModel(join(dir, 'audio-model'));
    const { summary } = await analyzeAudio(parseCellSpec(`analyze: ${wavPath}\n`), context(engine, modelDir, []));
    const [u] = summary.intervals.filter((s) => s.kind === 'unusual-audio');
    assert.equal(u.starts.length, 1, JSON.stringify(u));
    assert.ok(
      Math.abs(u.starts[0] - 7000) < 400 && Math.abs(u.ends[0] - 9000) < 400,
      `region ${u.starts[0]}-${u.ends[0]} is the burst 7000-9000`,
    );
    assert.ok(
      u.scores[0] > (summary as AudioAnalysisSummary).audio.bitsPerSample!,
      `region mean ${u.scores[0]} bits is above the clip's`,
    );
  } finally {
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stereo at the model rate: mixed down, no resampling; without a model: waveform only at the file rate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-audio-'));
  const engine = inProcessEngine();
  try {
    const frames = 3000,
      interleaved = new Float32Array(2 * frames);
    for (let i = 0; i < frames; i++) {
      interleaved[2 * i] = 0.5 * Math.sin(i * 0.05) + 0.1 * Math.sin(i * 1.3);
      interleaved[2 * i + 1] = 0.3 * Math.sin(i * 0.11 + 1);
    }
    const wavPath = join(dir, 'stereo.wav');
    writeFileSync(
      wavPath,
      encodeWav(interleaved, { encoding: 'float', bitsPerSample: 32, channels: 2, sampleRate: 16000 }),
    );
    const modelDir = await writeRandomAudioModel(join(dir, 'audio-model'), 5);
    const withModel = await analyzeAudio(parseCellSpec(`analyze: ${wavPath}\n`), context(engine, modelDir, []));
    const samples = withModel.blocks.get('samples') as Float32Array;
    for (let i = 0; i < frames; i += 97)
      assert.ok(Math.abs(samples[i] - (interleaved[2 * i] + interleaved[2 * i + 1]) / 2) < 1e-6, `mix at ${i}`);
    assert.ok(withModel.summary.notes.includes('2 channels mixed down to mono'));
    assert.ok(!withModel.summary.notes.some((n) => n.startsWith('resampled')), withModel.summary.notes.join('; '));
    const ref = await referenceSurprisal(modelDir, mulawEncode(samples));
    assertClose(
      (withModel.blocks.get('surprisal') as Float32Array).subarray(1),
      ref.subarray(1),
      TOLERANCE.logitsCpu,
      'stereo mix surprisal',
    );

    const without = await analyzeAudio(
      parseCellSpec(`analyze: ${wavPath}\nstart: 0.05\n`),
      context(engine, undefined, []),
    );
    const a = (without.summary as AudioAnalysisSummary).audio;
    assert.equal(a.modelRate, 16000);
    assert.equal(a.bitsPerSample, null);
    assert.equal(without.summary.model, null);
    assert.deepEqual(
      without.summary.tracks.map((t) => [t.kind, t.start, t.length]),
      [['samples', 800, frames - 800]],
    );
    assert.match(without.summary.notes.join('\n'), /no audio model is set up/);
  } finally {
    engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
