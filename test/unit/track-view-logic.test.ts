// The pure logic under the track views: range summaries against a plain scan, the view
// window's zoom and pan, ruler ticks, the moving mean and surprise regions, the export text
// (BED, CSV, JSON, FASTA) and the heatmap colours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BLOCK, RangeSummary, type Summary } from '../../webview/components/range-summary';
import {
  clampWindow,
  formatPosition,
  MIN_SPAN,
  niceTicks,
  panBy,
  pixelOf,
  positionAt,
  span,
  zoomAt,
} from '../../webview/components/view-window';
import { findSurpriseRegions, meanAndSd, movingMean } from '../../protocol/surprise-regions';
import { bedChrom, bedText, csvField, fastaText, trackCsv, trackJson } from '../../webview/components/export-text';
import { luminance, viridis } from '../../webview/components/color-map';
import { assertClose, TOLERANCE } from '../support/tolerance';

const LENGTHS = [1, 2, 3, BLOCK - 1, BLOCK, BLOCK + 1, 127, 129, 1000, 4099];

function randomTrack(n: number, nanFraction: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.random() < nanFraction ? NaN : Math.random() * 6 - 1;
  return v;
}

function slowSummary(v: Float32Array, start: number, end: number): Summary {
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    count = 0;
  for (let i = Math.max(0, start); i < Math.min(v.length, end); i++) {
    if (Number.isNaN(v[i])) continue;
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
    sum += v[i];
    count++;
  }
  return { min, max, sum, count };
}

function checkQueries(rs: RangeSummary, v: Float32Array, what: string): void {
  const got: number[] = [],
    ref: number[] = [];
  for (let q = 0; q < 200; q++) {
    const a = Math.floor(Math.random() * (v.length + 2)) - 1,
      b = a + Math.floor(Math.random() * (v.length + 2));
    const g = rs.query(a, b),
      r = slowSummary(v, a, b);
    assert.equal(g.count, r.count, `${what} count [${a}, ${b})`);
    assert.equal(g.min, r.min, `${what} min [${a}, ${b})`);
    assert.equal(g.max, r.max, `${what} max [${a}, ${b})`);
    got.push(g.sum);
    ref.push(r.sum);
  }
  assertClose(got, ref, TOLERANCE.matmulCpu, `${what} sums`);
}

test('range summary matches a plain scan on awkward lengths, with gaps', () => {
  for (const n of LENGTHS) {
    const v = randomTrack(n, 0.1);
    checkQueries(new RangeSummary(v), v, `n=${n}`);
  }
});

test('range summary follows streamed chunks (NaN until a chunk lands)', () => {
  for (const n of [129, 1000, 4099]) {
    const v = new Float32Array(n).fill(NaN);
    const rs = new RangeSummary(v);
    assert.equal(rs.query(0, n).count, 0);
    const chunk = 37;
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      for (let i = s; i < e; i++) v[i] = Math.random() * 4;
      rs.refresh(s, e);
      checkQueries(rs, v, `n=${n} after chunk ending ${e}`);
    }
  }
});

test('pixel bins cover the range, each at least one position', () => {
  const v = randomTrack(1000, 0);
  const rs = new RangeSummary(v);
  for (const [start, end, bins] of [
    [0, 1000, 333],
    [10.5, 30.25, 500],
    [990, 1000, 7],
  ] as const) {
    const out = rs.bins(start, end, bins);
    assert.equal(out.length, bins);
    assert.ok(
      out.every((s) => s.count >= 1),
      `bins over [${start}, ${end}) each hold a value`,
    );
  }
  const whole = rs.bins(0, 1000, 100);
  assert.equal(
    whole.reduce((a, s) => a + s.count, 0),
    1000,
    'bins over the whole track partition it',
  );
});

test('view window: zoom keeps the anchored position, pan and zoom stay inside the track', () => {
  const total = 48502;
  let w = clampWindow({ start: 0, end: total }, total);
  for (let step = 0; step < 300; step++) {
    const anchor = Math.random(),
      before = positionAt(w, anchor * 800, 800);
    const factor = Math.random() < 0.5 ? 0.8 : 1.25;
    const next = zoomAt(w, factor, anchor, total);
    assert.ok(
      next.start >= 0 && next.end <= total && span(next) >= MIN_SPAN - 1e-9,
      `window [${next.start}, ${next.end})`,
    );
    const clamped = next.start === 0 || next.end === total || span(next) === MIN_SPAN || span(next) === total;
    if (!clamped)
      assert.ok(Math.abs(positionAt(next, anchor * 800, 800) - before) < 1e-6, 'anchored position stays put');
    w = panBy(next, (Math.random() - 0.5) * span(next), total);
    assert.ok(w.start >= 0 && w.end <= total);
    assert.ok(Math.abs(span(w) - span(next)) < 1e-9, 'panning keeps the span');
  }
  assert.ok(Math.abs(pixelOf(w, positionAt(w, 123, 800), 800) - 123) < 1e-6);
  assert.deepEqual(
    clampWindow({ start: -5, end: 3 }, 2),
    { start: 0, end: 2 },
    'a track shorter than MIN_SPAN shows whole',
  );
  assert.throws(() => clampWindow({ start: 0, end: 1 }, 0), /length must be positive/);
});

test('ruler ticks are round, inside the window, and not too many', () => {
  for (const [start, end] of [
    [0, 48502],
    [1234.5, 1290.2],
    [0, 9],
    [3e6, 3.2e6],
    [1_733_500, 1_733_580],
    [250_000, 250_900],
  ]) {
    for (const maxTicks of [1, 5, 12]) {
      const { step, ticks } = niceTicks({ start, end }, maxTicks);
      const mant = step / 10 ** Math.floor(Math.log10(step));
      assert.ok(
        [1, 2, 5].some((m) => Math.abs(mant - m) < 1e-9),
        `step ${step} is 1, 2 or 5 x 10^k`,
      );
      assert.ok(ticks.length <= maxTicks + 1 && ticks.every((t) => t >= start && t < end && t % step === 0));
      const labels = ticks.map((t) => formatPosition(t, step));
      assert.equal(new Set(labels).size, labels.length, `tick labels repeat: ${labels.join(' ')}`);
    }
  }
});

test('ruler labels: kb and Mb where the ticks are far apart, every digit where they are close', () => {
  assert.deepEqual(
    [1234, 123_456, 1_733_520].map((p) => formatPosition(p)),
    ['1,234', '123.5 kb', '1.73 Mb'],
  );
  assert.deepEqual(
    niceTicks({ start: 1_733_500, end: 1_733_580 }, 4).ticks.map((t, _, all) => formatPosition(t, all[1] - all[0])),
    ['1,733,500', '1,733,520', '1,733,540', '1,733,560'],
  );
  assert.deepEqual([formatPosition(123_450, 50), formatPosition(3_010_000, 10_000)], ['123,450', '3.01 Mb']);
});

test('moving mean matches a direct window average, skipping NaN', () => {
  for (const n of [1, 2, 3, 127, 1000]) {
    for (const window of [1, 2, 5, 50]) {
      const v = randomTrack(n, 0.05);
      const got = movingMean(v, window);
      const before = Math.floor((window - 1) / 2);
      const ref: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = slowSummary(v, i - before, i - before + window);
        ref.push(s.count ? s.sum / s.count : NaN);
      }
      const finite = ref.map((r, i) => [r, got[i]]).filter(([r]) => Number.isFinite(r));
      assert.equal(
        finite.length,
        Array.from(got).filter(Number.isFinite).length,
        'NaN exactly where a window holds no value',
      );
      assertClose(
        finite.map((p) => p[1]),
        finite.map((p) => p[0]),
        TOLERANCE.matmulCpu,
        `moving mean n=${n} w=${window}`,
      );
    }
  }
  assert.throws(() => movingMean([1], 0), /positive integer/);
});

test('surprise regions find planted high stretches, merge near ones and drop short ones', () => {
  const n = 5000,
    v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = 1.9 + Math.random() * 0.2; // near 2 bits, like a model that learned little
  const plant = (s: number, e: number, bits: number) => {
    for (let i = s; i < e; i++) v[i] = bits;
  };
  plant(1000, 1200, 4); // a clear region
  plant(3000, 3050, 4);
  plant(3060, 3100, 4); // two parts closer than mergeGap
  plant(4500, 4503, 9); // too short after smoothing
  const { mean, sd } = meanAndSd(v);
  const regions = findSurpriseRegions(v, { window: 11, thresholdBits: mean + 2 * sd, mergeGap: 20, minLength: 20 });
  assert.equal(regions.length, 2, JSON.stringify(regions));
  assert.ok(Math.abs(regions[0].start - 1000) <= 6 && Math.abs(regions[0].end - 1200) <= 6, JSON.stringify(regions[0]));
  assert.ok(Math.abs(regions[1].start - 3000) <= 6 && Math.abs(regions[1].end - 3100) <= 6, JSON.stringify(regions[1]));
  assert.ok(regions[0].meanBits > 3.8 && regions[0].peakBits === 4);
  assert.throws(
    () => findSurpriseRegions(v, { window: 3, thresholdBits: NaN, mergeGap: 0, minLength: 1 }),
    /threshold/,
  );
});

test('BED export: 0-based half-open, header first word, score in centibits capped at 1000', () => {
  const text = bedText(
    'NC_001416.1 Enterobacteria phage lambda',
    [
      { start: 0, end: 10, meanBits: 2.345 },
      { start: 100, end: 150, meanBits: 12 },
    ],
    '+',
  );
  assert.equal(
    text,
    'NC_001416.1\t0\t10\thigh_surprisal_1\t235\t+\nNC_001416.1\t100\t150\thigh_surprisal_2\t1000\t+\n',
  );
  assert.equal(bedChrom('  chr17 part'), 'chr17');
  assert.throws(() => bedChrom('   '), /empty header/);
  assert.equal(bedText('x', []), '');
});

test('CSV and JSON export: escaped text, formula guard, 1-based positions, empty for missing', () => {
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('plain'), 'plain');
  const s = new Float32Array([1.5, NaN, 0.123456789]),
    gc = new Float32Array([50, 50, 100 / 3]);
  const csv = trackCsv('<img src=x onerror=alert(1)>', 0, 'ACg', [
    { name: 'surprisal_bits', values: s },
    { name: 'gc_percent', values: gc },
  ]);
  assert.equal(
    csv,
    'record,position,base,surprisal_bits,gc_percent\n' +
      '<img src=x onerror=alert(1)>,1,A,1.5,50\n<img src=x onerror=alert(1)>,2,C,,50\n<img src=x onerror=alert(1)>,3,g,0.123457,33.3333\n',
  );
  assert.equal(
    trackCsv('speech.wav', 16000, null, [{ name: 'amplitude', values: [0.25] }]),
    'record,position,amplitude\nspeech.wav,16001,0.25\n',
  );
  const json = JSON.parse(trackJson('r1', 9, [{ name: 'surprisal_bits', values: s.subarray(1) }]));
  assert.deepEqual(json, { record: 'r1', start: 10, end: 11, columns: { surprisal_bits: [null, 0.123457] } });
  assert.throws(() => trackCsv('r', 0, 'AC', [{ name: 'short', values: [1] }]), /2 bases for 1 rows/);
  assert.throws(
    () =>
      trackCsv('r', 0, null, [
        { name: 'a', values: [1, 2] },
        { name: 'b', values: [1] },
      ]),
    /column b has 1 values, the export has 2 rows/,
  );
});

test('FASTA export wraps at 60 letters and keeps the header on one line', () => {
  const seq = 'ACGT'.repeat(40);
  const text = fastaText('gen 1\nfrom model', seq);
  const lines = text.split('\n');
  assert.equal(lines[0], '>gen 1 from model');
  assert.deepEqual(
    lines.slice(1, -1).map((l) => l.length),
    [60, 60, 40],
  );
  assert.equal(lines.slice(1).join(''), seq);
});

test('viridis lightness rises monotonically, so the heatmap reads in every theme', () => {
  let last = -1;
  for (let i = 0; i <= 100; i++) {
    const l = luminance(viridis(i / 100));
    assert.ok(l > last, `luminance at ${i / 100}`);
    last = l;
  }
  assert.deepEqual(viridis(-3), viridis(0));
  assert.deepEqual(viridis(NaN), viridis(0));
  assert.deepEqual(viridis(1), [253, 231, 37]);
});
