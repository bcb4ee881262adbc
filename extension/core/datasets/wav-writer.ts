// WAV writer for generated audio: PCM 8/16/24/32-bit or IEEE float 32/64, any channel count,
// streamed (sizes patched on close) or in one call. PCM uses WAVE_FORMAT_EXTENSIBLE where
// Microsoft's rules ask for it (more than 2 channels, or more than 16 bits); float is always plain
// WAVE_FORMAT_IEEE_FLOAT with a 'fact' chunk, as sox writes it (sox warns on extensible float).
import { open, type FileHandle } from 'node:fs/promises';
import { WAVE_FORMAT, MAX_CHANNELS } from './wav';

export interface WavWriteFormat {
  readonly encoding: 'pcm' | 'float';
  readonly bitsPerSample: 8 | 16 | 24 | 32 | 64;
  readonly channels: number;
  readonly sampleRate: number;
}

const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function checkFormat(f: WavWriteFormat): void {
  const ok = f.encoding === 'pcm' ? [8, 16, 24, 32].includes(f.bitsPerSample) : [32, 64].includes(f.bitsPerSample);
  if (!ok) throw new RangeError(`cannot write ${f.bitsPerSample}-bit ${f.encoding} WAV`);
  if (!(Number.isInteger(f.channels) && f.channels >= 1 && f.channels <= MAX_CHANNELS))
    throw new RangeError(`channels must be 1..${MAX_CHANNELS}, got ${f.channels}`);
  if (!(Number.isInteger(f.sampleRate) && f.sampleRate >= 1 && f.sampleRate <= 0xffffffff))
    throw new RangeError(`bad sample rate ${f.sampleRate}`);
}

/**
 * The RIFF header up to and including the data chunk header, for `dataBytes` bytes of samples.
 * Float gets the fmt extension size field and a 'fact' chunk (frame count), as non-PCM formats must.
 */
export function wavHeader(f: WavWriteFormat, dataBytes: number): Uint8Array {
  checkFormat(f);
  const float = f.encoding === 'float';
  const extensible = !float && (f.channels > 2 || f.bitsPerSample > 16);
  const fmtSize = extensible ? 40 : float ? 18 : 16;
  const factSize = float ? 12 : 0;
  const out = new Uint8Array(12 + 8 + fmtSize + factSize + 8);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  const blockAlign = f.channels * (f.bitsPerSample / 8);
  const tag = float ? WAVE_FORMAT.IEEE_FLOAT : WAVE_FORMAT.PCM;
  ascii(0, 'RIFF');
  v.setUint32(4, out.length - 8 + dataBytes + (dataBytes & 1), true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  v.setUint16(20, extensible ? WAVE_FORMAT.EXTENSIBLE : tag, true);
  v.setUint16(22, f.channels, true);
  v.setUint32(24, f.sampleRate, true);
  v.setUint32(28, f.sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, f.bitsPerSample, true);
  if (extensible) {
    v.setUint16(36, 22, true);
    v.setUint16(38, f.bitsPerSample, true);
    v.setUint32(40, f.channels <= 18 ? 2 ** f.channels - 1 : 0, true); // speakers in order; none past the 18 defined
    v.setUint16(44, tag, true);
    out.set(GUID_TAIL, 46);
  } else if (float) v.setUint16(36, 0, true); // cbSize: no extension
  const fact = 20 + fmtSize;
  if (float) {
    ascii(fact, 'fact');
    v.setUint32(fact + 4, 4, true);
    v.setUint32(fact + 8, Math.floor(dataBytes / blockAlign), true);
  }
  ascii(fact + factSize, 'data');
  v.setUint32(fact + factSize + 4, dataBytes, true);
  return out;
}

/** Interleaved float samples -> sample bytes; integers round to nearest and clip to full scale. */
export function encodeSamples(samples: Float32Array, f: WavWriteFormat): Uint8Array {
  checkFormat(f);
  const bytes = f.bitsPerSample / 8,
    out = new Uint8Array(samples.length * bytes);
  const v = new DataView(out.buffer);
  const clip = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : Number.isNaN(x) ? 0 : x);
  const n = samples.length;
  if (f.encoding === 'float') {
    if (f.bitsPerSample === 32) for (let i = 0; i < n; i++) v.setFloat32(4 * i, samples[i], true);
    else for (let i = 0; i < n; i++) v.setFloat64(8 * i, samples[i], true);
  } else if (f.bitsPerSample === 8)
    for (let i = 0; i < n; i++) out[i] = clip(Math.round(samples[i] * 128), -128, 127) + 128;
  else if (f.bitsPerSample === 16)
    for (let i = 0; i < n; i++) v.setInt16(2 * i, clip(Math.round(samples[i] * 32768), -32768, 32767), true);
  else if (f.bitsPerSample === 24) {
    for (let i = 0; i < n; i++) {
      const s = clip(Math.round(samples[i] * 8388608), -8388608, 8388607);
      out[3 * i] = s & 0xff;
      out[3 * i + 1] = (s >> 8) & 0xff;
      out[3 * i + 2] = (s >> 16) & 0xff;
    }
  } else
    for (let i = 0; i < n; i++)
      v.setInt32(4 * i, clip(Math.round(samples[i] * 2147483648), -2147483648, 2147483647), true);
  return out;
}

/** A whole WAV file in memory. */
export function encodeWav(samples: Float32Array, f: WavWriteFormat): Uint8Array {
  if (samples.length % f.channels !== 0)
    throw new RangeError(`${samples.length} samples are not whole frames of ${f.channels} channels`);
  const data = encodeSamples(samples, f);
  const header = wavHeader(f, data.length);
  const out = new Uint8Array(header.length + data.length + (data.length & 1));
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Streams a WAV file to disk: write() interleaved frames as they are generated, then close(). */
export class WavWriter {
  private dataBytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly format: WavWriteFormat,
    private readonly headerBytes: number,
  ) {}

  static async create(path: string, format: WavWriteFormat): Promise<WavWriter> {
    const header = wavHeader(format, 0);
    const handle = await open(path, 'w');
    await handle.write(header, 0, header.length, 0);
    return new WavWriter(handle, format, header.length);
  }

  async write(samples: Float32Array): Promise<void> {
    if (samples.length % this.format.channels !== 0)
      throw new RangeError(`${samples.length} samples are not whole frames of ${this.format.channels} channels`);
    const bytes = encodeSamples(samples, this.format);
    await this.handle.write(bytes, 0, bytes.length, this.headerBytes + this.dataBytes);
    this.dataBytes += bytes.length;
  }

  /** Pads an odd data chunk, writes the final sizes, and closes the file. */
  async close(): Promise<void> {
    try {
      if (this.dataBytes & 1) await this.handle.write(new Uint8Array(1), 0, 1, this.headerBytes + this.dataBytes);
      const header = wavHeader(this.format, this.dataBytes);
      await this.handle.write(header, 0, header.length, 0);
    } finally {
      await this.handle.close();
    }
  }
}
