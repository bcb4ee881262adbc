// Stored tracks in record coordinates (binned, several rows), interval lookups, the track
// view's row layout, and the WAV bytes the pane plays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IntervalSet, TrackDescriptor } from '../../protocol/notebook-output';
import { checkIntervals, intervalAt, intervalsIn } from '../../webview/components/interval-lookup';
import { GUTTER, layoutRows, rowAt, surprisalAxisTop } from '../../webview/components/track-layout';
import { TrackSeries } from '../../webview/components/track-series';
import { encodeWav16 } from '../../webview/components/wav-encode';
import { assertClose, TOLERANCE } from '../support/tolerance';

function descriptor(start: number, binSize: number, length: number, rows: number): TrackDescriptor {
  return { block: 't', record: 0, kind: 'delta', label: 'Δ', unit: 'Δ', start, binSize, length, rows, rowLabels: [] };
}

test('track series maps record positions onto bins and rows', () => {
  for (const [start, binSize, length, rows] of [
    [0, 1, 129, 1],
    [1000, 3, 127, 3],
    [5, 16, 1, 2],
  ]) {
    const values = Float32Array.from({ length: rows * length }, () => Math.random());
    const t = new TrackSeries(descriptor(start, binSize, length, rows), values);
    assert.equal(t.rowCount, rows);
    for (let k = 0; k < 50; k++) {
      const row = Math.floor(Math.random() * rows),
        bin = Math.floor(Math.random() * length);
      const p = start + bin * binSize + Math.floor(Math.random() * binSize);
      assert.equal(t.valueAt(p, row), values[row * length + bin], `position ${p} row ${row}`);
    }
    assert.ok(Number.isNaN(t.valueAt(start - 1)) && Number.isNaN(t.valueAt(start + length * binSize)));
    // Summary over a position range = summary over the bins it touches.
    const a = start + binSize,
      b = start + Math.max(2, length - 1) * binSize - 1;
    const s = t.over(a, b, rows - 1);
    let sum = 0,
      count = 0;
    for (let i = t.binOf(a); i < Math.min(length, Math.ceil((b - start) / binSize)); i++) {
      sum += values[(rows - 1) * length + i];
      count++;
    }
    if (count > 0) {
      assert.equal(s.count, count);
      assertClose([s.sum], [sum], TOLERANCE.matmulCpu, 'range sum');
    }
  }
  assert.throws(
    () => new TrackSeries(descriptor(0, 1, 10, 2), new Float32Array(19)),
    /19 values, descriptor says 2 rows of 10/,
  );
});

test('track series pixel bins cover a window in record coordinates, and follow streamed updates', () => {
  const length = 1000,
    values = new Float32Array(length).fill(NaN);
  const t = new TrackSeries(descriptor(500, 1, length, 1), values);
  assert.ok(
    t.pixelBins({ start: 500, end: 1500 }, 100).every((s) => s.count === 0),
    'nothing computed yet',
  );
  values.fill(1.5, 0, 300);
  t.refresh(0, 300);
  const bins = t.pixelBins({ start: 500, end: 1500 }, 100);
  assert.deepEqual(
    bins.map((s) => s.count > 0),
    Array.from({ length: 100 }, (_, i) => i < 30),
  );
  assert.equal(bins[0].sum / bins[0].count, 1.5);
});

const set = (starts: number[], ends: number[]): IntervalSet => ({ record: 0, kind: 'n-run', starts, ends, scores: [] });

test('interval lookups agree with a linear scan', () => {
  const starts: number[] = [],
    ends: number[] = [];
  for (let p = Math.floor(Math.random() * 5); starts.length < 200;) {
    const len = 1 + Math.floor(Math.random() * 9);
    starts.push(p);
    ends.push(p + len);
    p += len + Math.floor(Math.random() * 7);
  }
  const s = set(starts, ends);
  checkIntervals(s);
  const limit = ends[ends.length - 1] + 5;
  for (let k = 0; k < 500; k++) {
    const a = Math.floor(Math.random() * limit),
      b = a + Math.floor(Math.random() * 40);
    assert.deepEqual(
      intervalsIn(s, a, b),
      starts.map((_, i) => i).filter((i) => starts[i] < b && ends[i] > a),
      `[${a}, ${b})`,
    );
    assert.equal(
      intervalAt(s, a),
      starts.findIndex((st, i) => st <= a && a < ends[i]),
      `at ${a}`,
    );
  }
  assert.throws(
    () => checkIntervals(set([0, 5], [6, 9])),
    /interval 1: starts at 5, before the previous one ends \(6\)/,
  );
  assert.throws(() => checkIntervals(set([3], [3])), /end 3 is not after start 3/);
  assert.throws(() => checkIntervals(set([3], [])), /1 starts but 0 ends/);
});

test('layout: rows stack without overlap, hover finds the row, Δ rows stay within budget', () => {
  for (const deltaLayers of [0, 1, 2, 24, 64]) {
    const { rows, height } = layoutRows({
      surprisal: true,
      surprisalReverse: deltaLayers % 2 === 0,
      gc: true,
      deltaLayers,
    });
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i].top >= rows[i - 1].top + rows[i - 1].height, 'no overlap');
    assert.ok(height >= rows[rows.length - 1].top + rows[rows.length - 1].height);
    assert.equal(rows.filter((r) => r.kind === 'delta').length, deltaLayers);
    const deltas = rows.filter((r) => r.kind === 'delta');
    if (deltaLayers) assert.ok(deltas.every((r) => r.height >= 3 && r.height <= 12));
    for (const r of rows) assert.equal(rowAt(rows, r.top + r.height / 2), r);
  }
  assert.equal(
    rowAt(layoutRows({ surprisal: false, surprisalReverse: false, gc: false, deltaLayers: 0 }).rows, 1e6),
    null,
  );
  assert.ok(GUTTER > 0);
});

test('surprisal axis: never below the uniform guide, rounded to half bits', () => {
  assert.equal(surprisalAxisTop(null, 2), 2.5);
  assert.equal(surprisalAxisTop(1.2, 2), 2.5);
  assert.equal(surprisalAxisTop(3.01, 2), 3.5);
  assert.equal(surprisalAxisTop(12.2, 8), 12.5);
});

test('WAV encoding: RIFF header fields and 16-bit samples, clipped, NaN silent', () => {
  const samples = Float32Array.from([0, 0.5, -0.5, 1, -1, 2, -3, NaN]);
  const bytes = encodeWav16(samples, 16000);
  const v = new DataView(bytes.buffer);
  const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  assert.deepEqual([text(0), text(8), text(12), text(36)], ['RIFF', 'WAVE', 'fmt ', 'data']);
  assert.equal(v.getUint32(4, true), bytes.length - 8);
  assert.deepEqual(
    [
      v.getUint16(20, true),
      v.getUint16(22, true),
      v.getUint32(24, true),
      v.getUint32(28, true),
      v.getUint16(32, true),
      v.getUint16(34, true),
    ],
    [1, 1, 16000, 32000, 2, 16],
  );
  assert.equal(v.getUint32(40, true), samples.length * 2);
  const pcm = Array.from({ length: samples.length }, (_, i) => v.getInt16(44 + 2 * i, true));
  assert.deepEqual(pcm, [0, 16384, -16384, 32767, -32768, 32767, -32768, 0]);
  assert.throws(() => encodeWav16(samples, 0), /positive integer/);
});
