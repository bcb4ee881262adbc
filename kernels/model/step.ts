// The recurrent state of a Mamba model and the one-step update. Per layer: the conv window
// [b, c, k-1] (the last k-1 conv inputs, oldest first) and the SSM state [b, c, n]. A step feeds
// ids [b, l] (l = 1 for generation) through the same forward with the state carried.
import type { Backend, Tensor } from '../backend';
import type { MambaConfig } from './config';
import { mambaForward } from './forward';
import type { MambaModel } from './weights';

export interface MambaState {
  readonly conv: Tensor[]; // per layer [b, c, k-1]
  readonly ssm: Tensor[]; // per layer [b, c, n]
}

export function zeroMambaState(backend: Backend, config: MambaConfig, batch: number): MambaState {
  const { intermediateSize: c, convKernel: k, stateSize: n, numLayers } = config;
  return {
    conv: Array.from({ length: numLayers }, () => backend.zeros([batch, c, k - 1])),
    ssm: Array.from({ length: numLayers }, () => backend.zeros([batch, c, n])),
  };
}

export function freeMambaState(backend: Backend, state: MambaState): void {
  for (const t of [...state.conv, ...state.ssm]) backend.free(t);
}

/** Host copies of a state, per layer. */
export async function readMambaState(
  backend: Backend,
  state: MambaState,
): Promise<{ conv: Float32Array[]; ssm: Float32Array[] }> {
  return {
    conv: await Promise.all(state.conv.map((t) => backend.read(t))),
    ssm: await Promise.all(state.ssm.map((t) => backend.read(t))),
  };
}

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
