// What a training step runs on, behind one interface for the session: the CPU trainer (data-
// parallel threads, AdamW on the host) or the WebGPU trainer (everything on the device). Picks
// the backend the run asked for; 'auto' takes WebGPU only on a hardware adapter, since on a
// software fallback adapter (SwiftShader) the CPU trainer is the faster of the two. Inside VS Code
// the WebGPU steps run on the engine webview's GPU instead (webview-step-engine.ts).
import { createBackend } from '../../../kernels/create-backend';
import type { MambaConfig } from '../../../kernels/model/config';
import { AdamW, type AdamWConfig } from '../../../kernels/train/adamw';
import { clipGradNorm } from '../../../kernels/train/clip';
import type { CrossEntropyResult } from '../../../kernels/train/cross-entropy';
import { paramCount, paramSpecs } from '../../../kernels/train/params';
import type { TrainerState } from '../../../kernels/train/trainer-state';
import type { WebGpuBackend } from '../../../kernels/webgpu/webgpu-backend';
import { WebGpuTrainModel } from '../../../kernels/train/webgpu-train-model';
import { defaultThreads, ParallelGradient } from './parallel-gradient';
import type { BackendChoice } from '../../../kernels/backend';

/**
 * The engine's device or host went away mid-run (the engine webview closed or reloaded, its GPU
 * device was lost): nothing more can be read from it, so the run ends interrupted at its last
 * checkpoint and resumes from there.
 */
export class StepEngineLost extends Error {
  override name = 'StepEngineLost';
}

/** How a session gets its StepEngine (createStepEngine: the CPU, or WebGPU through Dawn in this process). */
export type StepEngineFactory = (
  choice: BackendChoice,
  cfg: MambaConfig,
  batch: number,
  length: number,
  adam: AdamWConfig,
  threads?: number,
) => Promise<StepEngine>;

export interface StepEngine {
  /** e.g. "cpu, 2 threads" or "webgpu: WebGPU on …", with the reason for an auto choice. */
  readonly description: string;
  setState(s: TrainerState): Promise<void>;
  snapshot(): Promise<TrainerState>;
  /** Host copy of the parameters (for validation on the CPU). */
  params(): Promise<Float32Array>;
  /**
   * One training step: loss and gradient of the batch, clipping to maxNorm, AdamW at lr. Its loss
   * is kept for readLosses (on WebGPU it stays on the device: one submit, no read-back per step).
   */
  step(ids: Int32Array, targets: Int32Array, lr: number, maxNorm: number): Promise<void>;
  /** The loss of every step since the last call, oldest first; throws if a gradient norm diverged. */
  readLosses(): Promise<CrossEntropyResult[]>;
  dispose(): Promise<void>;
}

class CpuStepEngine implements StepEngine {
  private readonly grad: ParallelGradient;
  private readonly adam: AdamW;
  private losses: CrossEntropyResult[] = [];
  readonly description: string;

  constructor(cfg: MambaConfig, batch: number, length: number, threads: number, adam: AdamWConfig, reason: string) {
    this.grad = new ParallelGradient(cfg, batch, length, threads);
    const specs = paramSpecs(cfg);
    this.adam = new AdamW(specs, paramCount(specs), adam);
    this.description = `cpu, ${this.grad.threads} thread(s)${reason}`;
  }

  async setState(s: TrainerState): Promise<void> {
    this.grad.params.set(s.params);
    this.adam.m.set(s.m);
    this.adam.v.set(s.v);
    this.adam.t = s.t;
  }

  async snapshot(): Promise<TrainerState> {
    return { params: this.grad.params.slice(), m: this.adam.m.slice(), v: this.adam.v.slice(), t: this.adam.t };
  }

  async params(): Promise<Float32Array> {
    return this.grad.params;
  }

  async step(ids: Int32Array, targets: Int32Array, lr: number, maxNorm: number): Promise<void> {
    this.losses.push(await this.grad.lossAndGrad(ids, targets));
    clipGradNorm(this.grad.grad, maxNorm);
    this.adam.step(this.grad.params, this.grad.grad, lr);
  }

  async readLosses(): Promise<CrossEntropyResult[]> {
    const out = this.losses;
    this.losses = [];
    return out;
  }

  dispose(): Promise<void> {
    return this.grad.dispose();
  }
}

class WebGpuStepEngine implements StepEngine {
  private readonly model: WebGpuTrainModel;

  constructor(
    private readonly backend: WebGpuBackend,
    cfg: MambaConfig,
    batch: number,
    length: number,
    private readonly adam: AdamWConfig,
    readonly description: string,
  ) {
    this.model = new WebGpuTrainModel(backend, cfg, batch, length);
  }

  async setState(s: TrainerState): Promise<void> {
    this.model.setParams(s.params);
    this.model.setMoments(s.m, s.v, s.t);
  }

  async snapshot(): Promise<TrainerState> {
    return { params: await this.model.readParams(), ...(await this.model.readMoments()), t: this.model.t };
  }

  params(): Promise<Float32Array> {
    return this.model.readParams();
  }

  step(ids: Int32Array, targets: Int32Array, lr: number, maxNorm: number): Promise<void> {
    return this.model.trainStep(ids, targets, lr, maxNorm, this.adam);
  }

  async readLosses(): Promise<CrossEntropyResult[]> {
    return (await this.model.readStats()).map(({ nats, count }) => ({ nats, count }));
  }

  async dispose(): Promise<void> {
    this.model.dispose();
    this.backend.dispose();
  }
}

/** The CPU trainer; `reason` (e.g. " (cpu: no WebGPU adapter …)") says why an 'auto' or 'webgpu' run got it. */
export function cpuStepEngine(
  cfg: MambaConfig,
  batch: number,
  length: number,
  adam: AdamWConfig,
  threads = defaultThreads(),
  reason = '',
): StepEngine {
  return new CpuStepEngine(cfg, batch, length, threads, adam, reason);
}

export const createStepEngine: StepEngineFactory = async (choice, cfg, batch, length, adam, threads) => {
  // createBackend's 'auto' takes the CPU without an adapter or on a software fallback, and says why.
  const chosen = await createBackend(choice);
  if (chosen.backend.name === 'webgpu')
    return new WebGpuStepEngine(chosen.backend as WebGpuBackend, cfg, batch, length, adam, chosen.reason);
  chosen.backend.dispose();
  return cpuStepEngine(cfg, batch, length, adam, threads, choice === 'cpu' ? '' : ` (${chosen.reason})`);
};
