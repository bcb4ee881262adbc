// Small FASTA files for the training tests: random bases with N runs and several records,
// written to a fresh temporary directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
