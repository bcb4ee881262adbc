// Reading a run's metrics.jsonl on the extension host: a NaN loss (null in JSON) is a record with
// that value missing; the Runs view reads a 69 MB file's latest records from its end and then only
// what was appended, the training pane streams the whole file into a bounded curve whose latest
// records are exact, neither holding the event loop for 50 ms; torn and replaced files are read
// as they are.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CURVE_POINTS, FollowedCurve, MetricCurve } from '../../extension/core/runs/metric-curve';
import { latestMetrics, MetricsFollower, parseMetricLine } from '../../extension/core/runs/metrics-reader';
import { parseRange } from '../../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../../extension/core/runs/presets';
import { dropMetricsFrom, readMetrics, runFiles } from '../../extension/core/runs/run-dir';
import { writeFileAtomic } from '../../extension/core/runs/atomic-file';
import { RunManager } from '../../extension/core/runs/run-manager';
import { createRun } from '../../extension/core/runs/train-session';
import type { MetricRecord } from '../../protocol/training-messages';
import { longRunRecord, writeLongMetrics } from '../support/long-metrics';
import { StallProbe, stallText } from '../support/stall-probe';

const tmp = mkdtempSync(join(tmpdir(), 'seqlab-run-metrics-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const line = (r: object): string => JSON.stringify(r) + '\n';

/** A run folder whose metrics.jsonl holds `records` records of a long run. */
async function longRun(name: string, records: number): Promise<string> {
  const dir = join(tmp, name);
  await createRun(dir, {
    name,
    data: [join(tmp, 'data.fa')],
    range: parseRange('0%-80%'),
    size: { dModel: 8, nLayer: 1, dState: 4 },
    hyper: DEFAULT_HYPER,
    budget: { steps: 100_000_000 },
    backend: 'cpu',
  });
  writeLongMetrics(runFiles(dir).metrics, records);
  return dir;
}

const LONG = 495_000; // about 69 MB
let long: string;
before(async () => {
  long = await longRun('long', LONG);
});

test('a record with a NaN loss (null in JSON) is read with that value missing, and dropped on resume like the rest', async () => {
  const dir = join(tmp, 'nan');
  await createRun(dir, {
    name: 'nan',
    data: [join(tmp, 'data.fa')],
    range: parseRange('0%-80%'),
    size: { dModel: 8, nLayer: 1, dState: 4 },
    hyper: DEFAULT_HYPER,
    budget: { steps: 100 },
    backend: 'cpu',
  });
  writeFileSync(
    runFiles(dir).metrics,
    line({ step: 10, tokens: 100, elapsedSec: 1, trainBits: 2 }) +
      line({ step: 20, tokens: 200, elapsedSec: 2, trainBits: NaN, valBits: 1.5 }) +
      line({ step: null, tokens: 300, elapsedSec: 3 }),
  );
  assert.deepEqual(await readMetrics(dir), [
    { step: 10, tokens: 100, elapsedSec: 1, trainBits: 2 },
    { step: 20, tokens: 200, elapsedSec: 2, valBits: 1.5 },
  ]);
  assert.equal((await new RunManager('unused.js').info(dir)).lastValBits, 1.5);
  await dropMetricsFrom(dir, 15);
  assert.deepEqual(
    (await readMetrics(dir)).map((m) => m.step),
    [10],
  );
});

test('the Runs view reads the latest records of a 69 MB metrics.jsonl from its end, then only what was appended', async () => {
  const manager = new RunManager('unused.js');
  const probe = new StallProbe();
  const t0 = performance.now();
  const info = await manager.info(long);
  const ms = performance.now() - t0;
  const stalls = await probe.stop();
  console.log(`Runs view, 69 MB of metrics: ${ms.toFixed(0)} ms, ${stallText(stalls)}`);
  assert.ok((stalls.busyMs ?? stalls.wallMs) < 50, stallText(stalls));
  assert.equal(info.lastValBits, longRunRecord(LONG - 1).valBits);

  appendFileSync(runFiles(long).metrics, line({ step: 1e8, tokens: 1, elapsedSec: 1, valBits: 0.5 }));
  assert.equal((await manager.info(long)).lastValBits, 0.5);
  appendFileSync(runFiles(long).metrics, line({ step: 1e8 + 1, tokens: 1, elapsedSec: 1, trainBits: 0.7 }));
  assert.equal((await manager.info(long)).lastValBits, 0.5, 'the last validation loss comes from the earlier read');
});

test('the training pane streams a 69 MB metrics.jsonl into a bounded curve with exact latest records', async () => {
  const curve = new FollowedCurve(runFiles(long).metrics);
  const probe = new StallProbe();
  const t0 = performance.now();
  const records = await curve.records();
  const ms = performance.now() - t0;
  const stalls = await probe.stop();
  console.log(`pane, 69 MB of metrics: ${ms.toFixed(0)} ms, ${records.length} records, ${stallText(stalls)}`);
  assert.ok((stalls.busyMs ?? stalls.wallMs) < 50, stallText(stalls));
  assert.ok(records.length <= CURVE_POINTS * 1.25 + 3, `${records.length} records`);
  const all = await readMetrics(long);
  assert.deepEqual(records[0], all[0]);
  assert.deepEqual(records[records.length - 1], all[all.length - 1]);
  const lastVal = (rs: MetricRecord[]) => [...rs].reverse().find((r) => r.valBits !== undefined);
  assert.deepEqual(lastVal(records), lastVal(all));

  const more = { step: 2e8, tokens: 2, elapsedSec: 2, trainBits: 0.25 };
  appendFileSync(runFiles(long).metrics, line(more));
  const probe2 = new StallProbe();
  const appended = await curve.records();
  const again = await probe2.stop();
  assert.ok((again.busyMs ?? again.wallMs) < 50, stallText(again));
  assert.deepEqual(appended.at(-1), more);
  assert.ok(appended.length <= CURVE_POINTS * 1.25 + 3);
});

test('the curve keeps every k-th record, every validation loss while they are few, and the latest exactly', () => {
  const curve = new MetricCurve(100);
  const all: MetricRecord[] = [];
  for (let i = 0; i < 1000; i++) all.push(longRunRecord(i, 1, 50));
  all.push({ step: 1001, tokens: 1, elapsedSec: 1 }); // no loss at all: the latest losses are further back
  for (const r of all) curve.add(r);
  const got = curve.records();
  const vals = all.filter((r) => r.valBits !== undefined);
  assert.ok(got.length <= 125 + 3, `${got.length}`);
  assert.deepEqual(
    got.filter((r) => r.valBits !== undefined),
    vals,
    'all 20 validation losses',
  );
  const train = got.filter((r) => r.valBits === undefined && r.trainBits !== undefined).map((r) => r.step);
  const gaps = new Set(train.slice(1, -1).map((s, i) => s - train[i]));
  assert.deepEqual([...gaps], [16], 'evenly spaced: every 16th record');
  assert.deepEqual(got.at(-1), all.at(-1));
  assert.deepEqual(got.at(-2), all.at(-2), 'the last training loss');
  curve.clear();
  assert.deepEqual(curve.records(), []);
});

test('a line still being written is read once it is whole; a replaced file is read from its start', async () => {
  const path = join(tmp, 'torn.jsonl');
  const a = { step: 1, tokens: 1, elapsedSec: 1, trainBits: 3 },
    b = { step: 2, tokens: 2, elapsedSec: 2, trainBits: 2, valBits: 2.5 },
    c = { step: 3, tokens: 3, elapsedSec: 3, trainBits: 1 };
  writeFileSync(path, line(a) + line(b).slice(0, 20));
  const follower = new MetricsFollower(path);
  const seen: MetricRecord[] = [];
  let restarts = 0;
  const read = () =>
    follower.read(
      (r) => seen.push(r),
      () => restarts++,
    );
  await read();
  const first = await latestMetrics(path);
  assert.deepEqual([seen, first?.last, first?.lastVal], [[a], a, undefined]);
  appendFileSync(path, line(b).slice(20));
  await read();
  const second = await latestMetrics(path, first);
  assert.deepEqual([seen, second?.last, second?.lastVal], [[a, b], b, b]);
  appendFileSync(path, JSON.stringify(c)); // whole, without its newline (a crash after the write)
  await read();
  const third = await latestMetrics(path, second);
  assert.deepEqual([seen, third?.last, third?.lastVal], [[a, b, c], c, b]);

  await writeFileAtomic(path, line(a)); // a resume rewrites the file
  await read();
  assert.deepEqual([seen, restarts], [[a, b, c, a], 1]);
  const fourth = await latestMetrics(path, third);
  assert.deepEqual([fourth?.last, fourth?.lastVal], [a, undefined]);
  rmSync(path);
  assert.equal(await latestMetrics(path, fourth), undefined);
});

test('lines that hold no object are skipped before JSON.parse: 500,000 of them in well under a second', () => {
  const lines = ['  {"step": 1, "tokens": 2, "elapsedSec": 3}', ...Array<string>(500_000).fill('    0,'), '[1]', '"x"'];
  const t0 = performance.now();
  const records = lines.map(parseMetricLine).filter((r) => r !== undefined);
  const ms = performance.now() - t0;
  assert.deepEqual(records, [{ step: 1, tokens: 2, elapsedSec: 3 }]);
  // Each SyntaxError thrown and caught cost about 6 us: 3 s for these.
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
});

test('a line far longer than a read is joined once: 16 MB of it between two records reads in well under a second', async () => {
  const path = join(tmp, 'long-line.jsonl');
  writeFileSync(path, line(longRunRecord(0)) + 'x'.repeat(16 << 20) + '\n' + line(longRunRecord(1)));
  const records: MetricRecord[] = [];
  const t0 = performance.now();
  await new MetricsFollower(path).read(
    (r) => records.push(r),
    () => undefined,
  );
  const ms = performance.now() - t0;
  assert.deepEqual(records, [longRunRecord(0), longRunRecord(1)]);
  // Copied and searched again with every chunk read, it took seconds.
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
});
