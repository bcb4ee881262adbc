// WAV audio as model tokens, streamed: frames read in chunks, one channel or the mixdown,
// resampled to the model's rate (streaming, so equal to resampling the whole file), quantized to
// 8-bit mu-law, and yielded as Int32Array chunks of `chunkTokens` (the last may be shorter).
// Memory is bounded for any length of audio.
import { mulawEncode } from './mulaw';
import { Resampler } from './resample';
import type { ChannelPick, WavReader, WavStreamOptions } from './wav';

export interface WavTokenOptions extends Pick<
  WavStreamOptions,
  'signal' | 'onProgress' | 'chunkFrames' | 'startFrame' | 'endFrame'
> {
  /** The model's sample rate. */
  sampleRate: number;
  /** A channel index or 'mix' (the default). */
  channel?: Exclude<ChannelPick, 'all'>;
  chunkTokens: number;
}

export async function* wavTokenChunks(
  reader: WavReader,
  opts: WavTokenOptions,
): AsyncGenerator<{ start: number; tokens: Int32Array }> {
  if (!(Number.isSafeInteger(opts.chunkTokens) && opts.chunkTokens > 0))
    throw new RangeError(`chunkTokens must be a positive integer, got ${opts.chunkTokens}`);
  const resampler = new Resampler(reader.format.sampleRate, opts.sampleRate);
  let buf = new Int32Array(opts.chunkTokens),
    n = 0,
    start = 0;
  function* emit(samples: Float32Array): Generator<{ start: number; tokens: Int32Array }> {
    const tokens = mulawEncode(samples);
    for (let i = 0; i < tokens.length;) {
      const take = Math.min(buf.length - n, tokens.length - i);
      buf.set(tokens.subarray(i, i + take), n);
      n += take;
      i += take;
      if (n === buf.length) {
        yield { start, tokens: buf };
        buf = new Int32Array(opts.chunkTokens); // the consumer may keep the chunk it was given
        start += n;
        n = 0;
      }
    }
  }
  const { signal, onProgress, chunkFrames, startFrame, endFrame } = opts;
  for await (const { samples } of reader.stream({
    signal,
    onProgress,
    chunkFrames,
    startFrame,
    endFrame,
    channel: opts.channel ?? 'mix',
  })) {
    yield* emit(resampler.process(samples));
  }
  yield* emit(resampler.flush());
  if (n > 0) yield { start, tokens: buf.slice(0, n) };
}
