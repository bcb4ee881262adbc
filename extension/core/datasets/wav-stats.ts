// Statistics of a WAV file, streamed: format, rate, channels, bit depth, duration, and per
// channel and overall the peak |x|, RMS, and clipped samples (at the format's positive or
// negative full scale: the largest code for integer and G.711 formats, |x| >= 1 for float).
import { ALAW_TABLE, ULAW_TABLE } from './g711';
import type { StreamOptions } from './source';
import type { WavFormat, WavReader } from './wav';

export interface ChannelStats {
  readonly peak: number;
  readonly rms: number;
  readonly clipped: number;
  /** NaN or infinite samples (float formats only). */
  readonly nonFinite: number;
}

export interface WavStats {
  readonly file: string;
  readonly format: WavFormat;
  readonly frames: number;
  readonly durationSeconds: number;
  readonly channels: ChannelStats[];
  readonly overall: ChannelStats;
  readonly warnings: string[];
}

/** The largest positive value the format can hold, as decoded: reaching it (or its negative) counts as clipped. */
export function fullScale(format: WavFormat): number {
  switch (format.encoding) {
    case 'float':
      return 1;
    case 'mulaw':
      return Math.max(...ULAW_TABLE) / 32768;
    case 'alaw':
      return Math.max(...ALAW_TABLE) / 32768;
    default:
      return 1 - 1 / 2 ** (format.bitsPerSample - 1);
  }
}

export async function wavStats(reader: WavReader, opts: StreamOptions = {}): Promise<WavStats> {
  const { format, frames } = reader.info;
  const ch = format.channels,
    full = fullScale(format);
  const peak = new Float64Array(ch),
    sumSq = new Float64Array(ch),
    clipped = new Float64Array(ch),
    nonFinite = new Float64Array(ch);
  for await (const { samples } of reader.stream({ ...opts, channel: 'all' })) {
    for (let i = 0; i < samples.length; i++) {
      const c = i % ch,
        x = samples[i],
        a = Math.abs(x);
      if (!Number.isFinite(x)) {
        nonFinite[c]++;
        continue;
      }
      if (a > peak[c]) peak[c] = a;
      sumSq[c] += x * x;
      if (a >= full) clipped[c]++;
    }
  }
  const per = (c: number): ChannelStats => ({
    peak: peak[c],
    rms: frames > 0 ? Math.sqrt(sumSq[c] / frames) : 0,
    clipped: clipped[c],
    nonFinite: nonFinite[c],
  });
  const total = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
  return {
    file: reader.source.name,
    format,
    frames,
    durationSeconds: reader.info.durationSeconds,
    channels: Array.from({ length: ch }, (_, c) => per(c)),
    overall: {
      peak: Math.max(0, ...peak),
      rms: frames > 0 ? Math.sqrt(total(sumSq) / (frames * ch)) : 0,
      clipped: total(clipped),
      nonFinite: total(nonFinite),
    },
    warnings: reader.info.warnings,
  };
}
