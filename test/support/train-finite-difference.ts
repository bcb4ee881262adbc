// Finite-difference gradient checks in float64 for the training kernels: the loss is
// sum(out * weights) for fixed random weights, so every output element matters, and the
// analytic gradient of each input is compared with central differences at every element.
import { TOLERANCE, assertClose } from './tolerance';

export function randomArray(size: number, scale = 1, offset = 0): Float64Array {
  const a = new Float64Array(size);
  for (let i = 0; i < size; i++) a[i] = offset + scale * (2 * Math.random() - 1);
  return a;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * For each named input, perturbs every element by +-h, re-evaluates `loss`, and asserts that
 * (L+ - L-)/2h matches `analytic[name]`. Float64 throughout; the tolerance is the table's matmulCpu
 * entry (its tightest), which float64 central differences meet with orders of magnitude to spare.
 */
export function checkGradients(
  inputs: Record<string, Float64Array>,
  analytic: Record<string, ArrayLike<number>>,
  loss: () => number,
  what: string,
  h = 1e-6,
): void {
  for (const [name, x] of Object.entries(inputs)) {
    const numeric = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const keep = x[i];
      x[i] = keep + h;
      const up = loss();
      x[i] = keep - h;
      const down = loss();
      x[i] = keep;
      numeric[i] = (up - down) / (2 * h);
    }
    assertClose(analytic[name], numeric, TOLERANCE.matmulCpu, `${what}: d/d${name}`);
  }
}
