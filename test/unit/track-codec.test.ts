// The analysis output codec: what the host packs the renderer unpacks bit for bit, whatever the
// block sizes (odd byte lengths, empty blocks) and the offset of the bytes; damaged bytes are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError, decodeOutput, encodeOutput, type Block } from '../../protocol/track-codec';
import type { DnaAnalysisSummary, TrackDescriptor } from '../../protocol/notebook-output';

function track(block: string, kind: TrackDescriptor['kind'], length: number, rows = 1): TrackDescriptor {
  return {
    block,
    record: 0,
    kind,
    label: block,
    unit: kind === 'sequence' ? 'base' : 'bits',
    start: 0,
    binSize: 1,
    length,
    rows,
    rowLabels: [],
  };
}

function sample(length: number, layers: number): { summary: DnaAnalysisSummary; blocks: Map<string, Block> } {
  const seq = new Uint8Array(length).map(() => 'ACGTN'.charCodeAt(Math.floor(Math.random() * 5)));
  const surprisal = new Float32Array(length).map(() => Math.random() * 3);
  if (length > 0) surprisal[0] = Number.NaN;
  const delta = new Float32Array(length * layers).map(() => Math.random());
  const summary: DnaAnalysisSummary = {
    schema: 1,
    id: 'run-1',
    kind: 'dna-analysis',
    file: 'x.fa',
    model: null,
    engine: null,
    timings: { readMs: 1, loadModelMs: 2, computeMs: 3, totalMs: 6 },
    tracks: [track('seq', 'sequence', length), track('s', 'surprisal', length), track('d', 'delta', length, layers)],
    intervals: [{ record: 0, kind: 'n-run', starts: [1], ends: [4], scores: [] }],
    notes: ['<img src=x onerror=alert(1)>'],
    records: [
      {
        index: 0,
        name: 'r',
        description: 'd',
        length,
        start: 0,
        end: length,
        gcPercent: 50,
        nCount: 3,
        softMaskedCount: 0,
        bitsPerBase: 1.9,
        bitsPerBaseReverse: null,
      },
    ],
  };
  return {
    summary,
    blocks: new Map<string, Block>([
      ['seq', seq],
      ['s', surprisal],
      ['d', delta],
    ]),
  };
}

test('round trip at awkward lengths and unaligned input offsets', () => {
  for (const length of [0, 1, 2, 3, 127, 129, 1000]) {
    for (const layers of [1, 3]) {
      const { summary, blocks } = sample(length, layers);
      const bytes = encodeOutput(summary, blocks);
      assert.equal(bytes.byteLength % 4, 0);
      for (const shift of [0, 1, 3]) {
        const shifted = new Uint8Array(bytes.byteLength + shift);
        shifted.set(bytes, shift);
        const got = decodeOutput(shifted.subarray(shift));
        assert.deepEqual(got.summary, summary);
        assert.deepEqual([...got.blocks.keys()], [...blocks.keys()]);
        for (const [k, b] of blocks)
          assert.deepEqual(got.blocks.get(k), b, `block ${k} length ${length} shift ${shift}`);
      }
      // VS Code hands output data to the host as a Node Buffer, small ones inside a shared pool.
      const pooled = decodeOutput(Buffer.from(bytes));
      for (const [k, b] of blocks)
        assert.deepEqual(pooled.blocks.get(k), b, `pooled Buffer, block ${k} length ${length}`);
    }
  }
});

test('damaged or inconsistent outputs are refused with what is wrong', () => {
  const { summary, blocks } = sample(129, 2);
  const bytes = encodeOutput(summary, blocks);
  assert.throws(() => decodeOutput(bytes.subarray(0, 8)), /too short/);
  const badMagic = bytes.slice();
  badMagic[0] = 0;
  assert.throws(() => decodeOutput(badMagic), /bad magic/);
  const badVersion = bytes.slice();
  badVersion[4] = 9;
  assert.throws(() => decodeOutput(badVersion), /version 9/);
  assert.throws(() => decodeOutput(bytes.subarray(0, bytes.byteLength - 8)), /block "d" .* runs past the end/);
  const badJson = bytes.slice();
  badJson[12] = 0x7b + 1;
  assert.throws(() => decodeOutput(badJson), CodecError);
  assert.throws(
    () => encodeOutput({ ...summary, tracks: [track('missing', 'gc', 3)] }, blocks),
    /names missing block "missing"/,
  );
  assert.throws(
    () => encodeOutput({ ...summary, tracks: [track('d', 'delta', 129, 3)] }, blocks),
    /needs 3x129 values, block "d" has 258/,
  );
  assert.throws(
    () => encodeOutput({ ...summary, tracks: [track('s', 'sequence', 129)] }, blocks),
    /wrong element type/,
  );
});
