// The renderer's pure half: decoding a packed output (the host's codec) into what the views draw,
// high-surprisal regions when an output carries none, and the files it builds for the host to save.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AudioAnalysisSummary, DnaAnalysisSummary, TrackDescriptor } from '../../protocol/notebook-output';
import { parseExportRequest } from '../../protocol/renderer-messages';
import { UNTRAINED_NOTE } from '../../extension/core/analysis/run-context';
import { decodeOutput, encodeOutput, type Block } from '../../protocol/track-codec';
import { UNTRAINED_WARNING } from '../../webview/components/summary-text';
import { audioExport, base64, dnaExport, fileStem, MAX_EXPORT_ROWS } from '../../webview/renderer/exports';
import { audioInput, dnaInput, OutputError } from '../../webview/renderer/output-model';
import { DNA_REGIONS, highSurprisal } from '../../protocol/surprise-regions';
import { TrackSeries } from '../../webview/components/track-series';

const track = (
  block: string,
  record: number,
  kind: TrackDescriptor['kind'],
  start: number,
  binSize: number,
  length: number,
  rows = 1,
): TrackDescriptor => ({
  block,
  record,
  kind,
  label: kind,
  unit: kind === 'gc' ? '%' : 'bits',
  start,
  binSize,
  length,
  rows,
  rowLabels: [],
});

/** Two records; the second analyzed from position 100 (a region), GC in 10-base windows, Δ of 2 layers. */
function dnaOutput(): { summary: DnaAnalysisSummary; blocks: Map<string, Block> } {
  const n = 200,
    letters = new TextEncoder().encode('ACGTacgtNN'.repeat(20));
  const surprisal = Float32Array.from({ length: n }, (_, i) => (i >= 120 && i < 150 ? 6 : 1.8 + 0.01 * (i % 7)));
  surprisal[0] = NaN;
  const blocks = new Map<string, Block>([
    ['a/seq', letters.slice(0, 50)],
    ['b/seq', letters],
    ['b/s', surprisal],
    ['b/gc', Float32Array.from({ length: 20 }, (_, w) => w * 5)],
    ['b/d', Float32Array.from({ length: 2 * n }, (_, i) => i / 1000)],
  ]);
  const record = (index: number, name: string, start: number, length: number) => ({
    index,
    name,
    description: 'd',
    length: 10_000,
    start,
    end: start + length,
    gcPercent: 50,
    nCount: 0,
    softMaskedCount: 0,
    bitsPerBase: 2,
    bitsPerBaseReverse: null,
  });
  const summary: DnaAnalysisSummary = {
    schema: 1,
    id: 'run-1',
    kind: 'dna-analysis',
    file: 'x.fa',
    model: null,
    engine: null,
    timings: { readMs: 0, loadModelMs: 0, computeMs: 0, totalMs: 0 },
    tracks: [
      track('a/seq', 0, 'sequence', 0, 1, 50),
      track('b/seq', 1, 'sequence', 100, 1, n),
      track('b/s', 1, 'surprisal', 100, 1, n),
      track('b/gc', 1, 'gc', 100, 10, 20),
      track('b/d', 1, 'delta', 100, 1, n, 2),
    ],
    intervals: [{ record: 1, kind: 'n-run', starts: [108, 118], ends: [110, 120], scores: [] }],
    notes: [],
    records: [record(3, 'chrA', 0, 50), record(7, 'chr|B weird/name', 100, n)],
  };
  return decodeOutput(encodeOutput(summary, blocks)) as { summary: DnaAnalysisSummary; blocks: Map<string, Block> };
}

test("a DNA output decodes into each record's tracks, by place in the record list", () => {
  const { summary, blocks } = dnaOutput();
  const a = dnaInput(summary, blocks, 0);
  assert.equal(a.record.name, 'chrA');
  assert.equal(a.surprisal, null);
  assert.equal(a.bases?.codes.length, 50);
  const b = dnaInput(summary, blocks, 1);
  assert.equal(b.record.name, 'chr|B weird/name');
  assert.equal(b.gc?.valueAt(135), 15, 'GC window of position 135 (record coordinates, window 10 from 100)');
  assert.equal(b.delta?.valueAt(101, 1), Math.fround((200 + 1) / 1000));
  assert.equal(String.fromCharCode(b.bases!.codes[104 - b.bases!.start]), 'a');
  const high = b.intervals.find((s) => s.kind === 'high-surprisal');
  assert.ok(high && high.starts.length === 1, `one high-surprisal region: ${JSON.stringify(high)}`);
  assert.ok(
    Math.abs(high.starts[0] - 220) <= DNA_REGIONS.window && Math.abs(high.ends[0] - 250) <= DNA_REGIONS.window,
    `region ${high.starts[0]}-${high.ends[0]} around 220-250`,
  );
  assert.throws(() => dnaInput(summary, blocks, 2), OutputError);
});

test('high-surprisal regions follow a binned track into record positions', () => {
  const values = Float32Array.from({ length: 300 }, (_, i) => (i >= 100 && i < 140 ? 9 : 2));
  const t = new TrackSeries(track('s', 0, 'surprisal', 1000, 4, 300), values);
  const set = highSurprisal(t.descriptor, t.values, 0, 'high-surprisal', { window: 5, mergeGap: 5, minLength: 5 });
  assert.equal(set.starts.length, 1);
  assert.ok(
    Math.abs(set.starts[0] - 1400) <= 12 && Math.abs(set.ends[0] - 1560) <= 12,
    `${set.starts[0]}-${set.ends[0]}`,
  );
  assert.equal(set.scores[0] > 8, true);
});

test('DNA exports: BED of the regions shown, CSV/JSON of the visible positions with a safe file name', () => {
  const { summary, blocks } = dnaOutput();
  const input = dnaInput(summary, blocks, 1);
  const bed = dnaExport('bed', input, { start: 100, end: 300 });
  assert.equal(bed.suggestedName, 'chr_B.high-surprisal.bed');
  assert.match(bed.content, /^chr\|B\t2\d\d\t2\d\d\thigh_surprisal_1\t\d+\t\.\n$/);
  const csv = dnaExport('csv', input, { start: 118.5, end: 122 });
  assert.equal(csv.suggestedName, 'chr_B.119-122.csv');
  const lines = csv.content.trim().split('\n');
  assert.equal(lines[0], 'record,position,base,surprisal_bits,gc_percent,delta_layer0,delta_layer1');
  assert.equal(lines.length, 5);
  assert.equal(lines[1], 'chr|B weird/name,119,N,1.84,5,0.018,0.218');
  const json = JSON.parse(dnaExport('json', input, { start: 0, end: 102 }).content);
  assert.deepEqual(json.columns.surprisal_bits, [null, 1.81]);
  assert.equal(json.start, 101);
  const long = { ...input, record: { ...input.record, end: 100 + MAX_EXPORT_ROWS + 10 } };
  assert.throws(() => dnaExport('csv', long, { start: 0, end: Infinity }), /1,000,010 positions are visible; zoom in/);
  assert.equal(fileStem('|||'), 'seqlab');
  assert.equal(fileStem('../..//etc'), 'etc');
  assert.equal(fileStem('gi|9626243|ref|NC_001416.1|'), 'gi_9626243_ref_NC_001416.1');
  // The host accepts what the renderer sends (its own check of every field).
  for (const name of ['../..//etc', '<img src=x>', 'chr1:100-200', ' spaced ']) {
    const r = parseExportRequest(
      dnaExport('json', { ...input, record: { ...input.record, name } }, { start: 100, end: 110 }),
    );
    assert.ok(!r.suggestedName.includes('/'), r.suggestedName);
  }
});

function audioOutput(): { summary: AudioAnalysisSummary; blocks: Map<string, Block> } {
  const n = 1600;
  const samples = Float32Array.from({ length: n }, (_, i) => Math.sin(i / 5) * 0.5);
  const surprisal = Float32Array.from({ length: n }, (_, i) => (i >= 800 && i < 1000 ? 9 : 4));
  const blocks = new Map<string, Block>([
    ['samples', samples],
    ['surprisal', surprisal],
  ]);
  const summary: AudioAnalysisSummary = {
    schema: 1,
    id: 'run-2',
    kind: 'audio-analysis',
    file: 'sounds/speech.wav',
    model: null,
    engine: null,
    timings: { readMs: 0, loadModelMs: 0, computeMs: 0, totalMs: 0 },
    tracks: [track('samples', 0, 'samples', 8000, 1, n), { ...track('surprisal', 0, 'surprisal', 8000, 1, n) }],
    intervals: [],
    notes: [],
    audio: {
      sampleRate: 16000,
      channels: 1,
      bitsPerSampleFormat: 16,
      durationS: 1,
      modelRate: 8000,
      startS: 1,
      endS: 1.2,
      bitsPerSample: 4.5,
      tags: {},
    },
  };
  return decodeOutput(encodeOutput(summary, blocks)) as { summary: AudioAnalysisSummary; blocks: Map<string, Block> };
}

test('an audio output decodes into samples at the model rate with unusual regions, and exports CSV and WAV', () => {
  const { summary, blocks } = audioOutput();
  const input = audioInput(summary, blocks);
  assert.equal(input.sampleRate, 8000);
  assert.equal(input.start, 8000);
  const unusual = input.intervals.find((s) => s.kind === 'unusual-audio');
  assert.ok(
    unusual &&
      unusual.starts.length === 1 &&
      Math.abs(unusual.starts[0] - 8800) <= 80 &&
      Math.abs(unusual.ends[0] - 9000) <= 80,
    JSON.stringify(unusual),
  );
  const csv = audioExport('csv', input, 'speech.wav', { start: 8000, end: 8003 });
  assert.equal(csv.suggestedName, 'speech.8001-8003.csv');
  assert.equal(
    csv.content,
    'record,position,amplitude,surprisal_bits\nspeech.wav,8001,0,4\nspeech.wav,8002,0.0993347,4\nspeech.wav,8003,0.194709,4\n',
  );
  const wav = audioExport('wav', input, 'speech.wav', { start: 0, end: 1 });
  assert.equal(wav.encoding, 'base64');
  assert.deepEqual(parseExportRequest(wav), wav);
  const bytes = Buffer.from(wav.content, 'base64');
  assert.equal(bytes.length, 44 + 2 * 1600);
  assert.equal(bytes.readUInt32LE(24), 8000);
  assert.equal(base64(new Uint8Array([0, 255, 1])), 'AP8B');
  const noSamples = { ...summary, tracks: summary.tracks.filter((t) => t.kind !== 'samples') };
  assert.throws(() => audioInput(noSamples, blocks), /has no samples block/);
});

test('the untrained banner says what the host notes', () => {
  assert.equal(UNTRAINED_WARNING, UNTRAINED_NOTE);
});
