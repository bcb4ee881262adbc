// Training on the engine page's GPU: serves the training calls (protocol/training-calls.ts) on a
// channel, keeping one WebGpuTrainModel per open trainer. Only the trainer's public API is used
// (setParams, setMoments, readParams, readMoments, trainStep, readStats, t, dispose). Calls run
// one after another in arrival order. A lost device answers TrainerLostError and drops the trainer:
// its run resumes from a checkpoint. Any other error (a kernel the device refuses, say) fails the
// call with its message. No DOM, no vscode: the gpu tests drive it under Node with Dawn.
import { parseMambaConfig } from '../../kernels/model/config';
import type { AdamWConfig } from '../../kernels/train/adamw';
import { paramCount, paramSpecs } from '../../kernels/train/params';
import { WebGpuTrainModel } from '../../kernels/train/webgpu-train-model';
import type { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import { transferring, type HandlerContext, type Handlers } from '../../protocol/channel';
import {
  MAX_TRAIN_CHUNK_VALUES,
  TRAIN_TENSORS,
  TrainerLostError,
  type StateChunk,
  type TrainTensor,
  type TrainingCaller,
} from '../../protocol/training-calls';

/** The GPU a trainer gets, or why it gets none ('auto' on a fallback adapter, or no adapter at all for 'auto'). */
export type TrainerGpu = { backend: WebGpuBackend; reason: string } | { backend?: undefined; reason: string };
export type TrainerGpuChooser = (preference: 'auto' | 'webgpu') => Promise<TrainerGpu>;

/** What the page shows about its training: open trainers, steps taken, and the last device lost. */
export interface TrainerStatus {
  open: number;
  steps: number;
  lost?: string;
}

interface Trainer {
  model: WebGpuTrainModel;
  adam: AdamWConfig;
  size: number;
  /** The state being written chunk by chunk, applied by setState. */
  staged?: { values: Record<TrainTensor, Float32Array>; received: Record<TrainTensor, number> };
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** How long a failed call waits to see whether its device's `lost` promise settles (it may settle a little after the error). */
const LOST_GRACE_MS = 200;

/** Whether the device itself is gone (lost or destroyed), not merely one call refused on a live device. */
function deviceGone(backend: WebGpuBackend): Promise<boolean> {
  return Promise.race([
    backend.gpuDevice.device.lost.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), LOST_GRACE_MS)),
  ]);
}

export class EngineTrainer {
  private readonly trainers = new Map<number, Trainer>();
  private nextTrainer = 1;
  private steps = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly gpu: TrainerGpuChooser,
    private readonly onStatus: (status: TrainerStatus) => void = () => undefined,
  ) {}

  /** The training calls, each run after the one before it (a channel's serve() takes these). */
  readonly handlers: Handlers<TrainingCaller> = {
    open: (p) =>
      this.queued(undefined, async () => {
        const cfg = parseMambaConfig(p.config, 'trainer config');
        const chosen = await this.gpu(p.backend);
        if (!chosen.backend) return { reason: chosen.reason, device: 'cpu' };
        const trainer = this.nextTrainer++;
        const model = new WebGpuTrainModel(chosen.backend, cfg, p.batch, p.length);
        this.trainers.set(trainer, { model, adam: { ...p.adam }, size: paramCount(paramSpecs(cfg)) });
        this.status();
        return { trainer, reason: chosen.reason, device: chosen.backend.description };
      }),
    write: (p) => this.queued(p.trainer, () => this.write(p)),
    setState: (p) =>
      this.queued(p.trainer, () => {
        const tr = this.trainer(p.trainer);
        const staged = tr.staged;
        tr.staged = undefined;
        const short = TRAIN_TENSORS.filter((k) => (staged?.received[k] ?? 0) !== tr.size);
        if (!staged || short.length > 0)
          throw new Error(
            `trainer ${p.trainer}: setState before all ${tr.size} values of ${short.join(', ')} were written`,
          );
        tr.model.setParams(staged.values.params);
        tr.model.setMoments(staged.values.m, staged.values.v, p.t);
        return null;
      }),
    read: (p, ctx) => this.queued(p.trainer, () => this.read(p.trainer, p.moments, ctx)),
    step: (p) =>
      this.queued(p.trainer, async () => {
        const tr = this.trainer(p.trainer);
        if (p.ids.length !== tr.model.rows)
          throw new Error(`trainer ${p.trainer}: a step of ${p.ids.length} positions, expected ${tr.model.rows}`);
        await tr.model.trainStep(p.ids, p.targets, p.lr, p.maxNorm, tr.adam);
        return null;
      }),
    readLosses: (p) =>
      this.queued(p.trainer, async () => {
        const stats = await this.trainer(p.trainer).model.readStats();
        this.steps += stats.length; // steps are counted when their losses are read
        this.status();
        const nats = Float32Array.from(stats, (st) => st.nats),
          counts = Int32Array.from(stats, (st) => st.count);
        return transferring({ nats, counts }, [nats.buffer, counts.buffer]);
      }),
    close: (p) =>
      this.queued(undefined, () => {
        this.trainers.get(p.trainer)?.model.dispose();
        this.trainers.delete(p.trainer);
        this.status();
        return null;
      }),
  };

  /** Open trainers, for the page's status line. */
  get open(): number {
    return this.trainers.size;
  }

  /** Frees every trainer once the calls already taken have ended. */
  async dispose(): Promise<void> {
    await this.queue;
    for (const t of this.trainers.values()) t.model.dispose();
    this.trainers.clear();
  }

  private status(lost?: string): void {
    this.onStatus({ open: this.trainers.size, steps: this.steps, ...(lost === undefined ? {} : { lost }) });
  }

  /** Runs `call` after every call before it; a failure on a trainer whose device is gone drops it and answers TrainerLostError. */
  private queued<T>(trainerId: number | undefined, call: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(call).catch(async (e: unknown) => {
      const tr = trainerId === undefined ? undefined : this.trainers.get(trainerId);
      if (!tr || !(await deviceGone(tr.model.backend))) throw e;
      tr.model.dispose();
      this.trainers.delete(trainerId as number);
      this.status(errorText(e));
      throw new TrainerLostError(errorText(e));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private trainer(id: number): Trainer {
    const t = this.trainers.get(id);
    if (!t) throw new Error(`no trainer ${id} on the engine page (closed, or its device was lost)`);
    return t;
  }

  private write(c: StateChunk): null {
    const tr = this.trainer(c.trainer);
    tr.staged ??= {
      values: { params: new Float32Array(tr.size), m: new Float32Array(tr.size), v: new Float32Array(tr.size) },
      received: { params: 0, m: 0, v: 0 },
    };
    const { values, received } = tr.staged;
    if (c.offset !== received[c.tensor] || c.offset + c.values.length > tr.size) {
      tr.staged = undefined;
      throw new Error(
        `trainer ${c.trainer}: ${c.tensor} values at ${c.offset}+${c.values.length}, expected at ${received[c.tensor]} of ${tr.size}`,
      );
    }
    values[c.tensor].set(c.values, c.offset);
    received[c.tensor] += c.values.length;
    return null;
  }

  private async read(trainer: number, moments: boolean, ctx: HandlerContext<StateChunk>): Promise<{ t: number }> {
    const tr = this.trainer(trainer);
    const parts: [TrainTensor, Float32Array][] = [['params', await tr.model.readParams()]];
    if (moments) {
      const mv = await tr.model.readMoments();
      parts.push(['m', mv.m], ['v', mv.v]);
    }
    for (const [tensor, all] of parts) {
      for (let offset = 0; offset < all.length; offset += MAX_TRAIN_CHUNK_VALUES) {
        const values = all.slice(offset, offset + MAX_TRAIN_CHUNK_VALUES);
        ctx.progress({ trainer, tensor, offset, values }, [values.buffer]);
      }
    }
    return { t: tr.model.t };
  }
}
