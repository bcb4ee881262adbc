// Backward of every training op against float64 central differences, at small awkward shapes.
import { test } from 'node:test';
import { gateBackward, gateForward, softplusBackward, softplusForward } from '../../kernels/train/activation-backward';
import { conv1dSiluBackward, conv1dSiluForward } from '../../kernels/train/conv1d-backward';
import { crossEntropy } from '../../kernels/train/cross-entropy';
import { embeddingBackward, embeddingForward } from '../../kernels/train/embedding-backward';
import { linearBackward, linearForward, TransposeScratch } from '../../kernels/train/linear-backward';
import { rmsNormBackward, rmsNormForward } from '../../kernels/train/rms-norm-backward';
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
      linearForward(x, rows, k, w, m, bias, y);
      return dot(y, R);
    };
    const dx = f64(rows * k),
      dw = f64(m * k),
      db = f64(m);
    linearBackward(R, x, rows, k, w, m, dx, dw, db, new TransposeScratch(f64));
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
    const y = f64(rows * d),
      rstd = f64(rows);
    const loss = () => {
      rmsNormForward(x, rows, d, w, 1e-5, y, rstd);
      return dot(y, R);
    };
    loss();
    const dx = f64(rows * d),
      dw = f64(d);
    rmsNormBackward(R, x, rows, d, w, rstd, dx, dw);
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
    const pre = f64(b * l * c),
      u = f64(b * l * c);
    const loss = () => {
      conv1dSiluForward(x, b, l, c, w, k, bias, pre, u);
      return dot(u, R);
    };
    loss();
    const dx = f64(b * l * c),
      dw = f64(c * k),
      db = f64(c);
    conv1dSiluBackward(R, x, pre, b, l, c, w, k, dx, dw, db, f64(b * l * c));
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
    gateForward(y, z, g, count);
    return dot(g, R);
  };
  const dy = f64(count),
    dz = f64(count);
  gateBackward(R, y, z, dy, dz, count);
  checkGradients({ y, z }, { y: dy, z: dz }, gateLoss, 'gate');

  const pre = randomArray(count, 25),
    out = f64(count),
    dpre = f64(count);
  const spLoss = () => {
    softplusForward(pre, out, count);
    return dot(out, R);
  };
  softplusBackward(R, pre, dpre, count);
  checkGradients({ pre }, { pre: dpre }, spLoss, 'softplus');
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
    embeddingForward(table, vocab, d, ids, rows, x);
    return dot(x, R);
  };
  const dt = f64(vocab * d);
  embeddingBackward(R, ids, rows, d, dt);
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
