// WAV files that would swell: hundreds of thousands of empty chunks (each a read), LIST chunks
// whose tags add up to megabytes of summary text, and many channels that make a cell's few
// frames cost hundreds of MB. Each is bounded: chunks counted, tags and tag text totalled over
// every LIST chunk, a cell's read counted in bytes and mixed down in chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DataFormatError } from '../../extension/core/datasets/errors';
import { memorySource } from '../../extension/core/datasets/source';
import { MAX_CHUNKS, readWavInfo, WavReader } from '../../extension/core/datasets/wav';
import { encodeWav } from '../../extension/core/datasets/wav-writer';
import { MAX_CELL_BYTES, analyzeAudio } from '../../extension/core/analysis/analyze-audio';
import type { RunContext } from '../../extension/core/analysis/run-context';
import { MAX_TAG_TEXT, MAX_TAGS, readWavTags } from '../../extension/core/analysis/wav-tags';
import { parseCellSpec } from '../../extension/core/notebook/cell-spec';
import type { AudioAnalysisSummary } from '../../protocol/notebook-output';

const ascii = (s: string) => new TextEncoder().encode(s);

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  out.set(ascii(id));
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** RIFF WAVE around `chunks`, its size field right. */
function riff(chunks: Uint8Array[]): Uint8Array {
  const file = concat([ascii('RIFF....WAVE'), ...chunks]);
  new DataView(file.buffer).setUint32(4, file.length - 8, true);
  return file;
}

/** The fmt and data chunks of a short 16-bit mono tone. */
function toneChunks(): Uint8Array[] {
  const wav = encodeWav(
    new Float32Array(400).map((_, i) => Math.sin(i / 5)),
    { encoding: 'pcm', bitsPerSample: 16, channels: 1, sampleRate: 8000 },
  );
  return [wav.subarray(12)];
}

test('empty chunks are counted: at most MAX_CHUNKS are read, and only after fmt and data is the rest skipped', async () => {
  const junk = Array.from({ length: 5000 }, () => chunk('JUNK', new Uint8Array(0)));
  const after = readWavInfo(memorySource('junk-after.wav', riff([...toneChunks(), ...junk])));
  const info = await after;
  assert.equal(info.chunks.length, MAX_CHUNKS);
  assert.equal(info.frames, 400);
  assert.ok(info.warnings.some((w) => w.endsWith(`after ${MAX_CHUNKS} chunks; the rest of the file is not read`)));
  await assert.rejects(readWavInfo(memorySource('junk-first.wav', riff([...junk, ...toneChunks()]))), (err) => {
    assert.ok(err instanceof DataFormatError);
    assert.equal(
      err.message,
      `junk-first.wav: byte ${12 + 8 * MAX_CHUNKS}: more than ${MAX_CHUNKS} chunks without both a "fmt " and a "data" chunk`,
    );
    return true;
  });
});

/** A LIST/INFO chunk of `tags` [id, value] pairs. */
function infoList(tags: Array<[string, string]>): Uint8Array {
  return chunk('LIST', concat([ascii('INFO'), ...tags.map(([id, v]) => chunk(id, ascii(`${v}\0`)))]));
}

async function tagsOf(name: string, bytes: Uint8Array): Promise<Record<string, string>> {
  const src = memorySource(name, bytes);
  return readWavTags(new WavReader(src, await readWavInfo(src)));
}

test('tags are bounded over all LIST chunks together: MAX_TAGS tags and MAX_TAG_TEXT characters', async () => {
  const id = (k: number) => `I${k.toString(36).padStart(3, '0')}`;
  const lists = Array.from({ length: 200 }, (_, l) =>
    infoList(Array.from({ length: 64 }, (_, j): [string, string] => [id(l * 64 + j), `value ${l}.${j}`])),
  );
  const many = await tagsOf('many-lists.wav', riff([...toneChunks(), ...lists]));
  assert.equal(Object.keys(many).length, MAX_TAGS);
  assert.equal(many[id(0)], 'value 0.0', 'the first tags are kept');

  const long = Array.from({ length: 64 }, (_, j): [string, string] => [id(j), 'x'.repeat(1000)]);
  const text = await tagsOf('long-tags.wav', riff([...toneChunks(), infoList(long)]));
  const chars = Object.entries(text).reduce((n, [k, v]) => n + k.length + v.length, 0);
  assert.ok(chars <= MAX_TAG_TEXT && chars > MAX_TAG_TEXT - 1010, `${chars} characters of tags`);
});

test('a 1024-channel file: the cell reads at most MAX_CELL_BYTES of it, mixed down in chunks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-channels-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const channels = 1024,
    rate = 8000,
    frames = 20000,
    align = 2 * channels;
  const fmt = new Uint8Array(16);
  const v = new DataView(fmt.buffer);
  v.setUint16(0, 1, true); // PCM
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, rate * align, true);
  v.setUint16(12, align, true);
  v.setUint16(14, 16, true);
  const dataHeader = chunk('data', new Uint8Array(0));
  new DataView(dataHeader.buffer).setUint32(4, frames * align, true);
  const head = riff([chunk('fmt ', fmt), dataHeader]);
  new DataView(head.buffer).setUint32(4, head.length - 8 + frames * align, true);
  const path = join(dir, 'many-channels.wav');
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  closeSync(fd);
  truncateSync(path, head.length + frames * align); // the samples are a hole of zeros: nothing to write

  const ctx: RunContext = {
    runId: 'channels',
    signal: new AbortController().signal,
    resolveFile: async (p) => p,
    shownPath: (p) => basename(p),
    model: async () => undefined,
    engine: async () => assert.fail('no engine without a model'),
    backend: () => 'cpu',
    show: () => undefined,
  };
  const { summary, blocks } = await analyzeAudio(parseCellSpec(`analyze: ${path}\n`), ctx);
  const audio = (summary as AudioAnalysisSummary).audio;
  const framesRead = Math.round((audio.endS - audio.startS) * rate);
  assert.equal(framesRead, Math.floor(MAX_CELL_BYTES / align));
  assert.equal(blocks.get('samples')?.length, framesRead);
  assert.ok(
    summary.notes.some((n) => n.includes(`${MAX_CELL_BYTES} bytes of the file per cell`)),
    summary.notes.join('; '),
  );
});
