// The chunked reverse scan (states recomputed per chunk from those the inference scan keeps)
// against float64 central differences, and against a one-chunk run (no recompute) and a plain
// sequential forward.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkCount, selectiveScanSequentialCpu } from '../../kernels/ops/selective-scan';
import { ScanWorkspace, selectiveScanBackwardCpu, type ScanGrads } from '../../kernels/ops/selective-scan-backward';
import { TOLERANCE, assertClose } from '../support/tolerance';
import { checkGradients, dot, randomArray } from '../support/train-finite-difference';

const f64 = (n: number) => new Float64Array(n);

function inputs(b: number, l: number, c: number, n: number) {
  return {
    u: randomArray(b * l * c),
    delta: randomArray(b * l * c, 0.4, 0.5),
    aLog: randomArray(c * n, 0.5, 0.3),
    B: randomArray(b * l * n),
    C: randomArray(b * l * n),
    D: randomArray(c),
  };
}

function grads(b: number, l: number, c: number, n: number): ScanGrads<Float64Array> {
  return {
    du: f64(b * l * c),
    ddelta: f64(b * l * c),
    daLog: f64(c * n),
    dB: f64(b * l * n),
    dC: f64(b * l * n),
    dD: f64(c),
  };
}

/** The recurrence written out once more, state by state, as the slow reference. */
function sequentialScan(x: ReturnType<typeof inputs>, b: number, l: number, c: number, n: number): Float64Array {
  const y = f64(b * l * c);
  for (let bi = 0; bi < b; bi++)
    for (let ch = 0; ch < c; ch++) {
      const h = f64(n);
      for (let t = 0; t < l; t++) {
        const row = bi * l + t,
          dl = x.delta[row * c + ch],
          uu = x.u[row * c + ch];
        let acc = x.D[ch] * uu;
        for (let s = 0; s < n; s++) {
          h[s] = Math.exp(-dl * Math.exp(x.aLog[ch * n + s])) * h[s] + dl * x.B[row * n + s] * uu;
          acc += x.C[row * n + s] * h[s];
        }
        y[row * c + ch] = acc;
      }
    }
  return y;
}

for (const [b, l, c, n, chunk] of [
  [1, 1, 3, 2, 4],
  [3, 2, 5, 3, 1],
  [1, 3, 2, 5, 2],
  [2, 11, 3, 4, 4],
  [3, 13, 5, 3, 5],
]) {
  test(`scan backward matches finite differences, b ${b}, l ${l}, c ${c}, n ${n}, chunk ${chunk}`, () => {
    const x = inputs(b, l, c, n),
      R = randomArray(b * l * c);
    const ws = new ScanWorkspace({ b, l, c, n, chunk }, f64);
    const y = f64(b * l * c),
      states = f64(b * chunkCount(l, chunk) * c * n);
    const loss = () => {
      selectiveScanSequentialCpu(x, { b, l, c, n }, { y, hLast: f64(b * c * n) }, { chunk, states });
      return dot(y, R);
    };
    loss();
    assertClose(y, sequentialScan(x, b, l, c, n), TOLERANCE.scan, 'chunked-state forward vs sequential');
    const g = grads(b, l, c, n);
    selectiveScanBackwardCpu(x, R, states, ws, g);
    checkGradients(
      { u: x.u, delta: x.delta, aLog: x.aLog, B: x.B, C: x.C, D: x.D },
      { u: g.du, delta: g.ddelta, aLog: g.daLog, B: g.dB, C: g.dC, D: g.dD },
      loss,
      'scan',
    );
  });
}

test('scan backward with many chunks equals one chunk (recompute changes nothing), l 129', () => {
  const b = 2,
    l = 129,
    c = 7,
    n = 5;
  const x = inputs(b, l, c, n),
    dy = randomArray(b * l * c);
  const run = (chunk: number) => {
    const ws = new ScanWorkspace({ b, l, c, n, chunk }, f64);
    const y = f64(b * l * c),
      states = f64(b * chunkCount(l, chunk) * c * n);
    selectiveScanSequentialCpu(x, { b, l, c, n }, { y, hLast: f64(b * c * n) }, { chunk, states });
    const g = grads(b, l, c, n);
    selectiveScanBackwardCpu(x, dy, states, ws, g);
    return { y, g, statesKept: states.length };
  };
  const one = run(l),
    many = run(16);
  assert.ok(
    many.statesKept < (b * l * c * n) / 10,
    `kept ${many.statesKept} state values, expected far fewer than b*l*c*n`,
  );
  assertClose(many.y, one.y, TOLERANCE.scan, 'y');
  for (const key of ['du', 'ddelta', 'daLog', 'dB', 'dC', 'dD'] as const)
    assertClose(many.g[key], one.g[key], TOLERANCE.scan, key);
});
