// Every WebGPU op against the float64 references at awkward shapes (rows, widths and channel
// counts that fit no workgroup evenly), including the two-dimensional dispatch split.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Activation } from '../../kernels/backend';
import type { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import {
  refAdd,
  refConv1d,
  refEmbedding,
  refGate,
  refLinear,
  refMeanLast,
  refRmsNorm,
  refSliceLast,
  refSurprisalBits,
} from '../support/reference-ops';
import { assertClose, TOLERANCE } from '../support/tolerance';
import { openWebGpu, randomIds, uniform } from './webgpu-setup';

const EXACT = { rtol: 0, atol: 0 };
const ELEMENTWISE = { rtol: 1e-6, atol: 1e-6 };

/** `all` false: one case per op whose dispatch is large enough to be split (a second device compiles every pipeline again). */
function opSuite(label: string, options: { maxWorkgroupsPerDimension?: number }, all: boolean): void {
  describe(`WebGPU ops (${label})`, () => {
    let gpu: WebGpuBackend;
    before(async () => {
      gpu = await openWebGpu(options);
    });
    after(() => gpu.dispose());

    test('embedding gathers rows for ids [3, 129] from a [7, 13] table', async () => {
      const table = uniform(7 * 13),
        ids = randomIds(3 * 129, 7);
      const out = gpu.embedding(gpu.upload(table, [7, 13]), gpu.uploadIds(ids, [3, 129]));
      assert.deepEqual(out.shape, [3, 129, 13]);
      assertClose(await gpu.read(out), refEmbedding(table, 13, ids), EXACT, 'embedding');
    });

    test('embedding names an out-of-range id and its position', () => {
      const ids = Int32Array.from([0, 1, 9, 2]);
      assert.throws(
        () => gpu.embedding(gpu.upload(uniform(7 * 4), [7, 4]), gpu.uploadIds(ids, [1, 4])),
        /token id 9 at position 2/,
      );
    });

    for (const [rows, d] of all
      ? [
          [1, 3],
          [3 * 127, 70],
          [5, 300],
        ]
      : [[3 * 127, 70]]) {
      test(`rmsNorm rows ${rows}, d ${d}`, async () => {
        const x = uniform(rows * d, -3, 3),
          w = uniform(d, 0.5, 1.5);
        const out = gpu.rmsNorm(gpu.upload(x, [rows, d]), gpu.upload(w, [d]), 1e-5);
        assertClose(await gpu.read(out), refRmsNorm(x, rows, d, w, 1e-5), ELEMENTWISE, 'rmsNorm');
      });
    }

    const linearCases: [number, number, number, boolean, Activation][] = [
      // rows up to 8 take the one-invocation-per-output kernel, more the tiled one
      [1, 70, 1, false, 'none'],
      [8, 33, 70, true, 'silu'],
      [9, 33, 70, true, 'silu'],
      [3 * 129, 70, 67, true, 'none'],
      [129, 129, 130, true, 'softplus'],
      [65, 17, 200, false, 'silu'],
      [2, 1536, 5, true, 'none'],
    ];
    for (const [rows, k, m, hasBias, act] of all
      ? linearCases
      : ([
          [3 * 129, 70, 200, true, 'silu'],
          [2, 70, 3000, false, 'none'],
        ] as const)) {
      test(`linear rows ${rows}, k ${k}, m ${m}, bias ${hasBias}, ${act}`, async () => {
        const x = uniform(rows * k),
          w = uniform(m * k, -0.3, 0.3),
          bias = hasBias ? uniform(m) : undefined;
        const out = gpu.linear(gpu.upload(x, [rows, k]), gpu.upload(w, [m, k]), bias && gpu.upload(bias, [m]), act);
        assert.deepEqual(out.shape, [rows, m]);
        assertClose(await gpu.read(out), refLinear(x, rows, k, w, m, bias, act), TOLERANCE.matmulWebgpu, 'linear');
      });
    }

    test('sliceLast takes columns [5, 22) of [3, 127, 40]', async () => {
      const x = uniform(3 * 127 * 40);
      const out = gpu.sliceLast(gpu.upload(x, [3, 127, 40]), 5, 17);
      assert.deepEqual(out.shape, [3, 127, 17]);
      assertClose(await gpu.read(out), refSliceLast(x, 3 * 127, 40, 5, 17), EXACT, 'sliceLast');
    });

    test('sliceLast rejects a range past the last dimension', () => {
      assert.throws(() => gpu.sliceLast(gpu.upload(uniform(8), [2, 4]), 3, 2), /outside the last dimension/);
    });

    const convCases: [number, number, number, number, boolean, boolean][] = [
      [1, 1, 70, 4, true, true],
      [3, 2, 70, 4, false, true],
      [3, 127, 70, 4, true, false],
      [1, 129, 5, 3, true, true],
      [2, 3, 9, 1, true, false],
    ];
    for (const [b, l, c, k, hasBias, hasState] of all ? convCases : convCases.slice(2, 3)) {
      test(`conv1d b ${b}, l ${l}, c ${c}, k ${k}, bias ${hasBias}, state ${hasState}`, async () => {
        const x = uniform(b * l * c),
          w = uniform(c * k),
          bias = hasBias ? uniform(c) : undefined;
        const state = hasState ? uniform(b * c * (k - 1)) : undefined;
        const out = gpu.conv1d(
          gpu.upload(x, [b, l, c]),
          gpu.upload(w, [c, k]),
          bias && gpu.upload(bias, [c]),
          state && gpu.upload(state, [b, c, k - 1]),
          'silu',
        );
        const ref = refConv1d(x, b, l, c, w, k, bias, state, 'silu');
        assertClose(await gpu.read(out.y), ref.y, TOLERANCE.conv1d, 'conv1d y');
        assert.deepEqual(out.state.shape, [b, c, k - 1]);
        assertClose(await gpu.read(out.state), ref.state, EXACT, 'conv1d state');
      });
    }

    test('gate and add over [3, 129, 70]', async () => {
      const y = uniform(3 * 129 * 70, -4, 4),
        z = uniform(y.length, -30, 30),
        shape = [3, 129, 70];
      assertClose(
        await gpu.read(gpu.gate(gpu.upload(y, shape), gpu.upload(z, shape))),
        refGate(y, z),
        ELEMENTWISE,
        'gate',
      );
      assertClose(
        await gpu.read(gpu.add(gpu.upload(y, shape), gpu.upload(z, shape))),
        refAdd(y, z),
        ELEMENTWISE,
        'add',
      );
    });

    test('add rejects different shapes', () => {
      assert.throws(() => gpu.add(gpu.upload(uniform(6), [2, 3]), gpu.upload(uniform(6), [3, 2])), /differ/);
    });

    test('meanLast over [3, 127, 300]', async () => {
      const x = uniform(3 * 127 * 300, 0, 2);
      const out = gpu.meanLast(gpu.upload(x, [3, 127, 300]));
      assert.deepEqual(out.shape, [3, 127]);
      assertClose(await gpu.read(out), refMeanLast(x, 3 * 127, 300), ELEMENTWISE, 'meanLast');
    });

    for (const v of all ? [5, 16, 1000] : [16]) {
      test(`surprisalBits rows 3 x 43, vocab ${v}`, async () => {
        const logits = uniform(129 * v, -8, 8),
          targets = randomIds(129, v);
        const out = gpu.surprisalBits(gpu.upload(logits, [3, 43, v]), gpu.uploadIds(targets, [3, 43]));
        assert.deepEqual(out.shape, [3, 43]);
        assertClose(
          await gpu.read(out),
          refSurprisalBits(logits, 129, v, targets),
          { rtol: 1e-5, atol: 1e-5 },
          'surprisal',
        );
      });
    }

    test('surprisalBits names an out-of-range target and its row', () => {
      assert.throws(
        () => gpu.surprisalBits(gpu.upload(uniform(8), [2, 4]), gpu.uploadIds(Int32Array.from([1, 4]), [2])),
        /target id 4 at row 1/,
      );
    });

    test('readIds returns uploaded ids', async () => {
      const ids = randomIds(131, 1000);
      assert.deepEqual(await gpu.readIds(gpu.uploadIds(ids, [131])), ids);
    });
  });
}

opSuite('device limits', {}, true);
// A limit of 20 workgroups per dimension folds the larger dispatches above into a 2-D grid (up to 400).
opSuite('dispatch split at 20 workgroups per dimension', { maxWorkgroupsPerDimension: 20 }, false);
