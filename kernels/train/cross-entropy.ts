// Cross-entropy of next-token logits, the training loss. For logits [rows, v] and targets [rows]
// (a target < 0 marks a position that does not count), returns the summed loss in nats and the
// number of counted rows, and writes dlogits = (softmax - onehot) * scale (scale = 1/count for a
// mean loss). Bits per token = nats / ln 2.
import type { FloatArray } from './params';

export interface CrossEntropyResult { nats: number; count: number }

export function crossEntropy(logits: FloatArray, targets: Int32Array, rows: number, v: number, dlogits: FloatArray | undefined, scaleByCount: boolean): CrossEntropyResult {
  let count = 0;
  for (let i = 0; i < rows; i++) if (targets[i] >= 0) count++;
  const scale = scaleByCount ? 1 / Math.max(1, count) : 1;
  let nats = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * v, t = targets[i];
    if (t >= v) throw new Error(`target id ${t} at position ${i} is outside the vocabulary [0, ${v})`);
    if (t < 0) {
      if (dlogits) dlogits.fill(0, o, o + v);
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < v; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < v; j++) sum += Math.exp(logits[o + j] - max);
    const logZ = max + Math.log(sum);
    nats += logZ - logits[o + t];
    if (dlogits) {
      for (let j = 0; j < v; j++) dlogits[o + j] = Math.exp(logits[o + j] - logZ) * scale;
      dlogits[o + t] -= scale;
    }
  }
  return { nats, count };
}
