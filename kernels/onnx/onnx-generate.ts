// Generation on a step-mode ONNX export: the prompt in one run from the zero state, then one run
// per new token with the state carried; tokens chosen as kernels/model/generate.ts chooses them
// (sample.ts, the same seeded RNG), so both engines give the same tokens from the same logits.
import { checkFiniteLogits } from '../model/finite';
import type { GenerateOptions, GenerateResult } from '../model/generate';
import { checkSampling, sampleToken } from '../model/sample';
import type { TokenBatch } from '../model/token-ids';
import { Rng } from '../train/rng';
import type { OnnxMamba } from './onnx-session';

export async function generateOnnx(
  model: OnnxMamba,
  prompt: TokenBatch,
  options: GenerateOptions,
): Promise<GenerateResult> {
  checkSampling(options);
  if (!(Number.isInteger(options.tokens) && options.tokens >= 0))
    throw new RangeError(`token count ${options.tokens} must be a non-negative integer`);
  if (model.mode !== 'step')
    throw new Error('generation carries the recurrent state: it needs a step-mode export (--mode step)');
  const { batch, length } = prompt,
    v = model.config.vocabSize;
  const rng = new Rng(options.seed ?? 0);
  const uniform = (): number => rng.uniform();
  const result: GenerateResult = { tokens: Array.from({ length: batch }, () => []), stepLogits: [] };
  if (options.tokens === 0) return result;
  const prefill = await model.run(prompt.ids, batch, length);
  let state = prefill.state;
  let last: Float32Array = new Float32Array(batch * v);
  for (let b = 0; b < batch; b++)
    last.set(prefill.logits.subarray(((b + 1) * length - 1) * v, (b + 1) * length * v), b * v);
  for (let step = 0; ; step++) {
    options.signal?.throwIfAborted();
    checkFiniteLogits(last, [batch, 1, v], 'generate', length - 1 + step);
    result.stepLogits.push(last);
    const next = new Int32Array(batch);
    for (let b = 0; b < batch; b++) {
      next[b] = sampleToken(last.subarray(b * v, (b + 1) * v), options, uniform);
      result.tokens[b].push(next[b]);
    }
    if (step + 1 === options.tokens) break;
    const r = await model.run(next, batch, 1, state);
    state = r.state;
    last = r.logits;
  }
  return result;
}
