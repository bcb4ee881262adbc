// Per-token surprisal of one long sequence on a step-mode ONNX export, in chunks with the
// recurrent state carried (memory bounded by the chunk, as kernels/model/stream.ts): bits of each
// token given all before it, NaN for the first. The last logits row of a chunk predicts the next
// chunk's first token.
import { surprisalBitsCpu } from '../ops/surprisal';
import type { OnnxMamba, OnnxState } from './onnx-session';

export async function onnxSurprisal(
  model: OnnxMamba,
  tokens: ArrayLike<number>,
  chunk: number,
  signal?: AbortSignal,
): Promise<Float32Array> {
  if (model.mode !== 'step')
    throw new Error('scoring in chunks carries the recurrent state: it needs a step-mode export (--mode step)');
  if (!(Number.isInteger(chunk) && chunk > 0)) throw new RangeError(`chunk length ${chunk} must be a positive integer`);
  const v = model.config.vocabSize,
    ids = Int32Array.from(tokens),
    out = new Float32Array(ids.length).fill(NaN);
  let state: OnnxState | undefined, lastRow: Float32Array | undefined;
  for (let s = 0; s < ids.length; s += chunk) {
    signal?.throwIfAborted();
    const e = Math.min(ids.length, s + chunk),
      part = ids.subarray(s, e);
    const r = await model.run(part, 1, part.length, state);
    if (lastRow) out[s] = surprisalBitsCpu(lastRow, 1, v, part.subarray(0, 1))[0];
    out.set(surprisalBitsCpu(r.logits, part.length - 1, v, part.subarray(1)), s + 1);
    lastRow = r.logits.subarray((part.length - 1) * v);
    state = r.state;
  }
  return out;
}
