// LIST/INFO tags of a WAV file: known ids get names, values are text (HTML stays text), NUL padding
// and odd sizes are handled, code-page bytes decode, sizes are bounded; the audio summary carries them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WavReader } from '../../extension/core/datasets/wav';
import { encodeWav } from '../../extension/core/datasets/wav-writer';
import { MAX_TAG_CHARS, MAX_TAGS, parseInfoList, readWavTags } from '../../extension/core/analysis/wav-tags';

function subchunk(id: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length + (value.length % 2));
  out.set(new TextEncoder().encode(id), 0);
  new DataView(out.buffer).setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}
const z = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const infoList = (subs: Uint8Array[]): Uint8Array => concat([new TextEncoder().encode('INFO'), ...subs]);

test('INFO ids get names; HTML, code-page text, odd sizes and NUL padding come out as plain strings', () => {
  const tags = parseInfoList(
    infoList([
      subchunk('INAM', z('<img src=x onerror=alert(1)>')),
      subchunk('ICMT', Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0])), // "café" in Latin-1
      subchunk('ISFT', z('Lavf58.76.100')), // odd length: padded
      subchunk('IXYZ', z('custom')),
      subchunk('IART', z('')),
    ]),
  );
  assert.deepEqual(tags, {
    title: '<img src=x onerror=alert(1)>',
    comment: 'café',
    software: 'Lavf58.76.100',
    IXYZ: 'custom',
  });
  assert.deepEqual(
    parseInfoList(concat([new TextEncoder().encode('adtl'), subchunk('labl', z('x'))])),
    {},
    'other list types carry no tags',
  );
});

test('bounded: at most MAX_TAGS tags of at most MAX_TAG_CHARS characters; a size past the end is cut', () => {
  const many = Array.from({ length: MAX_TAGS + 10 }, (_, i) => subchunk(`I${String(i).padStart(3, '0')}`, z('v')));
  assert.equal(Object.keys(parseInfoList(infoList(many))).length, MAX_TAGS);
  assert.equal(parseInfoList(infoList([subchunk('ICMT', z('a'.repeat(5000)))])).comment.length, MAX_TAG_CHARS);
  const cut = subchunk('INAM', z('truncated title'));
  new DataView(cut.buffer).setUint32(4, 1 << 20, true);
  assert.deepEqual(parseInfoList(infoList([cut])), { title: 'truncated title' });
});

test('readWavTags finds the LIST chunk after the data of a real file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-tags-'));
  try {
    const wav = encodeWav(
      new Float32Array(800).map((_, i) => Math.sin(i / 9)),
      { encoding: 'pcm', bitsPerSample: 16, channels: 1, sampleRate: 8000 },
    );
    const body = infoList([subchunk('INAM', z('Spoken digits')), subchunk('IART', z('espeak-ng'))]);
    const file = concat([wav, subchunk('LIST', body)]);
    new DataView(file.buffer).setUint32(4, file.length - 8, true);
    const path = join(dir, 'tagged.wav');
    writeFileSync(path, file);
    const reader = await WavReader.open(path);
    try {
      assert.deepEqual(await readWavTags(reader), { title: 'Spoken digits', artist: 'espeak-ng' });
      assert.deepEqual(reader.info.warnings, []);
    } finally {
      await reader.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
