// The output gate: y, z [.., c] -> out = y * silu(z), elementwise.
import { silu } from './activation';

/** CPU twin. */
export function gateCpu(y: Float32Array, z: Float32Array): Float32Array {
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] * silu(z[i]);
  return out;
}
