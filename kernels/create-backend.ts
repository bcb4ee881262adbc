// Picks the backend that runs: 'cpu', 'webgpu', or 'auto' (WebGPU when an adapter is there,
// else the CPU), and says which ran and why. The webgpu backend is loaded by dynamic import so
// the CPU path never loads Dawn or any WebGPU code.
import { type Backend, UnsupportedOpError } from './backend';
import { CpuBackend } from './cpu-backend';

export type BackendKind = 'auto' | 'cpu' | 'webgpu';

export interface ChosenBackend {
  readonly backend: Backend;
  /** e.g. "webgpu: adapter X" or "cpu: no WebGPU adapter (…)". */
  readonly reason: string;
}

/** Thrown for an explicit 'webgpu' request this build cannot serve. */
export class WebGpuBackendUnavailableError extends UnsupportedOpError {
  constructor(why: string) {
    super('webgpu', 'createBackend');
    this.message = `webgpu backend not available: ${why}`;
  }
}

async function webgpuBackend(): Promise<ChosenBackend> {
  throw new WebGpuBackendUnavailableError('this build has no webgpu backend yet');
}

export async function createBackend(kind: BackendKind): Promise<ChosenBackend> {
  if (kind === 'cpu') return { backend: new CpuBackend(), reason: 'cpu: requested' };
  if (kind === 'webgpu') return webgpuBackend();
  try {
    return await webgpuBackend();
  } catch (err) {
    return { backend: new CpuBackend(), reason: `cpu: no WebGPU adapter (${err instanceof Error ? err.message : String(err)})` };
  }
}
