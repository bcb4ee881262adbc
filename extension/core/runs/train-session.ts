// One training run from start or from its latest checkpoint to the end of its budget: data
// windows, the fused CPU trainer (forward, backward, clipping, AdamW, warmup + cosine), metrics,
// validation, atomic checkpoints. No vscode here: the CLI runs it in its process, the extension
// in a worker thread (train-worker.ts). Cancelling (the signal) writes a checkpoint first, so
// a resumed run continues the same curve. A step engine that goes away mid-run (StepEngineLost:
// the engine webview closed, a device lost) ends the run interrupted at its last checkpoint.
import { mkdir, readdir } from 'node:fs/promises';
import { DEFAULT_ADAMW } from '../../../kernels/train/adamw';
import { DEFAULT_DT_INIT, initParams } from '../../../kernels/train/init';
import { MambaTrainModel } from '../../../kernels/train/mamba-train-model';
import { paramCount, paramSpecs, ParamViews } from '../../../kernels/train/params';
import {
  createStepEngine,
  StepEngineLost,
  type StepEngine,
  type StepEngineFactory,
  type TrainerSnapshot,
} from './step-engine';
import { Rng } from '../../../kernels/train/rng';
import { learningRate, stepProgress } from '../../../kernels/train/schedule';
import { DnaTokenizer } from '../datasets/dna-tokenizer';
import { latestCheckpointDir, loadCheckpoint, writeCheckpoint, type TrainerState } from './checkpoint';
import { rangeText } from './data-range';
import { modelConfig } from './presets';
import {
  appendMetric,
  checkManifest,
  readRunSpec,
  runFiles,
  truncateMetrics,
  writeManifest,
  writeStatus,
  type MetricRecord,
  type RunSpec,
} from './run-dir';
import { loadTokenData, type TokenData } from './token-data';
import { evenWindows, scoredRuns, splitTrainVal, WindowSampler } from './window-sampler';
import { writeFileAtomic } from './atomic-file';

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
const VAL_BATCH = 16;

/** Creates the run directory and its run.json; the directory must not hold a run already. */
export async function createRun(runDir: string, spec: RunSpec): Promise<void> {
  await mkdir(runDir, { recursive: true });
  if ((await readdir(runDir)).length > 0)
    throw new Error(`${runDir} already holds a run; resume it or choose another name`);
  await writeFileAtomic(runFiles(runDir).spec, JSON.stringify(spec, null, 2) + '\n');
}

function complementTable(tokenizer: DnaTokenizer): Int32Array {
  const v = tokenizer.vocabSize;
  const rc = tokenizer.reverseComplement(Int32Array.from({ length: v }, (_, i) => i));
  return Int32Array.from({ length: v }, (_, id) => rc[v - 1 - id]);
}

/** Runs (or resumes) the run in `runDir` until its budget is spent or the signal aborts. */
export async function runSession(runDir: string, opts: SessionOptions = {}): Promise<SessionResult> {
  const spec = await readRunSpec(runDir);
  const log = opts.onLog ?? (() => undefined);
  const hyper = spec.hyper;
  let data: TokenData;
  try {
    data = await loadTokenData(spec.data, spec.range);
  } catch (err) {
    await writeStatus(runDir, 'failed', 0, err instanceof Error ? err.message : String(err));
    throw err;
  }
  const cfg = modelConfig(spec.size, data.vocabSize);
  const specs = paramSpecs(cfg),
    size = paramCount(specs);
  let state: TrainerState, initial: TrainerSnapshot;
  const previous = await latestCheckpointDir(runDir);
  if (previous) {
    await checkManifest(runDir, data.manifest);
    const ck = await loadCheckpoint(previous, specs);
    initial = { params: ck.params, m: ck.adamM, v: ck.adamV, t: ck.state.adamT };
    state = ck.state;
    await truncateMetrics(runDir, state.step);
    log(`resuming ${spec.name} from ${previous} (step ${state.step})`);
  } else {
    await writeManifest(runDir, data.manifest);
    const rng = new Rng(hyper.seed);
    const init = new Float32Array(size);
    initParams(cfg, new ParamViews(init, specs), rng);
    initial = { params: init, m: new Float32Array(size), v: new Float32Array(size), t: 0 };
    state = { step: 0, tokens: 0, elapsedSec: 0, rng: rng.state(), adamT: 0 };
    await truncateMetrics(runDir, 0);
  }
  let engine: StepEngine;
  try {
    engine = await (opts.stepEngines ?? createStepEngine)(
      spec.backend,
      cfg,
      hyper.batch,
      hyper.length,
      { ...DEFAULT_ADAMW, weightDecay: hyper.weightDecay },
      opts.threads,
    );
  } catch (err) {
    await writeStatus(runDir, 'failed', state.step, err instanceof Error ? err.message : String(err));
    throw err;
  }
  const backend = engine.description;
  const rng = Rng.fromState(state.rng);
  const { train, val } = splitTrainVal(data.segments, hyper.valFraction);
  const sampler = new WindowSampler(
    scoredRuns(train, data.scored, hyper.length + 1),
    hyper.length,
    data.kind === 'dna' ? complementTable(DnaTokenizer.fromJSON(data.tokenizer)) : undefined,
  );
  const valWindows = evenWindows(scoredRuns(val, data.scored, hyper.length + 1), hyper.length, hyper.valWindows);
  log(
    `${spec.name}: ${backend}; ${size} parameters (d_model ${cfg.hiddenSize}, ${cfg.numLayers} layers, d_state ${cfg.stateSize}); ` +
      `${sampler.starts} training window starts, ${valWindows.length} validation windows`,
  );

  const valModel = new MambaTrainModel(cfg, VAL_BATCH, hyper.length, (n): Float32Array => new Float32Array(n));
  const ids = new Int32Array(hyper.batch * hyper.length),
    targets = new Int32Array(hyper.batch * hyper.length);
  const budgetSec = spec.budget.minutes !== undefined ? spec.budget.minutes * 60 : undefined;
  const totalSteps = spec.budget.steps;
  const schedule = { peak: hyper.lr, warmup: hyper.warmupSteps, minRatio: hyper.minLrRatio };
  const lrAt = (): number =>
    learningRate(
      state.step,
      totalSteps !== undefined
        ? stepProgress(state.step, hyper.warmupSteps, totalSteps)
        : state.elapsedSec / (budgetSec as number),
      schedule,
    );
  const done = () => (totalSteps !== undefined ? state.step >= totalSteps : state.elapsedSec >= (budgetSec as number));

  const validate = async (): Promise<number | undefined> => {
    if (valWindows.length === 0) return undefined;
    const p = new ParamViews(await engine.params(), specs);
    const L = hyper.length,
      vIds = new Int32Array(VAL_BATCH * L),
      vT = new Int32Array(VAL_BATCH * L);
    let nats = 0,
      count = 0;
    for (let i = 0; i < valWindows.length; i += VAL_BATCH) {
      vT.fill(-1);
      for (let r = 0; r < VAL_BATCH; r++) {
        const w = valWindows[i + r];
        if (!w) {
          vIds.fill(0, r * L, (r + 1) * L);
          continue;
        }
        for (let t = 0; t < L; t++) {
          vIds[r * L + t] = w[t];
          vT[r * L + t] = w[t + 1];
        }
      }
      valModel.forward(p, vIds);
      const res = valModel.loss(vT);
      nats += res.nats;
      count += res.count;
    }
    return nats / count / Math.LN2;
  };

  const checkpoint = async () => {
    const snap = await engine.snapshot();
    state.rng = rng.state();
    state.adamT = snap.t;
    return writeCheckpoint(runDir, {
      config: cfg,
      configExtra: {
        time_step_min: DEFAULT_DT_INIT.dtMin,
        time_step_max: DEFAULT_DT_INIT.dtMax,
        time_step_floor: DEFAULT_DT_INIT.dtFloor,
        rescale_prenorm_residual: true,
      },
      tokenizer: data.tokenizer,
      specs,
      params: snap.params,
      training: {
        run: spec.name,
        data: data.manifest,
        range: rangeText(spec.range),
        preset: spec.preset ?? null,
        backend,
        lastValBits: lastVal ?? null,
      },
      adamM: snap.m,
      adamV: snap.v,
      state: { ...state },
    });
  };

  await writeStatus(runDir, 'running', state.step);
  let lastVal: number | undefined;
  let sumNats = 0,
    sumCount = 0,
    windowStart = performance.now(),
    windowTokens = 0;
  let lastCheckpoint = previous ?? '',
    checkpointStep = state.step;
  try {
    await engine.setState(initial);
    if (state.step === 0) {
      const v = (lastVal = await validate());
      const rec: MetricRecord = { step: 0, tokens: 0, elapsedSec: 0, ...(v !== undefined ? { valBits: v } : {}) };
      await appendMetric(runDir, rec);
      opts.onProgress?.({ ...rec, totalSteps, budgetSec, backend });
    }
    while (!done() && !opts.signal?.aborted) {
      const t0 = performance.now();
      sampler.fill(rng, hyper.batch, ids, targets);
      const lr = lrAt();
      await engine.step(ids, targets, lr, hyper.clip);
      state.step++;
      state.tokens += hyper.batch * hyper.length;
      state.elapsedSec += (performance.now() - t0) / 1000;
      windowTokens += hyper.batch * hyper.length;
      const last = done();
      const rec: MetricRecord = {
        step: state.step,
        tokens: state.tokens,
        elapsedSec: Math.round(state.elapsedSec * 100) / 100,
      };
      let any = false;
      if (state.step % LOG_EVERY === 0 || last) {
        for (const res of await engine.readLosses()) {
          sumNats += res.nats;
          sumCount += res.count;
        }
        const now = performance.now();
        Object.assign(rec, {
          lr,
          trainBits: sumNats / sumCount / Math.LN2,
          tokensPerSec: Math.round(windowTokens / ((now - windowStart) / 1000)),
        });
        sumNats = 0;
        sumCount = 0;
        windowTokens = 0;
        windowStart = now;
        any = true;
      }
      if (state.step % hyper.evalEvery === 0 || last) {
        const v = await validate();
        if (v !== undefined) rec.valBits = lastVal = v;
        any = true;
      }
      if (any) {
        await appendMetric(runDir, rec);
        opts.onProgress?.({ ...rec, totalSteps, budgetSec, backend });
        if (rec.valBits !== undefined)
          log(
            `step ${rec.step}: train ${rec.trainBits?.toFixed(4) ?? '-'} bits/token, val ${rec.valBits.toFixed(4)}, ${rec.tokensPerSec ?? '-'} tokens/s`,
          );
      }
      if (state.step % hyper.checkpointEvery === 0 && !last) {
        lastCheckpoint = await checkpoint();
        checkpointStep = state.step;
      }
    }
    lastCheckpoint = await checkpoint();
    const cancelled = !done();
    await writeStatus(runDir, cancelled ? 'cancelled' : 'finished', state.step);
    return { state: cancelled ? 'cancelled' : 'finished', step: state.step, checkpoint: lastCheckpoint };
  } catch (err) {
    if (err instanceof StepEngineLost) {
      const message = `${err.message} at step ${state.step}; it resumes from ${lastCheckpoint ? `the checkpoint at step ${checkpointStep}` : 'the start (no checkpoint yet)'}`;
      await writeStatus(runDir, 'interrupted', checkpointStep, message);
      log(message);
      return { state: 'interrupted', step: checkpointStep, checkpoint: lastCheckpoint, message };
    }
    await writeStatus(runDir, 'failed', state.step, err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    await engine.dispose();
  }
}
