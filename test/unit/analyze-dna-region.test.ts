// A `region:` larger than a cell analyzes is read only as far as the cell uses it: the reader is
// asked for MAX_CELL_BASES bases, not for the whole region to be cut afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { IndexedFasta } from '../../extension/core/datasets/fasta-index';
import { MAX_CELL_BASES, analyzeDna } from '../../extension/core/analysis/analyze-dna';
import type { RunContext } from '../../extension/core/analysis/run-context';
import { parseCellSpec } from '../../extension/core/notebook/cell-spec';
import type { DnaAnalysisSummary } from '../../protocol/notebook-output';

test('region: beyond MAX_CELL_BASES reads only the first MAX_CELL_BASES bases of it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-region-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const length = MAX_CELL_BASES + 100_000;
  const line = 'ACGTTGCAAC'.repeat(6);
  const path = join(dir, 'long.fa');
  writeFileSync(path, `>a\n${`${line}\n`.repeat(Math.ceil(length / 60))}`);
  const asked: number[] = [];
  const readBases = IndexedFasta.prototype.readBases;
  t.mock.method(
    IndexedFasta.prototype,
    'readBases',
    function (this: IndexedFasta, ...args: Parameters<typeof readBases>) {
      asked.push(args[2] - args[1]);
      return readBases.apply(this, args);
    },
  );
  const ctx: RunContext = {
    runId: 'region',
    signal: new AbortController().signal,
    resolveFile: async (p) => p,
    shownPath: (p) => basename(p),
    model: async () => undefined,
    engine: async () => assert.fail('no engine without a model'),
    backend: () => 'cpu',
    show: () => undefined,
  };
  const { summary } = await analyzeDna(parseCellSpec(`analyze: ${path}\nregion: a:1-100000000\n`), ctx);
  assert.deepEqual(asked, [MAX_CELL_BASES]);
  const rec = (summary as DnaAnalysisSummary).records[0];
  assert.deepEqual([rec.start, rec.end, rec.length], [0, MAX_CELL_BASES, Math.ceil(length / 60) * 60]);
  assert.ok(
    summary.notes.includes(
      `record a: analyzed the first ${MAX_CELL_BASES} of ${Math.ceil(length / 60) * 60} bases (at most ${MAX_CELL_BASES} per cell; use region: for more)`,
    ),
    summary.notes.join('; '),
  );
});
