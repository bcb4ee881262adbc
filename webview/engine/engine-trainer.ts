// Training on the engine page's GPU: takes the host's train* messages (protocol/messages.ts), keeps
// one WebGpuTrainModel per open trainer (named by its trainOpen request id) and answers each call.
// Only the trainer's public API is used (setParams, setMoments, readParams, readMoments,
// trainStep, readStats, t, dispose). Calls run one after another in arrival order. A lost device
// answers trainLost and drops the trainer: its run resumes from a checkpoint. Any other error
// (a kernel the device refuses, say) fails the call with its message. No DOM, no vscode: the gpu
// tests drive it under Node with Dawn.
import { parseMambaConfig } from '../../kernels/model/config';
import type { AdamWConfig } from '../../kernels/train/adamw';
import { paramCount, paramSpecs } from '../../kernels/train/params';
import { WebGpuTrainModel } from '../../kernels/train/webgpu-train-model';
import type { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import {
  MAX_TRAIN_CHUNK_VALUES,
  type FromEngine,
  type TrainOpenMessage,
  type TrainTensor,
  type TrainToEngine,
} from '../../protocol/messages';

/** The GPU a trainer gets, or why it gets none ('auto' on a fallback adapter, or no adapter at all for 'auto'). */
export type TrainerGpu = { backend: WebGpuBackend; reason: string } | { backend?: undefined; reason: string };
export type TrainerGpuChooser = (preference: 'auto' | 'webgpu') => Promise<TrainerGpu>;

/** Largest batch x length one trainer step may take (ids and targets per message). */
export const MAX_TRAIN_ROWS = 1 << 20;

interface Trainer {
  model: WebGpuTrainModel;
  adam: AdamWConfig;
  size: number;
}
interface PendingState {
  trainerId: number;
  t: number;
  values: Record<TrainTensor, Float32Array>;
  received: Record<TrainTensor, number>;
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
  private readonly pending = new Map<number, PendingState>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly gpu: TrainerGpuChooser,
    private readonly emit: (m: FromEngine) => void,
  ) {}

  /** Takes one message; calls run in arrival order and each answers (or fails) its own request. */
  handle(m: TrainToEngine): Promise<void> {
    const run = this.queue.then(() => this.process(m));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Open trainers, for the page's status line. */
  get open(): number {
    return this.trainers.size;
  }

  dispose(): void {
    for (const t of this.trainers.values()) t.model.dispose();
    this.trainers.clear();
    this.pending.clear();
  }

  private async process(m: TrainToEngine): Promise<void> {
    try {
      switch (m.type) {
        case 'trainOpen':
          return await this.openTrainer(m);
        case 'trainSetState':
          return this.startState(m.requestId, m.trainerId, m.size, m.t);
        case 'trainWrite':
          return this.write(m.requestId, m.tensor, m.offset, m.values);
        case 'trainRead':
          return await this.read(m.requestId, m.trainerId, m.moments);
        case 'trainStep': {
          const tr = this.trainer(m.trainerId);
          if (m.ids.length !== tr.model.rows || m.targets.length !== tr.model.rows)
            throw new Error(
              `trainer ${m.trainerId}: ${m.ids.length} ids and ${m.targets.length} targets, expected ${tr.model.rows}`,
            );
          await tr.model.trainStep(m.ids, m.targets, m.lr, m.maxNorm, tr.adam);
          this.emit({ type: 'trainAck', requestId: m.requestId });
          return;
        }
        case 'trainReadLosses': {
          const stats = await this.trainer(m.trainerId).model.readStats();
          this.emit({
            type: 'trainLosses',
            requestId: m.requestId,
            nats: Float32Array.from(stats, (st) => st.nats),
            counts: Int32Array.from(stats, (st) => st.count),
          });
          return;
        }
        case 'trainClose':
          this.trainers.get(m.trainerId)?.model.dispose();
          this.trainers.delete(m.trainerId);
          this.emit({ type: 'trainAck', requestId: m.requestId });
          return;
      }
    } catch (e) {
      const pending = this.pending.get(m.requestId);
      this.pending.delete(m.requestId);
      const trainerId = 'trainerId' in m ? m.trainerId : pending?.trainerId;
      const tr = trainerId === undefined ? undefined : this.trainers.get(trainerId);
      if (tr && (await deviceGone(tr.model.backend))) {
        tr.model.dispose();
        this.trainers.delete(trainerId as number);
        this.emit({ type: 'trainLost', requestId: m.requestId, message: errorText(e) });
      } else {
        this.emit({ type: 'failed', requestId: m.requestId, message: errorText(e), cancelled: false });
      }
    }
  }

  private trainer(id: number): Trainer {
    const t = this.trainers.get(id);
    if (!t) throw new Error(`no trainer ${id} on the engine page (closed, or its device was lost)`);
    return t;
  }

  private async openTrainer(m: TrainOpenMessage): Promise<void> {
    const cfg = parseMambaConfig(m.config, `trainer ${m.requestId} config`);
    if (!(
      Number.isInteger(m.batch) &&
      Number.isInteger(m.length) &&
      m.batch >= 1 &&
      m.length >= 1 &&
      m.batch * m.length <= MAX_TRAIN_ROWS
    )) {
      throw new Error(
        `trainer ${m.requestId}: batch ${m.batch} x length ${m.length} (at most ${MAX_TRAIN_ROWS} positions)`,
      );
    }
    const chosen = await this.gpu(m.backend);
    if (!chosen.backend) {
      this.emit({ type: 'trainOpened', requestId: m.requestId, backend: 'cpu', reason: chosen.reason, device: 'cpu' });
      return;
    }
    const model = new WebGpuTrainModel(chosen.backend, cfg, m.batch, m.length);
    this.trainers.set(m.requestId, { model, adam: { ...m.adam }, size: paramCount(paramSpecs(cfg)) });
    this.emit({
      type: 'trainOpened',
      requestId: m.requestId,
      backend: 'webgpu',
      reason: chosen.reason,
      device: chosen.backend.description,
    });
  }

  private startState(requestId: number, trainerId: number, size: number, t: number): void {
    const tr = this.trainer(trainerId);
    if (size !== tr.size)
      throw new Error(`trainer ${trainerId}: state of ${size} values, the model has ${tr.size} parameters`);
    if (!(Number.isInteger(t) && t >= 0))
      throw new Error(`trainer ${trainerId}: AdamW step count ${t} is not a whole number`);
    this.pending.set(requestId, {
      trainerId,
      t,
      values: { params: new Float32Array(size), m: new Float32Array(size), v: new Float32Array(size) },
      received: { params: 0, m: 0, v: 0 },
    });
  }

  private write(requestId: number, tensor: TrainTensor, offset: number, values: Float32Array): void {
    const p = this.pending.get(requestId);
    if (!p) return; // its setState already failed and was answered
    const size = p.values[tensor].length;
    if (offset !== p.received[tensor] || offset + values.length > size) {
      throw new Error(
        `trainer ${p.trainerId}: ${tensor} values at ${offset}+${values.length}, expected at ${p.received[tensor]} of ${size}`,
      );
    }
    p.values[tensor].set(values, offset);
    p.received[tensor] += values.length;
    if (p.received.params < size || p.received.m < size || p.received.v < size) return;
    this.pending.delete(requestId);
    const tr = this.trainer(p.trainerId);
    tr.model.setParams(p.values.params);
    tr.model.setMoments(p.values.m, p.values.v, p.t);
    this.emit({ type: 'trainAck', requestId });
  }

  private async read(requestId: number, trainerId: number, moments: boolean): Promise<void> {
    const tr = this.trainer(trainerId);
    const parts: [TrainTensor, Float32Array][] = [['params', await tr.model.readParams()]];
    if (moments) {
      const mv = await tr.model.readMoments();
      parts.push(['m', mv.m], ['v', mv.v]);
    }
    const t = tr.model.t;
    parts.forEach(([tensor, all], i) => {
      for (let at = 0; at < all.length; at += MAX_TRAIN_CHUNK_VALUES) {
        const values = all.slice(at, at + MAX_TRAIN_CHUNK_VALUES);
        const last = i === parts.length - 1 && at + MAX_TRAIN_CHUNK_VALUES >= all.length;
        this.emit({ type: 'trainValues', requestId, tensor, offset: at, values, t, last });
      }
    });
  }
}
