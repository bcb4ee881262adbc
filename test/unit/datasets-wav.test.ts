// WAV reading and writing against sox: espeak-ng speech written by sox in every format the
// reader supports (u8, s16, s24, s32, f32, f64, extensible, mu-law, A-law, multichannel), read
// back and compared sample by sample with sox's own decoding; files with lying sizes, unknown
// and odd-sized chunks; the writer's files decoded by sox; statistics against `sox -n stats`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memorySource, openFileSource } from '../../extension/core/datasets/source';
import { pickChannels, readWavInfo, WavReader } from '../../extension/core/datasets/wav';
import { encodeWav, WavWriter, type WavWriteFormat } from '../../extension/core/datasets/wav-writer';
import { wavStats } from '../../extension/core/datasets/wav-stats';
import { requireTool } from '../support/real-data';

let dir = '';
const FORMATS: Record<string, string[]> = {
  u8: ['-e', 'unsigned', '-b', '8'],
  s16: ['-e', 'signed', '-b', '16'],
  s24: ['-e', 'signed', '-b', '24'],
  s24plain: ['-t', 'wavpcm', '-e', 'signed', '-b', '24'],
  s32: ['-e', 'signed', '-b', '32'],
  f32: ['-e', 'floating-point', '-b', '32'],
  f64: ['-e', 'floating-point', '-b', '64'],
  mulaw: ['-e', 'u-law'],
  alaw: ['-e', 'a-law'],
};

before(() => {
  requireTool('sox', 'sox');
  requireTool('espeak-ng', 'espeak-ng');
  dir = mkdtempSync(join(tmpdir(), 'seqlab-wav-'));
  execFileSync('espeak-ng', ['-w', join(dir, 'speech.wav'), 'zero one two three']);
  for (const [name, args] of Object.entries(FORMATS))
    execFileSync('sox', [join(dir, 'speech.wav'), ...args, join(dir, `${name}.wav`)]);
  // Multichannel: 3 channels of 16 bits, 6 channels of 24 bits (both WAVE_FORMAT_EXTENSIBLE), each channel different.
  execFileSync('sox', [join(dir, 'speech.wav'), '-b', '16', join(dir, 'ch3.wav'), 'remix', '1', '1v0.5', '1v-0.25']);
  execFileSync('sox', [
    join(dir, 'speech.wav'),
    '-b',
    '24',
    join(dir, 'ch6.wav'),
    'remix',
    '1',
    '1v0.9',
    '1v0.8',
    '1v-0.7',
    '1v0.6',
    '1v0.1',
  ]);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * sox's own decoding of a file, interleaved, rounded to float32. sox decodes to f64 exactly (its
 * samples are int32); its f32 output instead rounds ties upward, so f64 is the faithful reference.
 */
function soxDecode(path: string): Float32Array {
  const raw = execFileSync('sox', [path, '-t', 'f64', '-'], { maxBuffer: 1 << 28 });
  return Float32Array.from(new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
}

test('every sox-written format reads back sample for sample equal to sox decoding', async () => {
  const expectFormat: Record<string, [string, number, boolean]> = {
    u8: ['pcm', 8, false],
    s16: ['pcm', 16, false],
    s24: ['pcm', 24, true],
    s24plain: ['pcm', 24, false],
    s32: ['pcm', 32, true],
    f32: ['float', 32, false],
    f64: ['float', 64, false],
    mulaw: ['mulaw', 8, false],
    alaw: ['alaw', 8, false],
    ch3: ['pcm', 16, true],
    ch6: ['pcm', 24, true],
  };
  for (const [name, [encoding, bits, extensible]] of Object.entries(expectFormat)) {
    const path = join(dir, `${name}.wav`);
    const reader = await WavReader.open(path);
    try {
      const f = reader.format;
      assert.deepEqual(
        [f.encoding, f.bitsPerSample, f.extensible, f.sampleRate],
        [encoding, bits, extensible, 22050],
        name,
      );
      const ours = await reader.readFrames(0, reader.info.frames);
      const ref = soxDecode(path);
      assert.equal(ours.length, ref.length, `${name}: sample count`);
      const firstDiff = ours.findIndex((x, i) => x !== ref[i]);
      assert.equal(firstDiff, -1, `${name}: sample ${firstDiff} is ${ours[firstDiff]}, sox says ${ref[firstDiff]}`);
      assert.ok(
        ours.some((x) => x !== 0),
        `${name}: not silence`,
      );
      assert.deepEqual(reader.info.warnings, []);
    } finally {
      await reader.close();
    }
  }
});

test('channel pick, mixdown, frame ranges and streaming agree with the whole read', async () => {
  const reader = await WavReader.open(join(dir, 'ch6.wav'));
  try {
    const ch = reader.format.channels,
      frames = reader.info.frames;
    assert.equal(ch, 6);
    const all = await reader.readFrames(0, frames);
    const mix = await reader.readFrames(0, frames, 'mix');
    const c4 = await reader.readFrames(0, frames, 4);
    for (const f of [0, 1, 999, frames - 1]) {
      let sum = 0;
      for (let c = 0; c < ch; c++) sum += all[f * ch + c];
      assert.equal(mix[f], Math.fround(sum / ch), `mix at frame ${f}`);
      assert.equal(c4[f], all[f * ch + 4]);
    }
    for (const [a, b] of [
      [0, 1],
      [3, 130],
      [frames - 7, frames],
      [5, 5],
    ]) {
      assert.deepEqual(await reader.readFrames(a, b, 2), pickChannels(all.slice(a * ch, b * ch), ch, 2));
    }
    const streamed: number[] = [];
    let next = 100;
    for await (const { frame, samples } of reader.stream({
      channel: 'mix',
      chunkFrames: 4097,
      startFrame: 100,
      endFrame: frames - 3,
    })) {
      assert.equal(frame, next);
      next += samples.length;
      streamed.push(...samples);
    }
    assert.deepEqual(streamed, Array.from(mix.subarray(100, frames - 3)));
    await assert.rejects(reader.readFrames(0, frames + 1), /outside 0\.\./);
    await assert.rejects(reader.readFrames(0, 1, 6), /no channel 6 \(the file has 6\)/);
  } finally {
    await reader.close();
  }
});

/** Builds a WAV from chunks: [id, body] pairs, padding odd bodies. */
function riff(chunks: Array<[string, Uint8Array]>, sizeOverride?: Map<string, number>): Uint8Array {
  const parts: Buffer[] = [Buffer.from('RIFF\0\0\0\0WAVE', 'latin1')];
  for (const [id, body] of chunks) {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(sizeOverride?.get(id) ?? body.length, 4);
    parts.push(h, Buffer.from(body), Buffer.alloc(body.length & 1));
  }
  const out = Buffer.concat(parts);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

test('unknown and odd-sized chunks are skipped; lying data sizes, RF64 and partial frames are handled', async () => {
  const s16 = readFileSync(join(dir, 's16.wav'));
  const info = await readWavInfo(memorySource('s16.wav', s16));
  const fmt = s16.subarray(20, 36),
    data = s16.subarray(info.dataOffset, info.dataOffset + info.frames * 2);
  const ref = soxDecode(join(dir, 's16.wav'));
  const read = async (bytes: Uint8Array) => {
    const src = memorySource('x.wav', bytes);
    const r = new WavReader(src, await readWavInfo(src));
    return { samples: await r.readFrames(0, r.info.frames), warnings: r.info.warnings };
  };
  const odd = new Uint8Array([1, 2, 3, 4, 5]);
  let got = await read(
    riff([
      ['junk', odd],
      ['fmt ', fmt],
      ['LIST', new Uint8Array(7)],
      ['data', data],
      ['cue ', odd],
    ]),
  );
  assert.deepEqual(got.samples, ref);
  assert.deepEqual(got.warnings, []);
  for (const lie of [0, 0xffffffff, data.length + 1000]) {
    got = await read(
      riff(
        [
          ['fmt ', fmt],
          ['data', data],
        ],
        new Map([['data', lie]]),
      ),
    );
    assert.deepEqual(got.samples, ref, `data size ${lie}`);
    assert.match(got.warnings[0], /data chunk says \d+ bytes; using the \d+ bytes to the end of the file/);
  }
  // RF64 (and BW64): sizes of 0xFFFFFFFF, the real ones in the ds64 chunk; chunks after the data still parse.
  for (const magic of ['RF64', 'BW64']) {
    const ds64 = Buffer.alloc(28);
    ds64.writeUInt32LE(data.length, 8);
    const rf = Buffer.from(
      riff(
        [
          ['ds64', ds64],
          ['fmt ', fmt],
          ['data', data],
          ['LIST', odd],
        ],
        new Map([['data', 0xffffffff]]),
      ),
    );
    rf.write(magic, 0, 'latin1');
    rf.writeUInt32LE(0xffffffff, 4);
    got = await read(rf);
    assert.deepEqual(got.samples, ref, magic);
    assert.deepEqual(got.warnings, [], magic);
    assert.deepEqual(
      (await readWavInfo(memorySource('x.wav', rf))).chunks.map((c) => c.id),
      ['ds64', 'fmt ', 'data', 'LIST'],
    );
  }
  got = await read(
    riff([
      ['fmt ', fmt],
      ['data', data.subarray(0, 1001)],
    ]),
  );
  assert.deepEqual(got.samples, ref.subarray(0, 500));
  assert.match(got.warnings[0], /partial frame of 1 bytes/);
});

test('the writer: every format and channel count decodes in sox to the quantized input; streamed writes equal one-shot', async () => {
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296) * 2.2 - 1.1; // some samples clip
  const formats: WavWriteFormat[] = [
    { encoding: 'pcm', bitsPerSample: 8, channels: 1, sampleRate: 8000 },
    { encoding: 'pcm', bitsPerSample: 16, channels: 2, sampleRate: 16000 },
    { encoding: 'pcm', bitsPerSample: 24, channels: 3, sampleRate: 44100 },
    { encoding: 'pcm', bitsPerSample: 32, channels: 1, sampleRate: 48000 },
    { encoding: 'float', bitsPerSample: 32, channels: 5, sampleRate: 22050 },
    { encoding: 'float', bitsPerSample: 64, channels: 1, sampleRate: 96000 },
  ];
  for (const f of formats) {
    const frames = 1001,
      x = new Float32Array(frames * f.channels).map(rand);
    if (f.encoding === 'float')
      x.forEach((v, i) => {
        x[i] = v / 1.1;
      }); // sox clips float beyond full scale
    const path = join(dir, `w-${f.encoding}${f.bitsPerSample}x${f.channels}.wav`);
    const w = await WavWriter.create(path, f);
    await w.write(x.subarray(0, 7 * f.channels));
    await w.write(x.subarray(7 * f.channels));
    await w.close();
    assert.deepEqual(readFileSync(path), Buffer.from(encodeWav(x, f)), 'streamed file equals the one-shot encoding');
    const full = 2 ** (f.bitsPerSample - 1);
    const expected =
      f.encoding === 'float' ? x : x.map((v) => Math.max(-full, Math.min(full - 1, Math.round(v * full))) / full + 0); // + 0: no negative zero
    const reader = await WavReader.open(path);
    assert.deepEqual(
      [reader.format.channels, reader.format.sampleRate, reader.info.frames],
      [f.channels, f.sampleRate, frames],
    );
    assert.deepEqual(await reader.readFrames(0, frames), expected, 'our reader');
    await reader.close();
    if (f.bitsPerSample !== 64) assert.deepEqual(soxDecode(path), expected, `sox decodes ${path}`); // sox holds samples as int32, so f64 is checked by our reader only
  }
  assert.throws(
    () => encodeWav(new Float32Array(3), { encoding: 'pcm', bitsPerSample: 16, channels: 2, sampleRate: 8000 }),
    /not whole frames of 2 channels/,
  );
  assert.throws(
    () => encodeWav(new Float32Array(2), { encoding: 'float', bitsPerSample: 16, channels: 1, sampleRate: 8000 }),
    /cannot write 16-bit float/,
  );
});

/** sox -n stats: overall "Pk lev dB" and "RMS lev dB" (printed to 2 decimals). */
function soxLevels(path: string): { peakDb: number; rmsDb: number } {
  const out = execFileSync('sh', ['-c', 'sox "$0" -n stats 2>&1', path], { encoding: 'utf8' }); // sox prints stats on stderr
  const value = (label: string) => Number(out.match(new RegExp(`^${label}\\s+(-?[\\d.]+)`, 'm'))![1]);
  return { peakDb: value('Pk lev dB'), rmsDb: value('RMS lev dB') };
}

test('statistics: peak and RMS equal sox stats; clipped samples are counted at full scale', async () => {
  for (const name of ['s16', 'u8', 'mulaw', 'f32', 'ch3']) {
    const path = join(dir, `${name}.wav`);
    const reader = await WavReader.open(path);
    const s = await wavStats(reader);
    await reader.close();
    const sox = soxLevels(path);
    const db = (x: number) => 20 * Math.log10(x);
    assert.ok(
      Math.abs(db(s.overall.peak) - sox.peakDb) <= 0.006,
      `${name}: peak ${db(s.overall.peak)} dB vs sox ${sox.peakDb}`,
    );
    assert.ok(
      Math.abs(db(s.overall.rms) - sox.rmsDb) <= 0.006,
      `${name}: RMS ${db(s.overall.rms)} dB vs sox ${sox.rmsDb}`,
    );
    assert.equal(s.overall.clipped, 0);
  }
  const x = new Float32Array([0.5, 1.5, -2, -1, 0.999, 1]);
  const path = join(dir, 'clip.wav');
  writeFileSync(path, encodeWav(x, { encoding: 'pcm', bitsPerSample: 16, channels: 2, sampleRate: 8000 }));
  const src = await openFileSource(path);
  const s = await wavStats(new WavReader(src, await readWavInfo(src)));
  await src.close();
  assert.deepEqual(
    s.channels.map((c) => c.clipped),
    [1, 3],
  ); // left 0.5, -2 (clips), 0.999 (does not); right 1.5, -1, 1 (all at full scale)
  assert.equal(s.overall.clipped, 4);
  assert.equal(s.frames, 3);
});
