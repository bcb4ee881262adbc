// The one-step update: ids [b, l] (l = 1 for generation) through the forward with the recurrent
// state (state.ts) carried.
import type { Backend, Tensor } from '../backend';
import { mambaForward } from './forward';
import type { MambaState } from './state';
import type { MambaModel } from './weights';

/**
 * Feeds ids [b, l] after `state` and returns logits [b, l, v] and the state after them. The
 * given state is left as it is (the caller frees it).
 */
export function mambaStep(
  backend: Backend,
  model: MambaModel,
  state: MambaState,
  ids: Tensor,
): { logits: Tensor; state: MambaState } {
  const r = mambaForward(backend, model, ids, { state, returnState: true, scan: 'sequential' });
  return { logits: r.logits, state: r.state as MambaState };
}
