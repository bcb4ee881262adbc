// Training steps on the engine webview's GPU (issue 5), for runs started inside VS Code. The
// webview is reachable only from the extension host's main thread, so the session stays in its
// worker thread (data, CPU validation, checkpoints: train-session.ts) and each StepEngine call
// goes to the host as one StepCall; the host makes it an engine job (panels/engine-training.ts)
// and posts the answer back. The host only relays arrays: its event loop never trains.
//   worker side  webviewStepEngines(call): a StepEngineFactory; 'cpu', or 'auto' that the page
//                declines (a software fallback adapter), get the CPU trainer and say why
//   host side    StepCallRelay: answers StepCalls on the engine view's client
import type { MambaConfig } from '../../../kernels/model/config';
import type { AdamWConfig } from '../../../kernels/train/adamw';
import type { CrossEntropyResult } from '../../../kernels/train/cross-entropy';
import { paramCount, paramSpecs } from '../../../kernels/train/params';
import { EngineGoneError, type EngineClient } from '../engine/engine-client';
import { EngineTraining, TrainerLostError } from '../engine/engine-training';
import {
  cpuStepEngine,
  StepEngineLost,
  type StepEngine,
  type StepEngineFactory,
  type TrainerSnapshot,
} from './step-engine';

export type StepCall =
  | { op: 'open'; choice: 'auto' | 'webgpu'; cfg: MambaConfig; batch: number; length: number; adam: AdamWConfig }
  | { op: 'setState'; handle: number; state: TrainerSnapshot }
  | { op: 'read'; handle: number; moments: boolean }
  | { op: 'step'; handle: number; ids: Int32Array; targets: Int32Array; lr: number; maxNorm: number }
  | { op: 'readLosses'; handle: number }
  | { op: 'close'; handle: number };

/** What each call answers. */
export interface StepResults {
  open: { handle?: number; description: string; cpuReason?: string };
  setState: undefined;
  read: TrainerSnapshot;
  step: undefined;
  readLosses: CrossEntropyResult[];
  close: undefined;
}

/** The host's answer; `lost` when the webview or its device went away (the run is interrupted, not failed). */
export type StepReply =
  { ok: true; value: StepResults[StepCall['op']] } | { ok: false; message: string; lost: boolean };

/** Sends one call to the host and waits for its answer (the worker's parentPort, or a direct call in tests). */
export type StepChannel = (call: StepCall) => Promise<StepReply>;

class WebviewStepEngine implements StepEngine {
  constructor(
    private readonly channel: StepChannel,
    private readonly handle: number,
    readonly description: string,
  ) {}

  private async call<K extends StepCall['op']>(call: Extract<StepCall, { op: K }>): Promise<StepResults[K]> {
    const r = await this.channel(call);
    if (!r.ok) throw r.lost ? new StepEngineLost(r.message) : new Error(r.message);
    return r.value as StepResults[K];
  }

  async setState(s: TrainerSnapshot): Promise<void> {
    await this.call({ op: 'setState', handle: this.handle, state: s });
  }

  snapshot(): Promise<TrainerSnapshot> {
    return this.call({ op: 'read', handle: this.handle, moments: true });
  }

  async params(): Promise<Float32Array> {
    return (await this.call({ op: 'read', handle: this.handle, moments: false })).params;
  }

  async step(ids: Int32Array, targets: Int32Array, lr: number, maxNorm: number): Promise<void> {
    await this.call({ op: 'step', handle: this.handle, ids, targets, lr, maxNorm });
  }

  readLosses(): Promise<CrossEntropyResult[]> {
    return this.call({ op: 'readLosses', handle: this.handle });
  }

  async dispose(): Promise<void> {
    // A webview (or device) that went away took the trainer with it: nothing left to free.
    await this.call({ op: 'close', handle: this.handle }).catch((e: unknown) => {
      if (!(e instanceof StepEngineLost)) throw e;
    });
  }
}

/** The session's StepEngineFactory inside VS Code: WebGPU on the engine webview, the CPU trainer otherwise. */
export function webviewStepEngines(channel: StepChannel): StepEngineFactory {
  return async (choice, cfg, batch, length, adam, threads) => {
    if (choice === 'cpu') return cpuStepEngine(cfg, batch, length, adam, threads);
    const r = await channel({ op: 'open', choice, cfg, batch, length, adam });
    if (!r.ok) throw new Error(r.message);
    const opened = r.value as StepResults['open'];
    if (opened.handle === undefined)
      return cpuStepEngine(cfg, batch, length, adam, threads, ` (${opened.cpuReason ?? 'the engine view declined'})`);
    return new WebviewStepEngine(channel, opened.handle, opened.description);
  };
}

/** Host side: answers the worker's StepCalls with jobs on the engine view. */
export class StepCallRelay {
  private readonly trainers = new Map<number, { training: EngineTraining; trainerId: number; size: number }>();
  private nextHandle = 1;

  /** `engine` opens the engine view when needed (EngineView.engine). */
  constructor(private readonly engine: () => Promise<EngineClient>) {}

  async answer(call: StepCall): Promise<StepReply> {
    try {
      return { ok: true, value: await this.run(call) };
    } catch (e) {
      const lost = e instanceof EngineGoneError || e instanceof TrainerLostError;
      if (lost && call.op !== 'open') this.trainers.delete(call.handle);
      return { ok: false, message: e instanceof Error ? e.message : String(e), lost };
    }
  }

  private async run(call: StepCall): Promise<StepResults[StepCall['op']]> {
    if (call.op === 'open') return this.open(call);
    const t = this.trainers.get(call.handle);
    if (!t) throw new EngineGoneError(`no trainer ${call.handle} on the engine view (it was closed or went away)`);
    switch (call.op) {
      case 'setState':
        return t.training.setState(t.trainerId, call.state).then(() => undefined);
      case 'read':
        return t.training.read(t.trainerId, t.size, call.moments);
      case 'step':
        return t.training.step(t.trainerId, call.ids, call.targets, call.lr, call.maxNorm).then(() => undefined);
      case 'readLosses':
        return t.training.readLosses(t.trainerId);
      case 'close':
        this.trainers.delete(call.handle);
        return t.training.close(t.trainerId).then(() => undefined);
    }
  }

  private async open(call: Extract<StepCall, { op: 'open' }>): Promise<StepResults['open']> {
    let training: EngineTraining;
    try {
      training = new EngineTraining(await this.engine());
    } catch (e) {
      // 'auto' without an engine view to ask is 'auto' without an adapter: the CPU trains.
      if (call.choice === 'auto')
        return {
          description: '',
          cpuReason: `cpu: the engine view gave no WebGPU (${e instanceof Error ? e.message : String(e)})`,
        };
      throw new Error(
        `WebGPU is not available in the engine view: ${e instanceof Error ? e.message : String(e)}; pick cpu`,
      );
    }
    const opened = await training.open(call.cfg, call.batch, call.length, call.adam, call.choice);
    if (opened.trainerId === undefined) return { description: '', cpuReason: opened.reason };
    const handle = this.nextHandle++;
    this.trainers.set(handle, { training, trainerId: opened.trainerId, size: paramCount(paramSpecs(call.cfg)) });
    return {
      handle,
      description: `webgpu in the engine view: ${opened.device}${call.choice === 'auto' ? ' (auto: a hardware adapter)' : ''}`,
    };
  }
}
