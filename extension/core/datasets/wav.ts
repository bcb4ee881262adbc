// RIFF WAVE reader (and RF64/BW64, the 64-bit-size form long recordings use): PCM unsigned
// 8-bit and signed 16/24/32-bit, IEEE float 32/64, G.711 mu-law and A-law,
// WAVE_FORMAT_EXTENSIBLE, any channel count. Unknown chunks are skipped and odd chunk
// sizes padded; a data size that lies (0 or 0xFFFFFFFF from streaming recorders, or past the end
// of the file) is replaced by what the file holds, with a warning. Samples come out as float32 in
// [-1, 1) (integers divided by 2^(bits-1)), interleaved, one channel, or mixed down to mono, for
// any frame range or streamed in chunks; only the 12-byte header and chunk headers (at most
// MAX_CHUNKS of them) are read up front.
import { DataFormatError, throwIfAborted } from './errors';
import { ALAW_TABLE, ULAW_TABLE } from './g711';
import { openFileSource, type RandomAccessSource, type StreamOptions } from './source';

export type WavEncoding = 'pcm' | 'float' | 'mulaw' | 'alaw';

export interface WavFormat {
  readonly encoding: WavEncoding;
  /** The tag in the fmt chunk (0xFFFE for extensible) and, for extensible, the sub-format's tag. */
  readonly formatTag: number;
  readonly extensible: boolean;
  readonly channels: number;
  readonly sampleRate: number;
  /** Bits per sample as stored (the container: 8, 16, 24, 32 or 64). */
  readonly bitsPerSample: number;
  /** Meaningful bits (extensible's wValidBitsPerSample, or the fmt chunk's bits). */
  readonly validBits: number;
  readonly blockAlign: number;
  readonly channelMask?: number;
}

export interface WavInfo {
  readonly file: string;
  readonly format: WavFormat;
  /** Byte offset of the first sample and the number of whole frames. */
  readonly dataOffset: number;
  readonly frames: number;
  readonly durationSeconds: number;
  /** Things that were wrong but readable (lying sizes, trailing partial frames). */
  readonly warnings: string[];
  readonly chunks: ReadonlyArray<{ readonly id: string; readonly offset: number; readonly size: number }>;
}

/** Which samples to return: every channel interleaved, one channel, or the mean of all channels. */
export type ChannelPick = 'all' | 'mix' | number;

export const WAVE_FORMAT = { PCM: 1, IEEE_FLOAT: 3, ALAW: 6, MULAW: 7, EXTENSIBLE: 0xfffe } as const;
export const MAX_CHANNELS = 1024;
/** Chunks read from one file: real files have a handful; each costs a read, and a file of empty chunks could have millions. */
export const MAX_CHUNKS = 1024;
const MAX_FMT_SIZE = 1 << 16;
const STREAMING_SIZE = 0xffffffff;
// KSDATAFORMAT_SUBTYPE_* GUIDs: the format tag in the first two bytes, then this fixed tail.
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const fourcc = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
const isPrintable = (b: Uint8Array, at: number) => [0, 1, 2, 3].every((i) => b[at + i] >= 0x20 && b[at + i] <= 0x7e);

export async function readWavInfo(src: RandomAccessSource): Promise<WavInfo> {
  const fail = (offset: number, problem: string): never => {
    throw new DataFormatError(src.name, { offset }, problem);
  };
  const head = await src.read(0, 12);
  if (head.length < 12) fail(head.length, `file of ${src.size} bytes is too short for a RIFF WAVE header`);
  const magic = fourcc(head, 0);
  if (magic === 'RIFX') fail(0, 'RIFX (big-endian) WAVE files are not supported');
  const rf64 = magic === 'RF64' || magic === 'BW64';
  if (magic !== 'RIFF' && !rf64) fail(0, `not a RIFF file (starts with ${JSON.stringify(magic)})`);
  if (fourcc(head, 8) !== 'WAVE') fail(8, `RIFF form type is ${JSON.stringify(fourcc(head, 8))}, not "WAVE"`);
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const warnings: string[] = [];
  const riffSize = view(head).getUint32(4, true);
  if (!rf64 && riffSize !== src.size - 8 && riffSize !== 0 && riffSize !== STREAMING_SIZE)
    warnings.push(`RIFF size says ${riffSize + 8} bytes, the file has ${src.size}`);

  const chunks: Array<{ id: string; offset: number; size: number }> = [];
  let fmt: Uint8Array | undefined,
    fmtOffset = 0;
  let data: { offset: number; bytes: number } | undefined;
  let ds64DataSize: number | undefined; // RF64: the real data size, from the ds64 chunk
  for (let pos = 12; pos + 8 <= src.size;) {
    if (chunks.length === MAX_CHUNKS) {
      if (!(data && fmt)) fail(pos, `more than ${MAX_CHUNKS} chunks without both a "fmt " and a "data" chunk`);
      warnings.push(`stopped at byte ${pos} after ${MAX_CHUNKS} chunks; the rest of the file is not read`);
      break;
    }
    const h = await src.read(pos, 8);
    if (!isPrintable(h, 0)) {
      if (data && fmt) {
        warnings.push(`ignored ${src.size - pos} bytes of non-chunk data at byte ${pos}`);
        break;
      }
      fail(pos, 'chunk id is not four ASCII characters (corrupt file?)');
    }
    const id = fourcc(h, 0),
      size = view(h).getUint32(4, true),
      body = pos + 8;
    let span = size; // bytes of the chunk body (RF64's data gives it in ds64)
    chunks.push({ id, offset: pos, size });
    if (id === 'ds64' && rf64 && size >= 28 && body + size <= src.size) {
      const d = view(await src.read(body, 16));
      ds64DataSize = d.getUint32(8, true) + d.getUint32(12, true) * 2 ** 32;
    }
    if (id === 'data') {
      const declared = rf64 && size === STREAMING_SIZE && ds64DataSize !== undefined ? ds64DataSize : size;
      const lies = declared === 0 || declared === STREAMING_SIZE || body + declared > src.size;
      if (lies)
        warnings.push(`data chunk says ${declared} bytes; using the ${src.size - body} bytes to the end of the file`);
      data = { offset: body, bytes: lies ? src.size - body : declared };
      if (lies) break; // the data runs to the end of the file: nothing after it can be a chunk
      span = declared;
    } else if (body + size > src.size) {
      if (data && fmt) {
        warnings.push(`chunk "${id}" at byte ${pos} is cut short by the end of the file`);
        break;
      }
      fail(pos, `chunk "${id}" claims ${size} bytes, past the end of the ${src.size}-byte file`);
    } else if (id === 'fmt ') {
      if (size < 16 || size > MAX_FMT_SIZE) fail(pos, `fmt chunk of ${size} bytes (expected 16 to ${MAX_FMT_SIZE})`);
      fmt = await src.read(body, size);
      fmtOffset = body;
    }
    pos = body + span + (span % 2);
  }
  if (!fmt) return fail(src.size, 'no "fmt " chunk before the end of the file');
  if (!data) return fail(src.size, 'no "data" chunk before the end of the file');
  const format = parseFmt(fmt, fmtOffset, fail);
  const frames = Math.floor(data.bytes / format.blockAlign);
  const leftover = data.bytes - frames * format.blockAlign;
  if (leftover > 0) warnings.push(`ignored a partial frame of ${leftover} bytes at the end of the data`);
  return {
    file: src.name,
    format,
    dataOffset: data.offset,
    frames,
    durationSeconds: frames / format.sampleRate,
    warnings,
    chunks,
  };
}

function parseFmt(b: Uint8Array, at: number, fail: (offset: number, problem: string) => never): WavFormat {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const tag = v.getUint16(0, true),
    channels = v.getUint16(2, true),
    sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true),
    bitsPerSample = v.getUint16(14, true);
  let effectiveTag = tag,
    validBits = bitsPerSample,
    channelMask: number | undefined;
  const extensible = tag === WAVE_FORMAT.EXTENSIBLE;
  if (extensible) {
    if (b.length < 40 || v.getUint16(16, true) < 22)
      fail(at, `WAVE_FORMAT_EXTENSIBLE fmt chunk of ${b.length} bytes is too short (40 needed)`);
    validBits = v.getUint16(18, true);
    channelMask = v.getUint32(20, true);
    effectiveTag = v.getUint16(24, true);
    if (!GUID_TAIL.every((x, i) => b[26 + i] === x))
      fail(at + 24, 'extensible sub-format is not a standard KSDATAFORMAT GUID');
    if (validBits === 0) validBits = bitsPerSample;
  }
  const encoding: WavEncoding | undefined = (
    {
      [WAVE_FORMAT.PCM]: 'pcm',
      [WAVE_FORMAT.IEEE_FLOAT]: 'float',
      [WAVE_FORMAT.ALAW]: 'alaw',
      [WAVE_FORMAT.MULAW]: 'mulaw',
    } as Record<number, WavEncoding>
  )[effectiveTag];
  if (!encoding)
    fail(at, `unsupported WAVE format tag 0x${effectiveTag.toString(16)} (PCM, IEEE float, mu-law and A-law are read)`);
  if (channels < 1 || channels > MAX_CHANNELS) fail(at + 2, `${channels} channels (1 to ${MAX_CHANNELS} are read)`);
  if (sampleRate < 1) fail(at + 4, 'sample rate 0');
  const containerBits = (blockAlign * 8) / channels;
  const allowed: Record<WavEncoding, number[]> = { pcm: [8, 16, 24, 32], float: [32, 64], mulaw: [8], alaw: [8] };
  if (!allowed[encoding!].includes(containerBits) || blockAlign % channels !== 0) {
    fail(
      at + 12,
      `block align ${blockAlign} for ${channels} channels gives ${containerBits}-bit ${encoding} samples (readable: ${allowed[encoding!].join(', ')} bits)`,
    );
  }
  // Old-style PCM may give the meaningful bits (e.g. 12 or 20) here, in a whole-byte container.
  if (
    bitsPerSample > containerBits ||
    bitsPerSample <= containerBits - 8 ||
    validBits > containerBits ||
    validBits < 1
  ) {
    fail(at + 14, `${bitsPerSample} bits per sample (${validBits} valid) do not fit ${containerBits}-bit samples`);
  }
  return {
    encoding: encoding!,
    formatTag: effectiveTag,
    extensible,
    channels,
    sampleRate,
    bitsPerSample: containerBits,
    validBits,
    blockAlign,
    ...(channelMask !== undefined ? { channelMask } : {}),
  };
}

/** Decodes whole frames of raw sample bytes into interleaved float32. */
export function decodeSamples(
  bytes: Uint8Array,
  format: WavFormat,
  out = new Float32Array(Math.floor(bytes.length / format.blockAlign) * format.channels),
): Float32Array {
  const n = out.length;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (`${format.encoding}${format.bitsPerSample}`) {
    case 'pcm8':
      for (let i = 0; i < n; i++) out[i] = (bytes[i] - 128) / 128;
      break;
    case 'pcm16':
      for (let i = 0; i < n; i++) out[i] = v.getInt16(2 * i, true) / 32768;
      break;
    case 'pcm24':
      for (let i = 0, j = 0; i < n; i++, j += 3)
        out[i] = (((bytes[j] | (bytes[j + 1] << 8) | (bytes[j + 2] << 16)) << 8) >> 8) / 8388608;
      break;
    case 'pcm32':
      for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i, true) / 2147483648;
      break;
    case 'float32':
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true);
      break;
    case 'mulaw8':
      for (let i = 0; i < n; i++) out[i] = ULAW_TABLE[bytes[i]] / 32768;
      break;
    case 'alaw8':
      for (let i = 0; i < n; i++) out[i] = ALAW_TABLE[bytes[i]] / 32768;
      break;
    default:
      throw new Error(`no decoder for ${format.bitsPerSample}-bit ${format.encoding}`); // parseFmt admits only the cases above
  }
  return out;
}

/** Picks from interleaved samples: all (as is), one channel, or the mean over channels. */
export function pickChannels(interleaved: Float32Array, channels: number, pick: ChannelPick): Float32Array {
  if (pick === 'all' || (channels === 1 && (pick === 'mix' || pick === 0))) return interleaved;
  const frames = interleaved.length / channels,
    out = new Float32Array(frames);
  if (pick === 'mix') {
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c];
      out[f] = sum / channels;
    }
  } else for (let f = 0; f < frames; f++) out[f] = interleaved[f * channels + pick];
  return out;
}

export interface WavStreamOptions extends StreamOptions {
  channel?: ChannelPick;
  /** Frames per chunk yielded. */
  chunkFrames?: number;
  startFrame?: number;
  endFrame?: number;
}

export class WavReader {
  constructor(
    readonly source: RandomAccessSource,
    readonly info: WavInfo,
  ) {}

  static async open(path: string): Promise<WavReader> {
    const src = await openFileSource(path);
    try {
      return new WavReader(src, await readWavInfo(src));
    } catch (err) {
      await src.close();
      throw err;
    }
  }

  get format(): WavFormat {
    return this.info.format;
  }

  private checkPick(pick: ChannelPick): void {
    if (pick !== 'all' && pick !== 'mix' && !(Number.isInteger(pick) && pick >= 0 && pick < this.format.channels)) {
      throw new RangeError(`${this.source.name}: no channel ${pick} (the file has ${this.format.channels})`);
    }
  }

  /** Frames [start, end) as float32: interleaved ('all'), one channel, or mixed down ('mix'). */
  async readFrames(start: number, end: number, pick: ChannelPick = 'all'): Promise<Float32Array> {
    this.checkPick(pick);
    if (!(
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(end) &&
      0 <= start &&
      start <= end &&
      end <= this.info.frames
    )) {
      throw new RangeError(`${this.source.name}: frames [${start}, ${end}) are outside 0..${this.info.frames}`);
    }
    const { blockAlign, channels } = this.format;
    const bytes = await this.source.read(this.info.dataOffset + start * blockAlign, (end - start) * blockAlign);
    if (bytes.length < (end - start) * blockAlign) {
      throw new DataFormatError(
        this.source.name,
        { offset: this.info.dataOffset + start * blockAlign + bytes.length },
        'the file is shorter than when it was opened',
      );
    }
    return pickChannels(decodeSamples(bytes, this.format), channels, pick);
  }

  /** Streams frames in chunks (bounded memory for any length). */
  async *stream(opts: WavStreamOptions = {}): AsyncGenerator<{ frame: number; samples: Float32Array }> {
    const pick = opts.channel ?? 'all';
    this.checkPick(pick);
    const chunkFrames = opts.chunkFrames ?? 65536;
    const start = opts.startFrame ?? 0,
      end = Math.min(opts.endFrame ?? this.info.frames, this.info.frames);
    for (let f = start; f < end; f += chunkFrames) {
      throwIfAborted(opts.signal, this.source.name);
      const stop = Math.min(end, f + chunkFrames);
      const samples = await this.readFrames(f, stop, pick);
      opts.onProgress?.(this.info.dataOffset + stop * this.format.blockAlign, this.source.size);
      yield { frame: f, samples };
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
