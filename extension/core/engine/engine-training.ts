// Host side of training on the engine webview's GPU: opens a trainer on the page
// (webview/engine/engine-trainer.ts) and makes each of its calls one EngineClient job. Parameters
// and AdamW moments go out and come back in chunks; a step carries one batch's ids and targets.
// A trainer whose device was lost answers TrainerLostError; when the webview itself went away
// the client throws EngineGoneError.
import { mambaConfigToJson, type MambaConfig } from '../../../kernels/model/config';
import type { AdamWConfig } from '../../../kernels/train/adamw';
import type { CrossEntropyResult } from '../../../kernels/train/cross-entropy';
import {
  MAX_TRAIN_CHUNK_VALUES,
  type BackendName,
  type FromEngine,
  type TrainTensor,
} from '../../../protocol/messages';
import { EngineError, unexpected, type EngineClient } from './engine-client';

/** The trainer's device was lost (or broke) on the engine page; the trainer is gone. */
export class TrainerLostError extends EngineError {
  override name = 'TrainerLostError';
}

/** Parameters, AdamW moments and step count, flat in paramSpecs order. */
export interface EngineTrainerState {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  t: number;
}

export interface OpenedTrainer {
  /** Names the trainer in later calls; undefined when 'auto' declined the page's adapter. */
  trainerId?: number;
  backend: BackendName;
  reason: string;
  device: string;
}

/** The reply of type `type`, or the error the reply stands for. */
function expect<T extends FromEngine['type']>(m: FromEngine, type: T): Extract<FromEngine, { type: T }> {
  if (m.type === type) return m as Extract<FromEngine, { type: T }>;
  if (m.type === 'trainLost') throw new TrainerLostError(m.message);
  throw unexpected(m, type);
}

export class EngineTraining {
  constructor(readonly client: EngineClient) {}

  /** Opens a trainer for cfg at batch x length; 'auto' may decline (backend cpu, with the reason). */
  open(
    cfg: MambaConfig,
    batch: number,
    length: number,
    adam: AdamWConfig,
    backend: 'auto' | 'webgpu',
  ): Promise<OpenedTrainer> {
    return this.client.request(undefined, async (id, send, reply) => {
      await send({
        type: 'trainOpen',
        requestId: id,
        config: mambaConfigToJson(cfg),
        batch,
        length,
        adam: { ...adam },
        backend,
      });
      const m = expect(await reply('opening a trainer'), 'trainOpened');
      return {
        ...(m.backend === 'webgpu' ? { trainerId: id } : {}),
        backend: m.backend,
        reason: m.reason,
        device: m.device,
      };
    });
  }

  setState(trainerId: number, s: EngineTrainerState): Promise<void> {
    const size = s.params.length;
    return this.client.request(undefined, async (id, send, reply) => {
      await send({ type: 'trainSetState', requestId: id, trainerId, size, t: s.t });
      for (const [tensor, values] of [
        ['params', s.params],
        ['m', s.m],
        ['v', s.v],
      ] as const) {
        if (values.length !== size)
          throw new EngineError(`trainer state: ${tensor} has ${values.length} values, params ${size}`);
        for (let at = 0; at < size; at += MAX_TRAIN_CHUNK_VALUES) {
          await send({
            type: 'trainWrite',
            requestId: id,
            tensor,
            offset: at,
            values: values.slice(at, at + MAX_TRAIN_CHUNK_VALUES),
          });
        }
      }
      expect(await reply('setting the trainer state'), 'trainAck');
    });
  }

  /** The parameters (and the moments when asked) of `size` values each, with the step count. */
  read(trainerId: number, size: number, moments: boolean): Promise<EngineTrainerState> {
    return this.client.request(undefined, async (id, send, reply) => {
      await send({ type: 'trainRead', requestId: id, trainerId, moments });
      const out: Record<TrainTensor, Float32Array> = {
        params: new Float32Array(size),
        m: new Float32Array(moments ? size : 0),
        v: new Float32Array(moments ? size : 0),
      };
      const got: Record<TrainTensor, number> = { params: 0, m: 0, v: 0 };
      for (;;) {
        const m = expect(await reply(`reading the trainer's ${moments ? 'state' : 'parameters'}`), 'trainValues');
        const dst = out[m.tensor];
        if (m.offset !== got[m.tensor] || m.offset + m.values.length > dst.length) {
          throw new EngineError(
            `trainer sent ${m.tensor} values at ${m.offset}+${m.values.length}, expected at ${got[m.tensor]} of ${dst.length}`,
          );
        }
        dst.set(m.values, m.offset);
        got[m.tensor] += m.values.length;
        if (!m.last) continue;
        for (const k of ['params', 'm', 'v'] as const)
          if (got[k] !== out[k].length) throw new EngineError(`trainer sent ${got[k]} of ${out[k].length} ${k} values`);
        return { ...out, t: m.t };
      }
    });
  }

  /** One training step (loss, gradient, clipping, AdamW) in one submit; its loss stays on the device for readLosses. */
  step(trainerId: number, ids: Int32Array, targets: Int32Array, lr: number, maxNorm: number): Promise<void> {
    return this.client.request(undefined, async (id, send, reply) => {
      await send({ type: 'trainStep', requestId: id, trainerId, ids, targets, lr, maxNorm });
      expect(await reply('a training step'), 'trainAck');
    });
  }

  /** The loss of every step since the last call, oldest first. */
  readLosses(trainerId: number): Promise<CrossEntropyResult[]> {
    return this.client.request(undefined, async (id, send, reply) => {
      await send({ type: 'trainReadLosses', requestId: id, trainerId });
      const m = expect(await reply('reading the step losses'), 'trainLosses');
      return Array.from(m.counts, (count, i) => ({ nats: m.nats[i], count }));
    });
  }

  close(trainerId: number): Promise<void> {
    return this.client.request(undefined, async (id, send, reply) => {
      await send({ type: 'trainClose', requestId: id, trainerId });
      expect(await reply('closing the trainer'), 'trainAck');
    });
  }
}
