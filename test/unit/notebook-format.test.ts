// The .seqlab file: cells, outputs (JSON, text and binary items) and runs survive a write and read
// unchanged; damaged files are refused naming the file and the cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NotebookFormatError,
  readNotebook,
  writeNotebook,
  type StoredNotebook,
} from '../../extension/core/notebook/notebook-format';

function randomBytes(n: number): Uint8Array {
  return new Uint8Array(n).map(() => Math.floor(Math.random() * 256));
}

test('a notebook with every kind of item survives a write and read', () => {
  for (const n of [0, 1, 3, 127, 1000]) {
    const nb: StoredNotebook = {
      metadata: { created: 'by test' },
      cells: [
        {
          kind: 'markup',
          language: 'markdown',
          source: '# Lab\n<img src=x onerror=alert(1)>',
          outputs: [],
          run: undefined,
          metadata: undefined,
        },
        {
          kind: 'code',
          language: 'yaml',
          source: 'analyze: lambda_virus.fa\nwindow: 50\n',
          metadata: { note: 'x' },
          run: { order: 3, success: true, startTime: 1700000000000, endTime: 1700000001234 },
          outputs: [
            {
              metadata: { v: 1, n },
              items: [
                { mime: 'application/vnd.seqlab.analysis', data: randomBytes(n) },
                {
                  mime: 'application/vnd.seqlab.analysis+json',
                  data: new TextEncoder().encode(JSON.stringify({ schema: 1, x: [1, 2.5, null] })),
                },
                { mime: 'text/plain', data: new TextEncoder().encode('ünïcode\n\ttext') },
              ],
            },
          ],
        },
        {
          kind: 'code',
          language: 'yaml',
          source: '',
          outputs: [
            {
              items: [
                {
                  mime: 'application/vnd.code.notebook.error',
                  data: new TextEncoder().encode('{"name":"E","message":"m"}'),
                },
              ],
              metadata: undefined,
            },
          ],
          run: { order: undefined, success: false, startTime: undefined, endTime: undefined },
          metadata: undefined,
        },
      ],
    };
    const back = readNotebook(writeNotebook(nb), 'lab.seqlab');
    assert.deepEqual(back, nb);
  }
});

test('an empty file is an empty notebook', () => {
  assert.deepEqual(readNotebook(new Uint8Array(0), 'new.seqlab'), { cells: [], metadata: undefined });
  assert.deepEqual(readNotebook(new TextEncoder().encode(' \n'), 'new.seqlab'), { cells: [], metadata: undefined });
});

test('damaged files are refused naming the file and where', () => {
  const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  const cases: [unknown, RegExp][] = [
    ['{"seqlab": 1, "cells": [', /^lab\.seqlab: top level: not JSON/],
    [[1, 2], /top level: expected an object/],
    [{ seqlab: 2, cells: [] }, /"seqlab" must be 1 \(the format version\), got 2/],
    [{ seqlab: 1 }, /"cells" must be a list/],
    [{ seqlab: 1, cells: [{ kind: 'raw', source: '' }] }, /cell 1: kind must be "code" or "markup"/],
    [
      {
        seqlab: 1,
        cells: [
          { kind: 'code', source: '' },
          { kind: 'code', source: 3 },
        ],
      },
      /cell 2: source must be a string/,
    ],
    [{ seqlab: 1, cells: [{ kind: 'code', source: '', outputs: {} }] }, /cell 1: outputs must be a list/],
    [
      { seqlab: 1, cells: [{ kind: 'code', source: '', outputs: [{ items: [{ mime: 'a/b' }] }] }] },
      /cell 1 output 1 item 1: item needs json, text or base64/,
    ],
    [
      { seqlab: 1, cells: [{ kind: 'code', source: '', outputs: [{ items: [{ mime: 'a/b', base64: 'a$b' }] }] }] },
      /item 1: base64 data has characters outside base64/,
    ],
    [{ seqlab: 1, cells: [{ kind: 'code', source: '', outputs: [{ items: [{ base64: '' }] }] }] }, /item has no mime/],
    [{ seqlab: 1, cells: [{ kind: 'code', source: '', run: { order: 'x' } }] }, /cell 1 run order: expected a number/],
    [
      { seqlab: 1, cells: [{ kind: 'code', source: '', run: { success: 1 } }] },
      /cell 1 run: success must be true or false/,
    ],
    // What the writer's JSON.stringify could not write back.
    [
      `{"seqlab": 1, "cells": [], "metadata": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      /top level: nested more than 256 levels deep/,
    ],
  ];
  for (const [v, re] of cases)
    assert.throws(
      () => readNotebook(enc(v), 'lab.seqlab'),
      (e: unknown) => e instanceof NotebookFormatError && re.test(e.message),
      JSON.stringify(v),
    );
});

test('items whose bytes are not what their mime says are written back unchanged', () => {
  const items = [
    { mime: 'text/plain', data: Uint8Array.of(0xff, 0xfe, 0x41) },
    { mime: 'text/plain', data: new TextEncoder().encode('\ufeffwith a BOM') },
    { mime: 'application/json', data: new TextEncoder().encode('not JSON') },
    { mime: 'application/json', data: Uint8Array.of(0x7b, 0x80, 0x7d) },
  ];
  const nb: StoredNotebook = {
    metadata: undefined,
    cells: [
      {
        kind: 'code',
        language: 'yaml',
        source: '',
        outputs: [{ items, metadata: undefined }],
        run: undefined,
        metadata: undefined,
      },
    ],
  };
  assert.deepEqual(readNotebook(writeNotebook(nb), 'lab.seqlab'), nb);
});
