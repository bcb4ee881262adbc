// Embedding lookup for training: x[row] = table[ids[row]]; backward scatters dtable[ids[row]] += dx[row].
import type { FloatArray } from './params';

export function embeddingForward(table: FloatArray, vocab: number, d: number, ids: Int32Array, rows: number, x: FloatArray): void {
  for (let i = 0; i < rows; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < vocab)) throw new Error(`token id ${id} at position ${i} is outside the vocabulary [0, ${vocab})`);
    x.set(table.subarray(id * d, id * d + d), i * d);
  }
}

export function embeddingBackward(dx: FloatArray, ids: Int32Array, rows: number, d: number, dtable: FloatArray): void {
  for (let i = 0; i < rows; i++) {
    const o = ids[i] * d, s = i * d;
    for (let j = 0; j < d; j++) dtable[o + j] += dx[s + j];
  }
}
