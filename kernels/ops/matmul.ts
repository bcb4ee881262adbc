// out[i, j] (+)= sum_k a[i, k] * b[j, k]: the one dense product of the CPU engine, for the
// forward of a linear layer (b = weight), the input gradient (b = weight transposed) and the
// weight gradient (a = dY transposed, b = X transposed). Every operand is row-major with the
// reduced index last, so the inner loop reads both arrays contiguously. Register tiling of
// 4 rows of a by 2 rows of b: 6 loads feed 8 multiply-adds.
import type { FloatArray } from '../backend';

export function matmulABt(
  a: FloatArray,
  rowsA: number,
  K: number,
  b: FloatArray,
  rowsB: number,
  out: FloatArray,
  accumulate: boolean,
): void {
  if (a.length < rowsA * K || b.length < rowsB * K || out.length < rowsA * rowsB) {
    throw new Error(`matmulABt: buffers too small for [${rowsA}, ${K}] x [${rowsB}, ${K}]^T`);
  }
  const i4 = rowsA - (rowsA % 4),
    j2 = rowsB - (rowsB % 2);
  for (let i = 0; i < i4; i += 4) {
    const a0 = i * K,
      a1 = a0 + K,
      a2 = a1 + K,
      a3 = a2 + K;
    for (let j = 0; j < j2; j += 2) {
      const b0 = j * K,
        b1 = b0 + K;
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0,
        s20 = 0,
        s21 = 0,
        s30 = 0,
        s31 = 0;
      for (let k = 0; k < K; k++) {
        const w0 = b[b0 + k],
          w1 = b[b1 + k];
        const x0 = a[a0 + k],
          x1 = a[a1 + k],
          x2 = a[a2 + k],
          x3 = a[a3 + k];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s20 += x2 * w0;
        s21 += x2 * w1;
        s30 += x3 * w0;
        s31 += x3 * w1;
      }
      const o0 = i * rowsB + j,
        o1 = o0 + rowsB,
        o2 = o1 + rowsB,
        o3 = o2 + rowsB;
      if (accumulate) {
        out[o0] += s00;
        out[o0 + 1] += s01;
        out[o1] += s10;
        out[o1 + 1] += s11;
        out[o2] += s20;
        out[o2 + 1] += s21;
        out[o3] += s30;
        out[o3 + 1] += s31;
      } else {
        out[o0] = s00;
        out[o0 + 1] = s01;
        out[o1] = s10;
        out[o1 + 1] = s11;
        out[o2] = s20;
        out[o2 + 1] = s21;
        out[o3] = s30;
        out[o3 + 1] = s31;
      }
    }
    for (let j = j2; j < rowsB; j++) {
      for (let ii = i; ii < i + 4; ii++) dotInto(a, ii * K, b, j * K, K, out, ii * rowsB + j, accumulate);
    }
  }
  // Rows of a left over (all of them for a single row, the recurrent step): 1 x 4 blocks.
  const j4 = rowsB - (rowsB % 4);
  for (let i = i4; i < rowsA; i++) {
    const a0 = i * K;
    for (let j = 0; j < j4; j += 4) {
      const b0 = j * K,
        b1 = b0 + K,
        b2 = b1 + K,
        b3 = b2 + K;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let k = 0; k < K; k++) {
        const x = a[a0 + k];
        s0 += x * b[b0 + k];
        s1 += x * b[b1 + k];
        s2 += x * b[b2 + k];
        s3 += x * b[b3 + k];
      }
      const o = i * rowsB + j;
      if (accumulate) {
        out[o] += s0;
        out[o + 1] += s1;
        out[o + 2] += s2;
        out[o + 3] += s3;
      } else {
        out[o] = s0;
        out[o + 1] = s1;
        out[o + 2] = s2;
        out[o + 3] = s3;
      }
    }
    for (let j = j4; j < rowsB; j++) dotInto(a, a0, b, j * K, K, out, i * rowsB + j, accumulate);
  }
}

function dotInto(
  a: FloatArray,
  ao: number,
  b: FloatArray,
  bo: number,
  K: number,
  out: FloatArray,
  o: number,
  accumulate: boolean,
): void {
  let s = 0;
  for (let k = 0; k < K; k++) s += a[ao + k] * b[bo + k];
  out[o] = accumulate ? out[o] + s : s;
}

/** dst[j, i] = src[i, j] for src [rows, cols]. */
export function transpose(src: FloatArray, rows: number, cols: number, dst: FloatArray): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[o + j];
  }
}
