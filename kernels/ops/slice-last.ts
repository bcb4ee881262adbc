// Slice of the last dimension: x [rows, w] -> out [rows, width] = x[:, start:start+width].
// Splits in_proj's output into x and z, and x_proj's into dt, B and C.

/** CPU twin. */
export function sliceLastCpu(x: Float32Array, rows: number, w: number, start: number, width: number): Float32Array {
  if (start < 0 || width < 0 || start + width > w) throw new RangeError(`slice [${start}, ${start + width}) is outside the last dimension ${w}`);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * w + start, r * w + start + width), r * width);
  return out;
}
