// Training steps on the engine webview's GPU, for runs started inside VS Code. The webview is
// reachable only from the extension host's main thread, so the session stays in its worker thread
// (data, CPU validation, checkpoints: train-session.ts) and each StepEngine call is one training
// call (protocol/training-calls.ts) on the worker's channel to the host, which passes it on to the
// page unchanged (engine/engine-training.ts). 'cpu', or 'auto' that the page declines (a software
// fallback adapter), get the CPU trainer and say why.
import { mambaConfigToJson } from '../../../kernels/model/config';
import type { CrossEntropyResult } from '../../../kernels/train/cross-entropy';
import { paramCount, paramSpecs } from '../../../kernels/train/params';
import type { TrainerState } from '../../../kernels/train/trainer-state';
import {
  RemoteError,
  type Channel,
  type PayloadOf,
  type ProgressOf,
  type ReplyOf,
  type RequestOptions,
  type RequestType,
  type Speaker,
} from '../../../protocol/channel';
import {
  isTrainerLost,
  MAX_TRAIN_CHUNK_VALUES,
  TRAIN_TENSORS,
  type TrainingCaller,
} from '../../../protocol/training-calls';
import { cpuStepEngine, StepEngineLost, type StepEngine, type StepEngineFactory } from './step-engine';

/** Whoever answers the training calls: the worker's channel to the host (or, in tests, straight to a page). */
export type TrainerCalls = Pick<Channel<TrainingCaller, Speaker>, 'request'>;

/** The call's answer; a trainer that is gone throws StepEngineLost, any other refusal an Error with the remote message. */
async function call<K extends RequestType<TrainingCaller>>(
  calls: TrainerCalls,
  type: K,
  payload: PayloadOf<TrainingCaller, K>,
  options?: RequestOptions<ProgressOf<TrainingCaller, K>>,
): Promise<ReplyOf<TrainingCaller, K>> {
  try {
    return await calls.request(type, payload, options);
  } catch (e) {
    if (isTrainerLost(e)) throw new StepEngineLost((e as Error).message);
    throw e instanceof RemoteError ? new Error(e.message) : e;
  }
}

class WebviewStepEngine implements StepEngine {
  constructor(
    private readonly calls: TrainerCalls,
    private readonly trainer: number,
    private readonly size: number,
    readonly description: string,
  ) {}

  async setState(s: TrainerState): Promise<void> {
    // Sent back to back: the channel keeps their order and the page applies them in turn.
    const writes: Promise<null>[] = [];
    for (const tensor of TRAIN_TENSORS) {
      const all = s[tensor];
      if (all.length !== this.size)
        throw new Error(`trainer state: ${tensor} has ${all.length} values, the model ${this.size}`);
      for (let offset = 0; offset < all.length; offset += MAX_TRAIN_CHUNK_VALUES) {
        const values = all.slice(offset, offset + MAX_TRAIN_CHUNK_VALUES);
        writes.push(
          call(this.calls, 'write', { trainer: this.trainer, tensor, offset, values }, { transfer: [values.buffer] }),
        );
      }
    }
    await Promise.all(writes);
    await call(this.calls, 'setState', { trainer: this.trainer, t: s.t });
  }

  snapshot(): Promise<TrainerState> {
    return this.read(true);
  }

  async params(): Promise<Float32Array> {
    return (await this.read(false)).params;
  }

  async step(ids: Int32Array, targets: Int32Array, lr: number, maxNorm: number): Promise<void> {
    await call(this.calls, 'step', { trainer: this.trainer, ids, targets, lr, maxNorm });
  }

  async readLosses(): Promise<CrossEntropyResult[]> {
    const { nats, counts } = await call(this.calls, 'readLosses', { trainer: this.trainer });
    return Array.from(counts, (count, i) => ({ nats: nats[i], count }));
  }

  async dispose(): Promise<void> {
    // A webview (or device) that went away took the trainer with it: nothing left to free.
    await call(this.calls, 'close', { trainer: this.trainer }).catch((e: unknown) => {
      if (!(e instanceof StepEngineLost)) throw e;
    });
  }

  /** The parameters (and the moments when asked), assembled from the chunks the read streams. */
  private async read(moments: boolean): Promise<TrainerState> {
    const n = moments ? this.size : 0;
    const out = { params: new Float32Array(this.size), m: new Float32Array(n), v: new Float32Array(n) };
    const got = { params: 0, m: 0, v: 0 };
    const { t } = await call(
      this.calls,
      'read',
      { trainer: this.trainer, moments },
      {
        what: `reading the trainer's ${moments ? 'state' : 'parameters'}`,
        onProgress: (c) => {
          const dst = out[c.tensor];
          if (c.offset !== got[c.tensor] || c.offset + c.values.length > dst.length)
            throw new Error(
              `trainer sent ${c.tensor} values at ${c.offset}+${c.values.length}, expected at ${got[c.tensor]} of ${dst.length}`,
            );
          dst.set(c.values, c.offset);
          got[c.tensor] += c.values.length;
        },
      },
    );
    for (const k of TRAIN_TENSORS)
      if (got[k] !== out[k].length) throw new Error(`trainer sent ${got[k]} of ${out[k].length} ${k} values`);
    return { ...out, t };
  }
}

/** The session's StepEngineFactory inside VS Code: WebGPU on the engine webview, the CPU trainer otherwise. */
export function webviewStepEngines(calls: TrainerCalls): StepEngineFactory {
  return async (choice, cfg, batch, length, adam, threads) => {
    if (choice === 'cpu') return cpuStepEngine(cfg, batch, length, adam, threads);
    const opened = await call(calls, 'open', {
      backend: choice,
      config: mambaConfigToJson(cfg),
      batch,
      length,
      adam: { ...adam },
    });
    if (opened.trainer === undefined) return cpuStepEngine(cfg, batch, length, adam, threads, ` (${opened.reason})`);
    const description = `webgpu in the engine view: ${opened.device}${choice === 'auto' ? ' (auto: a hardware adapter)' : ''}`;
    return new WebviewStepEngine(calls, opened.trainer, paramCount(paramSpecs(cfg)), description);
  };
}
