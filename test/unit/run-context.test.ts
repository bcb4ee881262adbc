// What a stopped run keeps: the last intermediate picture, its progress note replaced by a note
// that says it was cancelled and how far scoring got.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROGRESS_NOTE, UNTRAINED_NOTE, cancelledPicture } from '../../extension/core/analysis/run-context';
import type { OutputSummary } from '../../protocol/notebook-output';

const picture = (notes: string[]): OutputSummary => ({
  schema: 1,
  id: 'run',
  kind: 'dna-analysis',
  file: 'x.fa',
  model: null,
  engine: null,
  timings: { readMs: 1, loadModelMs: 2, computeMs: 3, totalMs: 6 },
  tracks: [],
  intervals: [],
  notes,
  records: [],
});

test('a stopped run keeps its picture; the progress note becomes "cancelled after scoring N%"', () => {
  const before = picture([UNTRAINED_NOTE, `${PROGRESS_NOTE} 35%`]);
  const after = cancelledPicture(before);
  assert.deepEqual(after.notes, [
    UNTRAINED_NOTE,
    'cancelled after scoring 35%: the numbers cover only what was scored before the stop',
  ]);
  assert.deepEqual({ ...after, notes: before.notes }, before, 'everything else is the picture as it was');
  assert.deepEqual(before.notes, [UNTRAINED_NOTE, `${PROGRESS_NOTE} 35%`], 'the picture itself is not changed');
});

test('stopped before any chunk was scored: cancelled without a percentage', () => {
  assert.deepEqual(cancelledPicture(picture([PROGRESS_NOTE])).notes, [
    'cancelled: the numbers cover only what was scored before the stop',
  ]);
});
