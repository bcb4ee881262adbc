// The engine's calls (protocol/engine-messages.ts), apart from where they run: serves them with
// the models a ModelMaker gives (engine-model.ts). The engine page runs it on the main thread with
// WebGPU, the CPU worker with the CPU backend, the ONNX worker with onnxruntime-web, and the unit
// tests drive it through the host's EngineClient. No DOM, no vscode.
//
// Scoring streams with the recurrent state carried, one chunk per call, answering each before
// the host sends the next. The last token of a chunk is held back and fed first with the next
// chunk, so one forward pass scores every token of a chunk: row i of a chunk's pass predicts token
// offset+i. Δ (mean over channels, per layer) is reported from that same row: Δ at position p is
// the selection of the step that predicted token p (NaN for the very first token, like surprisal).
import { readSafetensors } from '../../kernels/io/safetensors';
import { parseMambaConfig } from '../../kernels/model/config';
import { mambaParamsFromTensors } from '../../kernels/model/weights';
import { transferring, type HandlerContext, type Handlers, type Transferring } from '../../protocol/channel';
import type {
  ChunkScored,
  EngineCaller,
  EngineChoice,
  Generate,
  Generated,
  LoadModel,
  ModelLoaded,
  ScoreChunk,
  ScoreJob,
  WeightsChunk,
} from '../../protocol/engine-messages';
import type { EngineModel, ModelMaker } from './engine-model';

/** A job fed in chunks: its open request settles through these. */
interface Open<R, P> {
  progress(p: P): void;
  finish(reply: R | PromiseLike<R>): void;
  fail(e: unknown): void;
}
interface Upload extends Open<ModelLoaded, { received: number }> {
  key: string;
  config: Record<string, unknown>;
  preference: EngineChoice;
  bytes: Uint8Array;
  received: number;
  started: number;
}
interface ScoreState extends Open<null, { scored: number }> {
  id: number;
  modelKey: string;
  total: number;
  collectDelta: boolean;
  next: number;
  state: unknown;
  carry: number; // held-back last token of the previous chunk (-1: none yet)
}

/** Opens a job: `register` keeps its state, the job's request stays open until finish or fail; a cancel drops it. */
function openJob<R, P, J extends Open<R, P>>(
  ctx: HandlerContext<P>,
  register: (open: Open<R, P>) => J,
  drop: (job: J) => void,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    ctx.signal.throwIfAborted(); // cancelled on its way here (the page placing the model): nothing to keep
    const job = register({ progress: (p) => ctx.progress(p), finish: resolve, fail: reject });
    ctx.signal.addEventListener(
      'abort',
      () => {
        drop(job);
        reject(ctx.signal.reason);
      },
      { once: true },
    );
  });
}

export class EngineCore {
  private readonly uploads = new Map<string, Upload>();
  private readonly models = new Map<string, EngineModel>();
  private readonly scores = new Map<number, ScoreState>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly make: ModelMaker) {}

  /** The engine calls, for a channel's serve() (or called directly by the page for its WebGPU models). */
  readonly handlers: Handlers<EngineCaller> = {
    loadModel: (p, ctx) => this.loadModel(p, ctx),
    weights: (p) => this.receiveWeights(p),
    score: (p, ctx) => this.openScore(p, ctx),
    scoreChunk: (p) => this.scoreChunk(p),
    generate: (p, ctx) => this.generate(p, ctx),
  };

  /** The model loaded under `key`, for callers that run next to the core (tests, benchmarks). */
  loaded(key: string): EngineModel | undefined {
    return this.models.get(key);
  }

  dispose(): void {
    for (const job of [...this.scores.values()]) this.dropScore(job);
    this.uploads.clear();
    for (const model of this.models.values()) model.dispose();
    this.models.clear();
  }

  /** Runs model work one call at a time, in arrival order. */
  private serial<T>(work: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private loadModel(p: LoadModel, ctx: HandlerContext<{ received: number }>): Promise<ModelLoaded> {
    if (this.uploads.has(p.modelKey)) throw new Error(`model ${p.modelKey} is already loading`);
    return openJob(
      ctx,
      (open) => {
        const upload: Upload = {
          ...open,
          key: p.modelKey,
          config: p.config,
          preference: p.backend,
          bytes: new Uint8Array(p.weightsBytes),
          received: 0,
          started: performance.now(),
        };
        this.uploads.set(p.modelKey, upload);
        return upload;
      },
      (upload) => this.dropUpload(upload),
    );
  }

  private dropUpload(u: Upload): void {
    if (this.uploads.get(u.key) === u) this.uploads.delete(u.key);
  }

  private receiveWeights(p: WeightsChunk): null {
    const u = this.uploads.get(p.modelKey);
    if (!u) throw new Error(`weights for model ${p.modelKey}, which is not loading`);
    if (p.offset !== u.received || p.offset + p.bytes.length > u.bytes.length) {
      const e = new Error(
        `model ${u.key}: weights chunk at ${p.offset}+${p.bytes.length}, expected at ${u.received} of ${u.bytes.length}`,
      );
      this.dropUpload(u);
      u.fail(e);
      throw e;
    }
    u.bytes.set(p.bytes, p.offset);
    u.received += p.bytes.length;
    u.progress({ received: u.received });
    if (u.received === u.bytes.length) {
      this.dropUpload(u);
      u.finish(this.serial(() => this.build(u)));
    }
    return null;
  }

  private async build(u: Upload): Promise<ModelLoaded> {
    const config = parseMambaConfig(u.config, `${u.key} config.json`);
    const params = mambaParamsFromTensors(
      config,
      readSafetensors(u.bytes, `${u.key} model.safetensors`).tensors,
      u.key,
    );
    const model = await this.make(config, params, u.preference);
    this.models.get(u.key)?.dispose();
    this.models.set(u.key, model);
    return {
      modelKey: u.key,
      backend: model.backend,
      reason: model.reason,
      device: model.device,
      layers: config.numLayers,
      loadMs: performance.now() - u.started,
    };
  }

  private model(key: string): EngineModel {
    const m = this.models.get(key);
    if (!m) throw new Error(`no model loaded under "${key}"`);
    return m;
  }

  private openScore(p: ScoreJob, ctx: HandlerContext<{ scored: number }>): Promise<null> {
    this.model(p.modelKey);
    if (this.scores.has(p.job)) throw new Error(`score job ${p.job} is already open`);
    if (p.totalTokens === 0) return Promise.resolve(null);
    return openJob(
      ctx,
      (open) => {
        const job: ScoreState = {
          ...open,
          id: p.job,
          modelKey: p.modelKey,
          total: p.totalTokens,
          collectDelta: p.collectDelta,
          next: 0,
          state: undefined,
          carry: -1,
        };
        this.scores.set(p.job, job);
        return job;
      },
      (job) => this.dropScore(job),
    );
  }

  private scoreChunk(p: ScoreChunk): Promise<Transferring<ChunkScored>> {
    const job = this.scores.get(p.job);
    if (!job) throw new Error(`score job ${p.job} is not open (cancelled, failed or finished)`);
    return this.serial(async () => {
      if (this.scores.get(p.job) !== job) throw new Error(`score job ${p.job} was cancelled`);
      try {
        const scored = await this.scoreTokens(job, p.offset, p.tokens);
        job.progress({ scored: job.next });
        if (job.next === job.total) {
          this.dropScore(job);
          job.finish(null);
        }
        return transferring(scored, [scored.surprisal.buffer as ArrayBuffer, scored.delta.buffer as ArrayBuffer]);
      } catch (e) {
        this.dropScore(job);
        job.fail(e);
        throw e;
      }
    });
  }

  private async scoreTokens(job: ScoreState, offset: number, tokens: Int32Array): Promise<ChunkScored> {
    if (offset !== job.next || offset + tokens.length > job.total)
      throw new Error(`tokens ${offset}+${tokens.length}, expected from ${job.next} of ${job.total}`);
    const model = this.model(job.modelKey);
    const v = model.config.vocabSize,
      layers = model.config.numLayers,
      n = tokens.length;
    tokens.forEach((t, i) => {
      if (!(t >= 0 && t < v))
        throw new Error(`token ${t} at position ${offset + i} is outside the model's vocabulary of ${v}`);
    });
    const started = performance.now();
    job.state ??= model.zeroState();
    // Fed: the held-back token, then all but this chunk's last token; each fed row predicts the next token.
    const lead = job.carry >= 0 ? 1 : 0;
    const fedLength = lead + n - 1;
    const surprisal = new Float32Array(n).fill(NaN);
    const delta = new Float32Array(job.collectDelta ? layers * n : 0).fill(NaN);
    if (fedLength > 0) {
      const fed = new Int32Array(fedLength);
      if (lead) fed[0] = job.carry;
      fed.set(tokens.subarray(0, n - 1), lead);
      const targets = tokens.subarray(1 - lead); // the token each fed row predicts
      const r = await model.score(job.state, fed, targets, job.collectDelta);
      job.state = r.state;
      surprisal.set(r.surprisal, 1 - lead);
      r.meanDelta.forEach((d, l) => delta.set(d, l * n + 1 - lead));
    }
    job.carry = tokens[n - 1] ?? job.carry;
    job.next = offset + n;
    return { offset, surprisal, delta, elapsedMs: performance.now() - started };
  }

  /** Frees a score job's recurrent state (a cancel may come while a chunk computes: it then frees the newest). */
  private dropScore(job: ScoreState): void {
    if (this.scores.get(job.id) === job) this.scores.delete(job.id);
    const loaded = this.models.get(job.modelKey);
    if (job.state !== undefined && loaded) loaded.freeState(job.state);
    job.state = undefined;
  }

  private generate(p: Generate, ctx: HandlerContext<Generated>): Promise<{ elapsedMs: number }> {
    return this.serial(async () => {
      const model = this.model(p.modelKey);
      if (p.prompt.length === 0) throw new Error('generate: the prompt is empty');
      const started = performance.now();
      const r = await model.generate(p.prompt, {
        tokens: p.steps,
        temperature: p.temperature,
        topK: p.topK,
        seed: p.seed,
        signal: ctx.signal,
      });
      const tokens = Int32Array.from(r);
      ctx.progress({ offset: 0, tokens }, [tokens.buffer]);
      return { elapsedMs: performance.now() - started };
    });
  }
}
