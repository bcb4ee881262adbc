// The training pane's loss chart geometry: every record's value placed where the axes say,
// the step axis reaching the budget, nice ticks whose labels read back as their values, and
// a fresh model's first loss kept from flattening a long curve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricRecord } from '../../protocol/training-messages';
import { lossChartLayout, niceStep, type LossChartLayout } from '../../webview/training/chart-layout';

const SIZE = { width: 733, height: 331 };

/** Records as a session writes them: validation at step 0 and every `evalEvery`, training every 10 steps. */
function randomRun(steps: number, evalEvery: number): MetricRecord[] {
  const out: MetricRecord[] = [{ step: 0, tokens: 0, elapsedSec: 0, valBits: 3.9 + Math.random() * 0.1 }];
  for (let s = 1; s <= steps; s++) {
    const r: MetricRecord = { step: s, tokens: s * 4096, elapsedSec: s * 0.3 };
    const level = 1.9 + 2 * Math.exp(-s / 40);
    if (s % 10 === 0 || s === steps) r.trainBits = level + (Math.random() - 0.5) * 0.1;
    if (s % evalEvery === 0 || s === steps) r.valBits = level + Math.random() * 0.05;
    if (r.trainBits !== undefined || r.valBits !== undefined) out.push(r);
  }
  return out;
}

/** The value at pixel y, from the layout's own ticks (linear through the first and last). */
function valueAt(l: LossChartLayout, y: number): number {
  const a = l.yTicks[0],
    b = l.yTicks[l.yTicks.length - 1];
  return a.value + ((y - a.at) * (b.value - a.value)) / (b.at - a.at);
}

test('no values yet: no layout', () => {
  assert.equal(lossChartLayout([], SIZE), undefined);
  assert.equal(lossChartLayout([{ step: 0, tokens: 0, elapsedSec: 0 }], SIZE, 60), undefined);
});

test('every training and validation value is placed, in step order, where the axes read it back', () => {
  for (const steps of [1, 2, 3, 59, 127, 129, 1000]) {
    const records = randomRun(steps, 100);
    const budget = steps + Math.floor(Math.random() * steps);
    const l = lossChartLayout(records, SIZE, budget);
    assert.ok(l, `a layout for ${steps} steps`);
    const want = (key: 'trainBits' | 'valBits') =>
      records.filter((r) => r[key] !== undefined).map((r) => [r.step, r[key]]);
    assert.deepEqual(
      l.train.map((p) => [p.step, p.bits]),
      want('trainBits'),
    );
    assert.deepEqual(
      l.val.map((p) => [p.step, p.bits]),
      want('valBits'),
    );
    const xAt = (s: number) => l.plot.left + ((l.plot.right - l.plot.left) * s) / Math.max(1, budget, steps);
    for (const p of [...l.train, ...l.val]) {
      assert.ok(Math.abs(p.x - xAt(p.step)) < 1e-9, `step ${p.step} at x ${p.x}`);
      assert.ok(p.y >= l.plot.top - 1e-9 && p.y <= l.plot.bottom + 1e-9, `y ${p.y} outside the plot`);
      if (!p.clipped)
        assert.ok(Math.abs(valueAt(l, p.y) - p.bits) < 1e-9, `${p.bits} bits drawn at ${valueAt(l, p.y)}`);
      else assert.equal(p.y, l.plot.top);
    }
  }
});

test('the step axis runs from 0 to the budget, or to the last step past it or without one', () => {
  const records: MetricRecord[] = [
    { step: 0, tokens: 0, elapsedSec: 0, valBits: 4 },
    { step: 30, tokens: 1, elapsedSec: 1, trainBits: 3 },
  ];
  const half = lossChartLayout(records, SIZE, 60);
  assert.ok(half);
  assert.equal(half.val[0].x, half.plot.left);
  assert.equal(half.train[0].x, (half.plot.left + half.plot.right) / 2);
  for (const l of [lossChartLayout(records, SIZE), lossChartLayout(records, SIZE, 20)]) {
    assert.ok(l);
    assert.equal(l.train[0].x, l.plot.right);
  }
});

test('ticks are 1, 2 or 5 x 10^k apart, inside the plot, and labelled with their values', () => {
  for (const steps of [1, 3, 127, 1000, 123_457]) {
    const l = lossChartLayout(
      randomRun(Math.min(steps, 2000), 50).map((r) => ({
        ...r,
        step: Math.round((r.step * steps) / Math.min(steps, 2000)),
      })),
      SIZE,
      steps,
    );
    assert.ok(l);
    for (const ticks of [l.xTicks, l.yTicks]) {
      assert.ok(ticks.length >= 2, `${ticks.length} ticks`);
      const gap = ticks[1].value - ticks[0].value;
      const mantissa = gap / 10 ** Math.floor(Math.log10(gap) + 1e-9);
      assert.ok(
        [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9),
        `tick gap ${gap}`,
      );
      ticks.forEach((t, i) => {
        assert.ok(
          Math.abs(Number(t.label.replace(/,/g, '')) - t.value) <= gap / 100,
          `label ${t.label} for ${t.value}`,
        );
        if (i > 0) assert.ok(Math.abs(t.value - ticks[i - 1].value - gap) < gap * 1e-9);
      });
    }
    assert.equal(l.xTicks[0].value, 0);
    assert.ok(l.xTicks.every((t) => Number.isInteger(t.value) && t.at >= l.plot.left && t.at <= l.plot.right + 1e-9));
    assert.ok(l.yTicks.every((t) => t.at >= l.plot.top - 1e-9 && t.at <= l.plot.bottom + 1e-9));
  }
});

test("a fresh model's first loss is clipped in a long run, kept in a short one", () => {
  const long = randomRun(1000, 100);
  long[1].trainBits = 9; // one outlier among more than 50 values
  const l = lossChartLayout(long, SIZE, 1000);
  assert.ok(l);
  const first = l.train[0];
  assert.ok(first.clipped && first.y === l.plot.top);
  assert.ok(l.train.slice(1).every((p) => !p.clipped));
  const short = lossChartLayout(
    randomRun(30, 100).map((r, i) => (i === 1 ? { ...r, trainBits: 9 } : r)),
    SIZE,
    30,
  );
  assert.ok(short);
  assert.ok([...short.train, ...short.val].every((p) => !p.clipped));
});

test('niceStep: the smallest 1, 2, 5 x 10^k covering span / ticks', () => {
  for (let i = 0; i < 200; i++) {
    const span = 10 ** (Math.random() * 12 - 6),
      ticks = 1 + Math.floor(Math.random() * 9);
    const s = niceStep(span, ticks);
    assert.ok(s >= (span / ticks) * (1 - 1e-12), `${s} < ${span}/${ticks}`);
    const mag = 10 ** Math.floor(Math.log10(s) + 1e-9),
      m = s / mag;
    assert.ok(
      [1, 2, 5].some((k) => Math.abs(m - k) < 1e-9),
      `${s}`,
    );
    const smaller = m === 1 ? 0.5 * s : m === 2 ? s / 2 : 0.4 * s;
    assert.ok(smaller < (span / ticks) * (1 - 1e-12), `${smaller} would do for ${span}/${ticks}`);
  }
});
