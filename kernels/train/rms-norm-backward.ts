// RMSNorm for training: y = w * x * rstd with rstd = 1/sqrt(mean(x^2) + eps), per row of width d.
// The forward keeps rstd [rows] for the backward:
//   dw += sum_rows dy * x * rstd
//   dx += rstd * (g - xhat * mean(g * xhat)),  g = dy * w, xhat = x * rstd
import type { FloatArray } from './params';

export function rmsNormForward(x: FloatArray, rows: number, d: number, w: FloatArray, eps: number, y: FloatArray, rstd: FloatArray): void {
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    let ss = 0;
    for (let j = 0; j < d; j++) ss += x[o + j] * x[o + j];
    const r = 1 / Math.sqrt(ss / d + eps);
    rstd[i] = r;
    for (let j = 0; j < d; j++) y[o + j] = w[j] * x[o + j] * r;
  }
}

export function rmsNormBackward(dy: FloatArray, x: FloatArray, rows: number, d: number, w: FloatArray, rstd: FloatArray, dx: FloatArray, dw: FloatArray): void {
  for (let i = 0; i < rows; i++) {
    const o = i * d, r = rstd[i];
    let dot = 0;
    for (let j = 0; j < d; j++) {
      const g = dy[o + j] * w[j];
      dot += g * x[o + j] * r;
      dw[j] += dy[o + j] * x[o + j] * r;
    }
    const mean = dot / d;
    for (let j = 0; j < d; j++) dx[o + j] += r * (dy[o + j] * w[j] - x[o + j] * r * mean);
  }
}
