// Audio tokens and resampling: the 256-token mu-law quantizer against numpy running SaShiMi's
// formula; the polyphase resampler against a slow float64 evaluation of the same filter at
// awkward lengths and rate pairs, chunked == whole, and its band-limiting measured on sines;
// streamed WAV token chunks equal the whole-file computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mulawDecode, mulawEncode, MULAW_TOKENS } from '../../extension/core/datasets/mulaw';
import { resample, resampleDesign, resampleKernel, Resampler } from '../../extension/core/datasets/resample';
import { memorySource } from '../../extension/core/datasets/source';
import { readWavInfo, WavReader } from '../../extension/core/datasets/wav';
import { wavTokenChunks } from '../../extension/core/datasets/wav-tokens';
import { encodeWav } from '../../extension/core/datasets/wav-writer';
import { assertClose, TOLERANCE } from '../support/tolerance';

function randomSignal(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1);
}

const PY_MULAW = `
import json, sys, numpy as np
x = np.array(json.load(sys.stdin), dtype=np.float64)
mu = 255.0
enc = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
tok = ((enc + 1) / 2 * mu + 0.5).astype(np.int32)
y = (np.arange(256) / mu) * 2 - 1
dec = np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu
print(json.dumps(dict(tokens=tok.tolist(), decoded=dec.tolist())))
`;

test('mu-law tokens and their inverse equal numpy running the SaShiMi formula', () => {
  const x = randomSignal(4097, 11);
  x.set([0, 1, -1, 1e-6, -1e-6, 0.5, -0.5], 0);
  const ref = JSON.parse(
    execFileSync('python3', ['-c', PY_MULAW], { input: JSON.stringify(Array.from(x)), encoding: 'utf8' }),
  ) as { tokens: number[]; decoded: number[] };
  assert.deepEqual(Array.from(mulawEncode(x)), ref.tokens);
  assertClose(
    mulawDecode(Int32Array.from({ length: MULAW_TOKENS }, (_, i) => i)),
    ref.decoded,
    TOLERANCE.matmulCpu,
    'mu-law decode table',
  );
  // Every token is reachable, extremes map to 0 and 255, and values out of range clamp.
  assert.deepEqual(Array.from(mulawEncode(new Float32Array([-1, 1, -3, 3, NaN]))), [0, 255, 0, 255, 128]);
  const ramp = Float32Array.from({ length: 100001 }, (_, i) => i / 50000 - 1);
  assert.equal(new Set(mulawEncode(ramp)).size, 256);
  assert.throws(() => mulawDecode([256]), /mu-law token 256 at index 0 is outside 0\.\.255/);
  assert.deepEqual(
    Array.from(mulawEncode(new Float32Array([0.25, -0.5]), { normalize: true })),
    Array.from(mulawEncode(new Float32Array([0.5, -1]))),
  );
});

/** Slow reference: y[n] = sum_k x[k] h(n*M/L - k) in float64, each output's taps scaled to sum 1. */
function referenceResample(x: Float32Array, inRate: number, outRate: number): Float64Array {
  const d = resampleDesign(inRate, outRate);
  const out = new Float64Array(Math.ceil((x.length * d.L) / d.M));
  for (let n = 0; n < out.length; n++) {
    const t = (n * d.M) / d.L;
    let acc = 0,
      norm = 0;
    for (let k = Math.floor(t) - d.W + 1; k <= Math.floor(t) + d.W; k++) {
      const h = resampleKernel(t - k, d.fc, d.halfWidth, d.beta);
      norm += h;
      if (k >= 0 && k < x.length) acc += x[k] * h;
    }
    out[n] = acc / norm;
  }
  return out;
}

test('resampler equals the slow reference at awkward lengths and rate pairs; chunked equals whole', () => {
  const pairs: Array<[number, number]> = [
    [22050, 16000],
    [16000, 22050],
    [48000, 16000],
    [8000, 44100],
    [44100, 48000],
    [11025, 16000],
  ];
  for (const [a, b] of pairs) {
    for (const n of [1, 2, 3, 127, 129, 1000]) {
      const x = randomSignal(n, n + a);
      const whole = resample(x, a, b);
      assertClose(whole, referenceResample(x, a, b), TOLERANCE.conv1d, `${a} -> ${b} Hz, ${n} samples`);
      const r = new Resampler(a, b);
      const parts: number[] = [];
      for (let i = 0; i < n;) {
        const step = 1 + ((i * 7 + 3) % 61);
        parts.push(...r.process(x.subarray(i, i + step)));
        i += step;
      }
      parts.push(...r.flush());
      assert.deepEqual(parts, Array.from(whole), `${a} -> ${b} Hz, ${n} samples: chunked`);
    }
  }
  assert.deepEqual(
    resample(Float32Array.of(0.1, -0.2, 0.3), 16000, 16000),
    Float32Array.of(0.1, -0.2, 0.3),
    'same rate is unchanged',
  );
  assert.throws(() => new Resampler(0, 16000), /sample rates must be positive integers/);
});

test('band-limiting: a passband sine survives, a tone above the new Nyquist is removed', () => {
  const fin = 44100,
    fout = 16000,
    n = fin;
  const tone = (f: number, rate: number, len: number) =>
    Float32Array.from({ length: len }, (_, i) => 0.5 * Math.sin((2 * Math.PI * f * i) / rate));
  const y = resample(tone(1000, fin, n), fin, fout);
  const ideal = tone(1000, fout, y.length);
  let maxErr = 0;
  for (let i = 200; i < y.length - 200; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - ideal[i]));
  assert.ok(maxErr < 1e-4, `1 kHz sine error ${maxErr}`);
  const alias = resample(tone(9000, fin, n), fin, fout); // would fold to 7 kHz without the low-pass
  let sumSq = 0;
  for (let i = 200; i < alias.length - 200; i++) sumSq += alias[i] ** 2;
  const attenuationDb = 20 * Math.log10(Math.sqrt(sumSq / (alias.length - 400)) / (0.5 / Math.SQRT2));
  assert.ok(attenuationDb < -70, `9 kHz tone attenuated by only ${attenuationDb.toFixed(1)} dB`);
});

test('WAV token chunks (streamed, resampled, mu-law) equal the whole-file computation', async () => {
  const frames = 30011,
    x = randomSignal(frames * 2, 5).map((v) => v * 0.7);
  const src = memorySource(
    't.wav',
    encodeWav(x, { encoding: 'float', bitsPerSample: 32, channels: 2, sampleRate: 22050 }),
  );
  const reader = new WavReader(src, await readWavInfo(src));
  const whole = mulawEncode(resample(await reader.readFrames(0, frames, 'mix'), 22050, 16000));
  const got: number[] = [];
  let next = 0;
  for await (const { start, tokens } of wavTokenChunks(reader, {
    sampleRate: 16000,
    chunkTokens: 4000,
    chunkFrames: 4096,
  })) {
    assert.equal(start, next);
    assert.ok(tokens.length === 4000 || start + tokens.length === whole.length, 'full chunks except the last');
    next += tokens.length;
    got.push(...tokens);
  }
  assert.deepEqual(got, Array.from(whole));
  const right: number[] = [];
  for await (const { tokens } of wavTokenChunks(reader, { sampleRate: 22050, chunkTokens: 999, channel: 1 }))
    right.push(...tokens);
  assert.deepEqual(right, Array.from(mulawEncode(await reader.readFrames(0, frames, 1))));
});
