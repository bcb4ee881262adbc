// Linear layer for training, PyTorch layout: y[rows, m] = x[rows, k] @ w[m, k]^T + bias[m].
// Backward (gradients accumulate into dx, dw, db):
//   dx[rows, k] += dy @ w            (as dy @ (w^T)^T)
//   dw[m, k]    += dy^T @ x          (as (dy^T) @ (x^T)^T)
//   db[m]       += sum_rows dy
// `scratch` supplies the transposes so the product is always matmulABt's contiguous form.
import { matmulABt, transpose } from './matmul';
import type { FloatArray } from './params';

export function linearForward(x: FloatArray, rows: number, k: number, w: FloatArray, m: number, bias: FloatArray | undefined, y: FloatArray): void {
  matmulABt(x, rows, k, w, m, y, false);
  if (bias) {
    for (let i = 0; i < rows; i++) {
      const o = i * m;
      for (let j = 0; j < m; j++) y[o + j] += bias[j];
    }
  }
}

/** Grows on demand; holds the transposed operands of the backward products. */
export class TransposeScratch<A extends FloatArray> {
  private buffers: A[] = [];
  constructor(private readonly make: (n: number) => A) {}
  get(slot: number, size: number): A {
    const cur = this.buffers[slot];
    if (cur && cur.length >= size) return cur.subarray(0, size) as A;
    this.buffers[slot] = this.make(size);
    return this.buffers[slot];
  }
}

export function linearBackward<A extends FloatArray>(
  dy: A, x: A, rows: number, k: number, w: A, m: number,
  dx: A | undefined, dw: A, db: A | undefined, scratch: TransposeScratch<A>,
): void {
  if (dx) {
    const wT = scratch.get(0, m * k);
    transpose(w, m, k, wT);
    matmulABt(dy, rows, m, wT, k, dx, true);
  }
  const dyT = scratch.get(1, rows * m), xT = scratch.get(2, rows * k);
  transpose(dy, rows, m, dyT);
  transpose(x, rows, k, xT);
  matmulABt(dyT, m, rows, xT, k, dw, true);
  if (db) {
    for (let i = 0; i < rows; i++) {
      const o = i * m;
      for (let j = 0; j < m; j++) db[j] += dy[o + j];
    }
  }
}
