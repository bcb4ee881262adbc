// Embedding lookup: ids [b, l] int32, table [v, d] -> out [b, l, d], out[i, :] = table[ids[i], :].
// An id outside [0, v) is an error naming its position.

/** CPU twin. */
export function embeddingCpu(table: Float32Array, v: number, d: number, ids: Int32Array): Float32Array {
  const out = new Float32Array(ids.length * d);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < v)) throw new RangeError(`token id ${id} at position ${i} is outside the vocabulary [0, ${v})`);
    out.set(table.subarray(id * d, id * d + d), i * d);
  }
  return out;
}
