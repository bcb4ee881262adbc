// What the extension host's event loop goes through when a cell loads a model and when the Runs
// view and the training pane read a long run's metrics: the wall time of each and its longest
// stall (test/support/stall-probe.ts: wall time, and this thread's own CPU time between two turns),
// on a random DNA model of about 106 MB and a metrics.jsonl of about 69 MB made in a temp folder.
//
// Build: npx tsc -p tsconfig.json
// Run:   node out/bench/host-stalls.js [--layers 7] [--records 495000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelSource } from '../extension/core/analysis/model-source';
import { parseRange } from '../extension/core/runs/data-range';
import { DEFAULT_HYPER } from '../extension/core/runs/presets';
import { FollowedCurve } from '../extension/core/runs/metric-curve';
import { appendMetric, runFiles } from '../extension/core/runs/run-dir';
import { RunManager } from '../extension/core/runs/run-manager';
import { createRun } from '../extension/core/runs/train-session';
import { writeLongMetrics } from '../test/support/long-metrics';
import { writeRandomDnaModel } from '../test/support/random-dna-model';
import { StallProbe, stallText } from '../test/support/stall-probe';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

async function measure<T>(what: string, work: () => Promise<T>): Promise<T> {
  const probe = new StallProbe();
  const t0 = performance.now();
  const out = await work();
  const ms = performance.now() - t0;
  console.log(`${what}: ${ms.toFixed(0)} ms, ${stallText(await probe.stop())}`);
  return out;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'seqlab-host-stalls-'));
  try {
    const model = await writeRandomDnaModel(join(dir, 'model'), 768, option('layers', 7));
    const source = await measure('model, first load', () => readModelSource(model));
    console.log(`  ${(source.weights.byteLength / 1e6).toFixed(1)} MB of weights for the engine`);
    await measure('model, second load', () => readModelSource(model));

    const run = join(dir, 'run');
    await createRun(run, {
      name: 'long',
      data: [join(dir, 'data.fa')],
      range: parseRange('0%-80%'),
      size: { dModel: 8, nLayer: 1, dState: 4 },
      hyper: DEFAULT_HYPER,
      budget: { steps: 10_000_000 },
      backend: 'cpu',
    });
    const bytes = writeLongMetrics(runFiles(run).metrics, option('records', 495_000));
    console.log(`metrics.jsonl: ${(bytes / 1e6).toFixed(1)} MB`);
    const manager = new RunManager('unused-worker.js');
    await measure('Runs view: one run', () => manager.info(run));
    await measure('Runs view: the same run again', () => manager.info(run));
    const curve = new FollowedCurve(runFiles(run).metrics);
    const records = await measure('training pane: the curve', () => curve.records());
    console.log(`  ${records.length} records sent to the pane`);
    await appendMetric(run, { step: 1e8, tokens: 1, elapsedSec: 1, trainBits: 1.5 });
    await measure('training pane: the curve after a record was appended', () => curve.records());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
