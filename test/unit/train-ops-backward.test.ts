// Backward of every op's CPU twin against float64 central differences of its forward twin (the
// one inference runs), at small awkward shapes.
import { test } from 'node:test';
import { softplusBackwardCpu } from '../../kernels/ops/activation-backward';
import { conv1dCpu } from '../../kernels/ops/conv1d';
import { conv1dSiluBackwardCpu } from '../../kernels/ops/conv1d-backward';
import { embeddingCpu } from '../../kernels/ops/embedding';
import { embeddingBackwardCpu } from '../../kernels/ops/embedding-backward';
import { gateCpu } from '../../kernels/ops/gate';
import { gateBackwardCpu } from '../../kernels/ops/gate-backward';
import { linearCpu } from '../../kernels/ops/linear';
import { linearBackwardCpu, TransposeScratch } from '../../kernels/ops/linear-backward';
import { rmsNormCpu } from '../../kernels/ops/rms-norm';
import { rmsNormBackwardCpu } from '../../kernels/ops/rms-norm-backward';
import { sliceLastCpu } from '../../kernels/ops/slice-last';
import { sliceLastBackwardCpu } from '../../kernels/ops/slice-last-backward';
import { crossEntropy } from '../../kernels/train/cross-entropy';
import { checkGradients, dot, randomArray } from '../support/train-finite-difference';

const f64 = (n: number) => new Float64Array(n);

for (const [rows, k, m] of [
  [1, 1, 1],
  [3, 5, 7],
  [9, 6, 5],
  [13, 17, 3],
]) {
  test(`linear backward matches finite differences, rows ${rows}, k ${k}, m ${m}`, () => {
    const x = randomArray(rows * k),
      w = randomArray(m * k),
      bias = randomArray(m),
      R = randomArray(rows * m);
    const y = f64(rows * m);
    const loss = () => {
      linearCpu(x, rows, k, w, m, bias, 'none', y);
      return dot(y, R);
    };
    const dx = f64(rows * k),
      dw = f64(m * k),
      db = f64(m);
    linearBackwardCpu(R, x, rows, k, w, m, dx, dw, db, new TransposeScratch(f64));
    checkGradients({ x, w, bias }, { x: dx, w: dw, bias: db }, loss, 'linear');
  });
}

for (const [rows, d] of [
  [1, 1],
  [3, 5],
  [7, 13],
]) {
  test(`rmsnorm backward matches finite differences, rows ${rows}, d ${d}`, () => {
    const x = randomArray(rows * d),
      w = randomArray(d, 0.5, 1),
      R = randomArray(rows * d);
    const y = f64(rows * d);
    const loss = () => {
      rmsNormCpu(x, rows, d, w, 1e-5, y);
      return dot(y, R);
    };
    const dx = f64(rows * d),
      dw = f64(d);
    rmsNormBackwardCpu(R, x, rows, d, w, 1e-5, dx, dw);
    checkGradients({ x, w }, { x: dx, w: dw }, loss, 'rmsnorm');
  });
}

for (const [b, l, c, k] of [
  [1, 1, 3, 4],
  [3, 2, 5, 4],
  [2, 7, 3, 3],
  [1, 9, 2, 1],
]) {
  test(`conv1d+silu backward matches finite differences, b ${b}, l ${l}, c ${c}, k ${k}`, () => {
    const x = randomArray(b * l * c),
      w = randomArray(c * k),
      bias = randomArray(c),
      R = randomArray(b * l * c);
    const out = { y: f64(b * l * c), state: f64(b * c * (k - 1)), pre: f64(b * l * c) };
    const loss = () => {
      conv1dCpu(x, b, l, c, w, k, bias, undefined, 'silu', out);
      return dot(out.y, R);
    };
    const dx = f64(b * l * c),
      dw = f64(c * k),
      db = f64(c);
    loss();
    conv1dSiluBackwardCpu(R, x, out.pre, b, l, c, w, k, dx, dw, db);
    checkGradients({ x, w, bias }, { x: dx, w: dw, bias: db }, loss, 'conv1d');
  });
}

test('gate and softplus backward match finite differences (including large |x|)', () => {
  const count = 11;
  const y = randomArray(count, 2),
    z = randomArray(count, 30),
    R = randomArray(count),
    g = f64(count);
  const gateLoss = () => {
    gateCpu(y, z, g);
    return dot(g, R);
  };
  const dy = f64(count),
    dz = f64(count);
  gateBackwardCpu(R, y, z, dy, dz, count);
  checkGradients({ y, z }, { y: dy, z: dz }, gateLoss, 'gate');

  // Softplus as inference fuses it into dt_proj: a linear layer of width 1 with weight 1 passes pre through.
  const pre = randomArray(count, 25),
    one = Float64Array.of(1),
    out = f64(count),
    dpre = f64(count);
  const spLoss = () => {
    linearCpu(pre, count, 1, one, 1, undefined, 'softplus', out);
    return dot(out, R);
  };
  spLoss();
  softplusBackwardCpu(R, out, dpre, count);
  checkGradients({ pre }, { pre: dpre }, spLoss, 'softplus');
});

test('slice backward writes each slice gradient into its columns; the slices cover the whole input', () => {
  const rows = 4,
    w = 9,
    parts = [
      [0, 2],
      [2, 4],
      [6, 3],
    ] as const;
  const x = randomArray(rows * w),
    R = parts.map(([, width]) => randomArray(rows * width)),
    outs = parts.map(([, width]) => f64(rows * width));
  const loss = () => {
    let s = 0;
    parts.forEach(([start, width], i) => {
      sliceLastCpu(x, rows, w, start, width, outs[i]);
      s += dot(outs[i], R[i]);
    });
    return s;
  };
  const dx = f64(rows * w).fill(NaN); // every column is written
  parts.forEach(([start, width], i) => sliceLastBackwardCpu(R[i], rows, w, start, width, dx));
  checkGradients({ x }, { x: dx }, loss, 'slice');
});

test('embedding backward scatters into the rows of the ids, repeats included', () => {
  const vocab = 5,
    d = 3,
    ids = Int32Array.from([4, 0, 4, 2, 4, 1, 0]),
    rows = ids.length;
  const table = randomArray(vocab * d),
    R = randomArray(rows * d),
    x = f64(rows * d);
  const loss = () => {
    embeddingCpu(table, vocab, d, ids, x);
    return dot(x, R);
  };
  const dt = f64(vocab * d);
  embeddingBackwardCpu(R, ids, rows, d, dt);
  checkGradients({ table }, { table: dt }, loss, 'embedding');
});

test('cross-entropy backward matches finite differences; ignored targets count nothing', () => {
  const rows = 6,
    v = 7,
    logits = randomArray(rows * v, 4),
    targets = Int32Array.from([3, -1, 0, 6, 2, -1]);
  const dl = f64(rows * v);
  const res = crossEntropy(logits, targets, rows, v, dl, true);
  if (res.count !== 4) throw new Error(`expected 4 counted targets, got ${res.count}`);
  const loss = () => {
    const r = crossEntropy(logits, targets, rows, v, undefined, false);
    return r.nats / r.count;
  };
  checkGradients({ logits }, { logits: dl }, loss, 'cross-entropy');
});
