// Picks the backend that runs: 'cpu', 'webgpu', or 'auto' (WebGPU when an adapter is there,
// else the CPU), and says which ran and why. The webgpu backend and Dawn are loaded by dynamic
// import, so the CPU path never loads any WebGPU code.
import type { Backend, BackendChoice } from './backend';
import { CpuBackend } from './cpu-backend';
import type { WebGpuBackend } from './webgpu/webgpu-backend';

export interface ChosenBackend {
  readonly backend: Backend;
  /** e.g. "webgpu: WebGPU on <adapter>" or "cpu: no WebGPU adapter (…)". */
  readonly reason: string;
}

export interface CreateBackendOptions {
  /**
   * Where the GPU object comes from. Default: navigator.gpu where it exists (browser, webview),
   * else Dawn for Node (npm `webgpu`).
   */
  gpu?: () => Promise<GPU>;
}

async function defaultGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const { nodeGpu } = await import('./webgpu/node-gpu.js');
  return nodeGpu();
}

async function webgpuBackend(options: CreateBackendOptions): Promise<ChosenBackend> {
  const { WebGpuBackend } = await import('./webgpu/webgpu-backend.js');
  const backend = await WebGpuBackend.create(await (options.gpu ?? defaultGpu)());
  return { backend, reason: `webgpu: ${backend.description}` };
}

/** 'webgpu' fails when no adapter can be had; 'auto' then runs on the CPU and says why, as it does on a software fallback adapter. */
export async function createBackend(kind: BackendChoice, options: CreateBackendOptions = {}): Promise<ChosenBackend> {
  if (kind === 'cpu') return { backend: new CpuBackend(), reason: 'cpu: requested' };
  if (kind === 'webgpu') return webgpuBackend(options);
  let chosen: ChosenBackend;
  try {
    chosen = await webgpuBackend(options);
  } catch (err) {
    return {
      backend: new CpuBackend(),
      reason: `cpu: no WebGPU adapter (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  const declined = (chosen.backend as WebGpuBackend).gpuDevice.autoDeclineReason;
  if (!declined) return chosen;
  chosen.backend.dispose();
  return { backend: new CpuBackend(), reason: declined };
}
