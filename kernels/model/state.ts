// The recurrent state of a Mamba model: per layer, the conv window [b, c, k-1] (the last k-1 conv
// inputs, oldest first) and the SSM state [b, c, n]. The forward starts from one and returns the
// next; step.ts feeds tokens through it.
import type { Backend, Tensor } from '../backend';
import type { MambaConfig } from './config';

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
