// Small FASTA files for the training tests: random bases with N runs and several records,
// written to a fresh temporary directory; and the tiny CPU run those tests train on them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRange } from '../../extension/core/runs/data-range';
import { DEFAULT_HYPER, type TrainHyper } from '../../extension/core/runs/presets';
import type { RunSpec } from '../../extension/core/runs/run-dir';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `seqlab-${prefix}-`));
}

export function randomBases(n: number, rand: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < n; i++) s += 'ACGT'[Math.floor(rand() * 4)];
  return s;
}

/** Writes a FASTA file of records (name -> sequence), wrapped at 60 columns. */
export function writeFasta(path: string, records: Record<string, string>): string {
  const text = Object.entries(records)
    .map(([name, seq]) => `>${name} test record\n${seq.replace(/(.{60})/g, '$1\n')}\n`)
    .join('');
  writeFileSync(path, text);
  return path;
}

/** A run of `steps` steps on the first 90% of `file`: d_model 8, 2 layers, 3 windows of 24 per step, on the CPU. */
export function tinyRunSpec(name: string, file: string, steps: number, hyper: Partial<TrainHyper> = {}): RunSpec {
  return {
    name,
    data: [file],
    range: parseRange('0%-90%'),
    size: { dModel: 8, nLayer: 2, dState: 4 },
    hyper: {
      ...DEFAULT_HYPER,
      batch: 3,
      length: 24,
      warmupSteps: 3,
      evalEvery: 1,
      checkpointEvery: 4,
      valWindows: 4,
      valFraction: 0.1,
      ...hyper,
    },
    budget: { steps },
    backend: 'cpu',
  };
}
