// "Generate from here": the cell it adds continues the analyzed file from the picked position, names
// from the output (a record or file name with a newline) stay one value and never add a key, and
// only a SeqLab notebook gets a cell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCellSpec } from '../../extension/core/notebook/cell-spec';
import { generateCellFrom } from '../../extension/core/notebook/generate-cell';
import { NOTEBOOK_TYPE, type AudioAnalysisSummary, type DnaAnalysisSummary } from '../../protocol/notebook-output';

const common = {
  schema: 1 as const,
  id: 'run-1',
  model: null,
  engine: null,
  timings: { readMs: 1, loadModelMs: 0, computeMs: 0, totalMs: 1 },
  tracks: [],
  intervals: [],
  notes: [],
};

function dna(file: string, name: string): DnaAnalysisSummary {
  const record = {
    index: 0,
    name,
    description: '',
    length: 250,
    start: 0,
    end: 250,
    gcPercent: 40,
    nCount: 0,
    softMaskedCount: 0,
    bitsPerBase: null,
    bitsPerBaseReverse: null,
  };
  return { ...common, kind: 'dna-analysis', file, records: [record] };
}

test('a DNA record name or file name with a newline stays one value of the new cell', () => {
  const name = 'r1\nmodel: /anywhere/model';
  const file = 'x.fa\nmodel: /elsewhere/model\nrecord: y.fa';
  const cell = generateCellFrom(NOTEBOOK_TYPE, dna(file, name), { outputId: 'run-1', record: 0, position: 100 });
  const spec = parseCellSpec(cell.source);
  assert.deepEqual(
    [spec.action, spec.file, spec.record, spec.model, spec.from, spec.length],
    ['generate', file, name, undefined, 100, 500],
  );
  assert.equal(cell.message, `generating from ${name}:100`);
});

test('positions are kept inside the record, and a missing record is refused', () => {
  const at = (position: number): number =>
    parseCellSpec(generateCellFrom(NOTEBOOK_TYPE, dna('x.fa', 'r'), { outputId: 'run-1', record: 0, position }).source)
      .from;
  assert.deepEqual([at(0), at(7), at(10_000)], [1, 7, 250]);
  assert.throws(
    () => generateCellFrom(NOTEBOOK_TYPE, dna('x.fa', 'r'), { outputId: 'run-1', record: 3, position: 1 }),
    /no record 3/,
  );
});

test('audio continues after the picked sample, in seconds of the file', () => {
  const summary: AudioAnalysisSummary = {
    ...common,
    kind: 'audio-analysis',
    file: "it's #2.wav",
    audio: {
      sampleRate: 22050,
      channels: 1,
      bitsPerSampleFormat: 16,
      durationS: 2,
      modelRate: 16000,
      startS: 0,
      endS: 2,
      bitsPerSample: null,
      tags: {},
    },
  };
  const cell = generateCellFrom(NOTEBOOK_TYPE, summary, { outputId: 'run-1', record: 0, position: 24000 });
  const spec = parseCellSpec(cell.source);
  assert.deepEqual([spec.modality, spec.file, spec.from, spec.length], ['audio', "it's #2.wav", 1.5, 8000]);
  assert.equal(cell.message, 'generating audio after 1.500 s');
});

test('only a SeqLab notebook gets a cell', () => {
  for (const type of ['jupyter-notebook', 'interactive', ''])
    assert.throws(
      () => generateCellFrom(type, dna('x.fa', 'r'), { outputId: 'run-1', record: 0, position: 5 }),
      /Mamba SeqLab notebooks \(\.seqlab\) only/,
    );
});
