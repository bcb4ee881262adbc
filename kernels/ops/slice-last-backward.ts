// Backward of a slice of the last dimension: the slice's gradient dout [rows, width] is written
// into columns [start, start+width) of dx [rows, w]. The slices of one tensor cover its columns
// once each, so writing (not adding) fills dx. The WebGPU trainer needs no twin: its gradient
// products write each slice's columns in place by offset.
import type { FloatArray } from '../backend';

/** CPU twin. */
export function sliceLastBackwardCpu(
  dout: FloatArray,
  rows: number,
  w: number,
  start: number,
  width: number,
  dx: FloatArray,
): void {
  if (start < 0 || width < 0 || start + width > w)
    throw new RangeError(`slice [${start}, ${start + width}) is outside the last dimension ${w}`);
  for (let r = 0; r < rows; r++) {
    const src = r * width,
      dst = r * w + start;
    for (let j = 0; j < width; j++) dx[dst + j] = dout[src + j];
  }
}
