// Autoregressive generation: prefill the prompt with the full forward (keeping the recurrent
// state), then one recurrent step per new token, choosing each token with sample.ts from logits
// checked to be finite (sampling from NaN would quietly give token 0).
import type { Backend } from '../backend';
import { checkFiniteLogits } from './finite';
import { mambaForward } from './forward';
import { Rng } from '../train/rng';
import { type SamplingOptions, checkSampling, sampleToken } from './sample';
import { type MambaState, freeMambaState } from './state';
import { mambaStep } from './step';
import type { TokenBatch } from './token-ids';
import type { MambaModel } from './weights';

export interface GenerateOptions extends SamplingOptions {
  /** How many new tokens per row. */
  tokens: number;
  /** Seed of the sampling RNG (0 when absent); the same seed gives the same tokens. */
  seed?: number;
  signal?: AbortSignal;
}

export interface GenerateResult {
  /** New tokens [batch][tokens]. */
  tokens: number[][];
  /** The logits each new token was chosen from: per step, [batch, v]. */
  stepLogits: Float32Array[];
}

export async function generate(
  backend: Backend,
  model: MambaModel,
  prompt: TokenBatch,
  options: GenerateOptions,
): Promise<GenerateResult> {
  checkSampling(options);
  if (!(Number.isInteger(options.tokens) && options.tokens >= 0))
    throw new RangeError(`token count ${options.tokens} must be a non-negative integer`);
  const { batch, length } = prompt,
    v = model.config.vocabSize;
  const rng = new Rng(options.seed ?? 0);
  const uniform = (): number => rng.uniform();
  const result: GenerateResult = { tokens: Array.from({ length: batch }, () => []), stepLogits: [] };
  if (options.tokens === 0) return result;

  const promptIds = backend.uploadIds(prompt.ids, [batch, length]);
  const prefill = mambaForward(backend, model, promptIds, { returnState: true });
  backend.free(promptIds);
  let state = prefill.state as MambaState;
  const all = await backend.read(prefill.logits);
  backend.free(prefill.logits);
  let last: Float32Array = new Float32Array(batch * v);
  for (let b = 0; b < batch; b++) last.set(all.subarray(((b + 1) * length - 1) * v, (b + 1) * length * v), b * v);
  try {
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
      const ids = backend.uploadIds(next, [batch, 1]);
      const r = mambaStep(backend, model, state, ids);
      backend.free(ids);
      freeMambaState(backend, state);
      state = r.state;
      last = await backend.read(r.logits);
      backend.free(r.logits);
    }
  } finally {
    freeMambaState(backend, state);
  }
  return result;
}
