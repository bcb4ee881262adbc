// One training run from start or from its checkpoint (resume-point.ts) to the end of its budget:
// data windows, the fused CPU trainer (forward, backward, clipping, AdamW, warmup + cosine),
// metrics, validation, atomic checkpoints. No vscode here: the CLI runs it in its process, the
// extension in a worker thread (train-worker.ts). Cancelling (the signal) writes a checkpoint
// first, so a resumed run continues the same curve. A step engine that goes away mid-run
// (StepEngineLost: the engine webview closed, a device lost) ends the run interrupted at its last
// checkpoint. A run that cannot start (run.json, data, memory, checkpoint) says why in its status.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_ADAMW } from '../../../kernels/train/adamw';
import { initParams } from '../../../kernels/train/init';
import type { MambaConfig } from '../../../kernels/model/config';
import { paramCount, paramSpecs, ParamViews, type ParamSpec } from '../../../kernels/train/params';
import { createStepEngine, StepEngineLost, type StepEngine, type StepEngineFactory } from './step-engine';
import { Rng } from '../../../kernels/train/rng';
import type { TrainerState } from '../../../kernels/train/trainer-state';
import { learningRate, stepProgress } from '../../../kernels/train/schedule';
import { CHECKPOINT_CONFIG_EXTRA, pruneCheckpoints, writeCheckpoint, type RunProgress } from './checkpoint';
import { rangeText } from './data-range';
import { loadInitParams } from './init-model';
import { checkTrainingMemory } from './memory-check';
import { modelConfig } from './presets';
import { resumePoint } from './resume-point';
import {
  appendMetric,
  checkManifest,
  dropMetricsFrom,
  parseRunSpec,
  readRunSpec,
  readStatus,
  runFiles,
  writeManifest,
  writeStatus,
  type MetricRecord,
  type RunSpec,
} from './run-dir';
import { loadTokenData, type TokenData } from './token-data';
import { evenWindows, trainingRuns, WindowSampler } from './window-sampler';
import { writeFileAtomic } from './atomic-file';
import { ValidationLoss } from './validation-loss';

export interface TrainProgress extends MetricRecord {
  totalSteps?: number;
  budgetSec?: number;
  backend: string;
}

export interface SessionOptions {
  signal?: AbortSignal;
  /** CPU threads computing each batch's gradient (default: defaultThreads()). */
  threads?: number;
  /** Where the steps run (default createStepEngine; the extension's worker passes the engine webview's). */
  stepEngines?: StepEngineFactory;
  onProgress?: (p: TrainProgress) => void;
  onLog?: (line: string) => void;
}

/** How a run ended; an interrupted one says why and where it resumes in `message`. */
export interface SessionResult {
  state: 'finished' | 'cancelled' | 'interrupted';
  step: number;
  valBits?: number;
  checkpoint: string;
  message?: string;
}

const LOG_EVERY = 10;

/** A run createRun made, which a start that fails before training can take back. */
export interface NewRun {
  /** Removes what createRun made (the folders, or the files in a folder that was there empty) and all written since. */
  discard(): Promise<void>;
}

/** Creates the run directory and its run.json (the spec checked as run.json is); the directory must not hold a run already. */
export async function createRun(runDir: string, spec: RunSpec): Promise<NewRun> {
  const checked = parseRunSpec(spec, runFiles(runDir).spec);
  const made = await mkdir(runDir, { recursive: true });
  if ((await readdir(runDir)).length > 0)
    throw new Error(`${runDir} already holds a run; resume it or choose another name`);
  await writeFileAtomic(runFiles(runDir).spec, JSON.stringify(checked, null, 2) + '\n');
  return {
    async discard() {
      if (made) await rm(made, { recursive: true, force: true });
      else for (const name of await readdir(runDir)) await rm(join(runDir, name), { recursive: true, force: true });
    },
  };
}

/** Runs `f`; when it throws, marks the run (if `runDir` holds one) failed at the step its status had, and rethrows. */
async function failOnError<T>(runDir: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (existsSync(runFiles(runDir).spec)) {
      // An unreadable status.json is replaced by this one, which says what went wrong.
      const step = (await readStatus(runDir).catch(() => undefined))?.step ?? 0;
      await writeStatus(runDir, 'failed', step, err instanceof Error ? err.message : String(err));
    }
    throw err;
  }
}

/** Where a run starts: its latest checkpoint, or at step 0 the init model's weights or fresh ones. */
interface StartingPoint {
  /** The checkpoint it resumes from, if any. */
  previous: string | undefined;
  progress: RunProgress;
  trainer: TrainerState;
}

/**
 * Resumes from the run's checkpoint (resumePoint; its data must be the run's) or, when it has none,
 * starts at step 0 (from run.json's init, its hash checked); the metrics recorded past the start are
 * dropped, nothing is changed before the checks.
 */
async function startingPoint(
  runDir: string,
  spec: RunSpec,
  data: TokenData,
  cfg: MambaConfig,
  specs: readonly ParamSpec[],
  log: (line: string) => void,
): Promise<StartingPoint> {
  const ck = await resumePoint(runDir, specs, log);
  if (ck) {
    await checkManifest(runDir, data.manifest);
    await dropMetricsFrom(runDir, ck.progress.step + 1);
    log(`resuming ${spec.name} from ${ck.dir} (step ${ck.progress.step})`);
    return { previous: ck.dir, progress: ck.progress, trainer: ck.trainer };
  }
  const size = paramCount(specs);
  const rng = new Rng(spec.hyper.seed);
  const params = spec.init ? await loadInitParams(spec.init, cfg, specs, data) : new Float32Array(size);
  if (spec.init) log(`starting from ${spec.init.path}`);
  else initParams(cfg, new ParamViews(params, specs), rng);
  await writeManifest(runDir, data.manifest);
  const progress = { step: 0, tokens: 0, elapsedSec: 0, rng: rng.state() };
  await dropMetricsFrom(runDir, 0);
  return {
    previous: undefined,
    progress,
    trainer: { params, m: new Float32Array(size), v: new Float32Array(size), t: 0 },
  };
}

/** Training loss and throughput since the last time they were read. */
class LossWindow {
  private nats = 0;
  private count = 0;
  private tokens = 0;
  private start = performance.now();

  add(tokens: number): void {
    this.tokens += tokens;
  }

  /** Collects the engine's losses since the last read and starts a new window. */
  async read(engine: StepEngine): Promise<{ trainBits: number; tokensPerSec: number }> {
    for (const res of await engine.readLosses()) {
      this.nats += res.nats;
      this.count += res.count;
    }
    const now = performance.now();
    const out = {
      trainBits: this.nats / this.count / Math.LN2,
      tokensPerSec: Math.round(this.tokens / ((now - this.start) / 1000)),
    };
    this.nats = 0;
    this.count = 0;
    this.tokens = 0;
    this.start = now;
    return out;
  }
}

/** What a session trains with: the run, its data and model shape, where it starts and its step engine. */
interface SessionParts {
  runDir: string;
  spec: RunSpec;
  data: TokenData;
  cfg: MambaConfig;
  specs: readonly ParamSpec[];
  start: StartingPoint;
  engine: StepEngine;
}

/** A run ready to train: the step loop, its metrics and validation, its checkpoints and how it ends. */
class Session {
  private readonly progress: RunProgress;
  private readonly rng: Rng;
  private readonly sampler: WindowSampler;
  private readonly validation: ValidationLoss;
  private readonly ids: Int32Array;
  private readonly targets: Int32Array;
  private readonly totalSteps: number | undefined;
  private readonly budgetSec: number | undefined;
  private readonly log: (line: string) => void;
  private lastVal: number | undefined;
  private lastCheckpoint: string;
  private checkpointStep: number;
  /** The steps of the checkpoints this session wrote: pruneCheckpoints may remove them. */
  private readonly written = new Set<number>();

  constructor(
    private readonly parts: SessionParts,
    private readonly opts: SessionOptions,
  ) {
    const { spec, data, cfg, specs, start } = parts;
    const hyper = spec.hyper;
    this.progress = start.progress;
    this.rng = Rng.fromState(start.progress.rng);
    const runs = trainingRuns(data, hyper.length, hyper.valFraction);
    this.sampler = new WindowSampler(runs.train, hyper.length, runs.complement);
    this.validation = new ValidationLoss(
      cfg,
      specs,
      hyper.length,
      evenWindows(runs.val, hyper.length, hyper.valWindows),
    );
    this.ids = new Int32Array(hyper.batch * hyper.length);
    this.targets = new Int32Array(hyper.batch * hyper.length);
    this.budgetSec = spec.budget.minutes !== undefined ? spec.budget.minutes * 60 : undefined;
    this.totalSteps = spec.budget.steps;
    this.log = opts.onLog ?? (() => undefined);
    this.lastCheckpoint = start.previous ?? '';
    this.checkpointStep = start.progress.step;
  }

  private get backend(): string {
    return this.parts.engine.description;
  }

  /** The backend, the model's size and the number of training and validation windows. */
  summary(): string {
    const { spec, cfg, specs } = this.parts;
    return (
      `${spec.name}: ${this.backend}; ${paramCount(specs)} parameters (d_model ${cfg.hiddenSize}, ${cfg.numLayers} layers, d_state ${cfg.stateSize}); ` +
      `${this.sampler.starts} training window starts, ${this.validation.windows.length} validation windows`
    );
  }

  /** Trains to the end of the budget (or the signal), then checkpoints; the engine is disposed either way. */
  async run(): Promise<SessionResult> {
    const { runDir, engine } = this.parts;
    await writeStatus(runDir, 'running', this.progress.step);
    const window = new LossWindow();
    try {
      await engine.setState(this.parts.start.trainer);
      if (this.progress.step === 0) await this.recordStart();
      await this.stepLoop(window);
      return await this.finish();
    } catch (err) {
      if (err instanceof StepEngineLost) return await this.interrupted(err);
      await writeStatus(runDir, 'failed', this.progress.step, err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      await engine.dispose();
    }
  }

  private done(): boolean {
    return this.totalSteps !== undefined
      ? this.progress.step >= this.totalSteps
      : this.progress.elapsedSec >= (this.budgetSec as number);
  }

  /** Warmup then cosine decay over the steps, or over the minutes of a time budget. */
  private learningRate(): number {
    const { lr, warmupSteps, minLrRatio } = this.parts.spec.hyper;
    const { step, elapsedSec } = this.progress;
    return learningRate(
      step,
      this.totalSteps !== undefined
        ? stepProgress(step, warmupSteps, this.totalSteps)
        : elapsedSec / (this.budgetSec as number),
      { peak: lr, warmup: warmupSteps, minRatio: minLrRatio },
    );
  }

  private async stepLoop(window: LossWindow): Promise<void> {
    const hyper = this.parts.spec.hyper;
    while (!this.done() && !this.opts.signal?.aborted) {
      const lr = await this.step();
      window.add(hyper.batch * hyper.length);
      const last = this.done();
      await this.record(window, lr, last);
      if (this.progress.step % hyper.checkpointEvery === 0 && !last) await this.checkpoint();
    }
  }

  /** One optimizer step on a freshly sampled batch; returns its learning rate. */
  private async step(): Promise<number> {
    const { batch, length, clip } = this.parts.spec.hyper;
    const t0 = performance.now();
    this.sampler.fill(this.rng, batch, this.ids, this.targets);
    const lr = this.learningRate();
    await this.parts.engine.step(this.ids, this.targets, lr, clip);
    this.progress.step++;
    this.progress.tokens += batch * length;
    this.progress.elapsedSec += (performance.now() - t0) / 1000;
    return lr;
  }

  private validate(): Promise<number | undefined> {
    return this.validation.bits(() => this.parts.engine.params());
  }

  /** The untrained model's validation loss, as step 0 of the curve. */
  private async recordStart(): Promise<void> {
    const v = (this.lastVal = await this.validate());
    await this.publish({ step: 0, tokens: 0, elapsedSec: 0, ...(v !== undefined ? { valBits: v } : {}) });
  }

  /** The training loss every LOG_EVERY steps and the validation loss every evalEvery (both at the last step). */
  private async record(window: LossWindow, lr: number, last: boolean): Promise<void> {
    const { step, tokens, elapsedSec } = this.progress;
    const rec: MetricRecord = { step, tokens, elapsedSec: Math.round(elapsedSec * 100) / 100 };
    let any = false;
    if (step % LOG_EVERY === 0 || last) {
      Object.assign(rec, { lr, ...(await window.read(this.parts.engine)) });
      any = true;
    }
    if (step % this.parts.spec.hyper.evalEvery === 0 || last) {
      const v = await this.validate();
      if (v !== undefined) rec.valBits = this.lastVal = v;
      any = true;
    }
    if (!any) return;
    await this.publish(rec);
    if (rec.valBits !== undefined)
      this.log(
        `step ${rec.step}: train ${rec.trainBits?.toFixed(4) ?? '-'} bits/token, val ${rec.valBits.toFixed(4)}, ${rec.tokensPerSec ?? '-'} tokens/s`,
      );
  }

  /** Appends a metrics line and reports it as progress. */
  private async publish(rec: MetricRecord): Promise<void> {
    await appendMetric(this.parts.runDir, rec);
    this.opts.onProgress?.({ ...rec, totalSteps: this.totalSteps, budgetSec: this.budgetSec, backend: this.backend });
  }

  private async checkpoint(): Promise<void> {
    const { runDir, spec, data, cfg, specs, engine } = this.parts;
    const trainer = await engine.snapshot();
    this.progress.rng = this.rng.state();
    this.lastCheckpoint = await writeCheckpoint(runDir, {
      config: cfg,
      configExtra: CHECKPOINT_CONFIG_EXTRA,
      tokenizer: data.tokenizer,
      specs,
      trainer,
      training: {
        run: spec.name,
        data: data.manifest,
        range: rangeText(spec.range),
        preset: spec.preset ?? null,
        init: spec.init ?? null,
        backend: this.backend,
        lastValBits: this.lastVal ?? null,
      },
      progress: { ...this.progress },
    });
    this.checkpointStep = this.progress.step;
    this.written.add(this.checkpointStep);
    await pruneCheckpoints(runDir, this.parts.start.progress.step, this.written);
  }

  /** The final checkpoint, and the run finished (budget spent) or cancelled (signal). */
  private async finish(): Promise<SessionResult> {
    await this.checkpoint();
    const state = this.done() ? 'finished' : 'cancelled';
    await writeStatus(this.parts.runDir, state, this.progress.step);
    return { state, step: this.progress.step, checkpoint: this.lastCheckpoint };
  }

  /** The step engine went away: the run stops at its last checkpoint and says where it resumes. */
  private async interrupted(err: StepEngineLost): Promise<SessionResult> {
    const message = `${err.message} at step ${this.progress.step}; it resumes from ${this.lastCheckpoint ? `the checkpoint at step ${this.checkpointStep}` : 'the start (no checkpoint yet)'}`;
    await writeStatus(this.parts.runDir, 'interrupted', this.checkpointStep, message);
    this.log(message);
    return { state: 'interrupted', step: this.checkpointStep, checkpoint: this.lastCheckpoint, message };
  }
}

/** A run ready to train: everything checked and allocated, its step engine started. */
export interface OpenSession {
  /** Trains until the budget is spent or the signal aborts. */
  run(): Promise<SessionResult>;
}

/**
 * Prepares the run in `runDir` (from its checkpoint, or fresh) without training yet: run.json, the
 * data, the memory the model needs and the checkpoint to resume from are checked first; when any
 * check fails the run's status says why.
 */
export async function openSession(runDir: string, opts: SessionOptions = {}): Promise<OpenSession> {
  const session = await failOnError(runDir, async () => {
    const spec = await readRunSpec(runDir);
    const data = await loadTokenData(spec.data, spec.range);
    const cfg = modelConfig(spec.size, data.vocabSize);
    checkTrainingMemory(cfg, spec.hyper.batch, spec.hyper.length);
    const specs = paramSpecs(cfg);
    const start = await startingPoint(runDir, spec, data, cfg, specs, opts.onLog ?? (() => undefined));
    const engine = await (opts.stepEngines ?? createStepEngine)(
      spec.backend,
      cfg,
      spec.hyper.batch,
      spec.hyper.length,
      { ...DEFAULT_ADAMW, weightDecay: spec.hyper.weightDecay },
      opts.threads,
    );
    try {
      return new Session({ runDir, spec, data, cfg, specs, start, engine }, opts);
    } catch (err) {
      await engine.dispose(); // e.g. no training window fits in the data
      throw err;
    }
  });
  opts.onLog?.(session.summary());
  return session;
}

/** Runs (or resumes) the run in `runDir` until its budget is spent or the signal aborts. */
export async function runSession(runDir: string, opts: SessionOptions = {}): Promise<SessionResult> {
  return (await openSession(runDir, opts)).run();
}
