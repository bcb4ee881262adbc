// The engine's job handling, apart from where it runs: takes the host's messages (ToEngine),
// runs the kernels/ model on the backend a chooser gives, and emits FromEngine messages. The
// engine page runs it on the main thread with WebGPU, the CPU worker runs it with the CPU
// backend, and the unit tests drive it through the host's EngineClient. No DOM, no vscode.
//
// Scoring streams with the recurrent state carried, one chunk per message, answering each before
// the host sends the next. The last token of a chunk is held back and fed first with the next
// chunk, so one forward pass scores every token of a chunk: row i of a chunk's pass predicts token
// offset+i. Δ (mean over channels, per layer) is reported from that same row: Δ at position p is
// the selection of the step that predicted token p (NaN for the very first token, like surprisal).
import type { Backend, BackendChoice, BackendName } from '../../kernels/backend';
import { readSafetensors } from '../../kernels/io/safetensors';
import { parseMambaConfig } from '../../kernels/model/config';
import { mambaForward } from '../../kernels/model/forward';
import { generate } from '../../kernels/model/generate';
import { type MambaState, freeMambaState, zeroMambaState } from '../../kernels/model/state';
import { tokenBatch } from '../../kernels/model/token-ids';
import { freeMambaModel, mambaParamsFromTensors, uploadMambaModel, type MambaModel } from '../../kernels/model/weights';
import type { FromEngine, ToEngine } from '../../protocol/messages';
import { MAX_GENERATE_STEPS } from '../../protocol/messages';

export interface ChosenEngineBackend {
  backend: Backend;
  name: BackendName;
  reason: string;
}

/** Gives the backend for a preference, and why that one (the page decides WebGPU or CPU). */
export type BackendChooser = (preference: BackendChoice) => Promise<ChosenEngineBackend>;

/** Largest model upload accepted (weights are float32 safetensors). */
export const MAX_WEIGHTS_BYTES = 2 ** 31 - 1;

interface Upload {
  key: string;
  config: Record<string, unknown>;
  preference: BackendChoice;
  bytes: Uint8Array;
  received: number;
  started: number;
}
interface LoadedModel {
  model: MambaModel;
  chosen: ChosenEngineBackend;
}
interface ScoreJob {
  modelKey: string;
  total: number;
  collectDelta: boolean;
  next: number;
  state: MambaState | null;
  carry: number; // held-back last token of the previous chunk (-1: none yet)
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class EngineCore {
  private readonly uploads = new Map<number, Upload>();
  private readonly models = new Map<string, LoadedModel>();
  private readonly scores = new Map<number, ScoreJob>();
  private readonly generations = new Map<number, AbortController>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly choose: BackendChooser,
    private readonly emit: (m: FromEngine) => void,
  ) {}

  /** Takes one message. Work runs in arrival order; a cancel acts at once. */
  handle(m: ToEngine): Promise<void> {
    if (m.type === 'cancel') {
      this.cancel(m.requestId);
      return Promise.resolve();
    }
    const run = this.queue.then(() => this.process(m));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The model loaded under `key`, for callers that run next to the core (tests, benchmarks). */
  loaded(key: string): LoadedModel | undefined {
    return this.models.get(key);
  }

  dispose(): void {
    for (const [id] of this.scores) this.dropScore(id);
    for (const c of this.generations.values()) c.abort();
    for (const { model, chosen } of this.models.values()) {
      freeMambaModel(chosen.backend, model);
    }
    this.models.clear();
  }

  private fail(requestId: number, e: unknown, cancelled = false): void {
    this.emit({ type: 'failed', requestId, message: cancelled ? 'cancelled' : errorText(e), cancelled });
  }

  private async process(m: Exclude<ToEngine, { type: 'cancel' }>): Promise<void> {
    try {
      switch (m.type) {
        case 'configure':
          return; // the page acts on it (backend preference, worker script)
        case 'loadModel':
          return this.startUpload(m.requestId, m.modelKey, m.config, m.weightsBytes, m.backend);
        case 'modelChunk':
          return await this.receiveChunk(m.requestId, m.offset, m.bytes);
        case 'score':
          return this.startScore(m.requestId, m.modelKey, m.totalTokens, m.collectDelta);
        case 'scoreChunk':
          return await this.scoreChunk(m.requestId, m.offset, m.tokens, m.last);
        case 'generate':
          return await this.generate(m.requestId, m.modelKey, m.prompt, m.steps, m.temperature, m.topK, m.seed);
      }
    } catch (e) {
      const id = m.type === 'configure' ? -1 : m.requestId;
      this.uploads.delete(id);
      this.dropScore(id);
      this.fail(id, e);
    }
  }

  private startUpload(
    requestId: number,
    key: string,
    config: Record<string, unknown>,
    bytes: number,
    preference: BackendChoice,
  ): void {
    if (!(Number.isInteger(bytes) && bytes > 0 && bytes <= MAX_WEIGHTS_BYTES))
      throw new Error(`model ${key}: weights of ${bytes} bytes (at most ${MAX_WEIGHTS_BYTES})`);
    this.uploads.set(requestId, {
      key,
      config,
      preference,
      bytes: new Uint8Array(bytes),
      received: 0,
      started: performance.now(),
    });
  }

  private async receiveChunk(requestId: number, offset: number, bytes: Uint8Array): Promise<void> {
    const u = this.uploads.get(requestId);
    if (!u) throw new Error(`weights chunk for request ${requestId}, which is not loading a model`);
    if (offset !== u.received || offset + bytes.length > u.bytes.length) {
      throw new Error(
        `model ${u.key}: weights chunk at ${offset}+${bytes.length}, expected at ${u.received} of ${u.bytes.length}`,
      );
    }
    u.bytes.set(bytes, offset);
    u.received += bytes.length;
    if (u.received < u.bytes.length) return;
    this.uploads.delete(requestId);
    const config = parseMambaConfig(u.config, `${u.key} config.json`);
    const params = mambaParamsFromTensors(
      config,
      readSafetensors(u.bytes, `${u.key} model.safetensors`).tensors,
      u.key,
    );
    const chosen = await this.choose(u.preference);
    const old = this.models.get(u.key);
    if (old) freeMambaModel(old.chosen.backend, old.model);
    const model = uploadMambaModel(chosen.backend, config, params);
    this.models.set(u.key, { model, chosen });
    this.emit({
      type: 'modelLoaded',
      requestId,
      modelKey: u.key,
      backend: chosen.name,
      reason: chosen.reason,
      device: chosen.backend.description,
      layers: config.numLayers,
      loadMs: performance.now() - u.started,
    });
  }

  private model(key: string): LoadedModel {
    const m = this.models.get(key);
    if (!m) throw new Error(`no model loaded under "${key}"`);
    return m;
  }

  private startScore(requestId: number, modelKey: string, total: number, collectDelta: boolean): void {
    this.model(modelKey);
    this.scores.set(requestId, { modelKey, total, collectDelta, next: 0, state: null, carry: -1 });
  }

  private async scoreChunk(requestId: number, offset: number, tokens: Int32Array, last: boolean): Promise<void> {
    const job = this.scores.get(requestId);
    if (!job) return; // cancelled: the host already got its answer
    if (offset !== job.next || offset + tokens.length > job.total)
      throw new Error(`tokens ${offset}+${tokens.length}, expected from ${job.next} of ${job.total}`);
    const {
      model,
      chosen: { backend },
    } = this.model(job.modelKey);
    const v = model.config.vocabSize,
      layers = model.config.numLayers,
      n = tokens.length;
    tokens.forEach((t, i) => {
      if (!(t >= 0 && t < v))
        throw new Error(`token ${t} at position ${offset + i} is outside the model's vocabulary of ${v}`);
    });
    const started = performance.now();
    job.state ??= zeroMambaState(backend, model.config, 1);
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
      const idsT = backend.uploadIds(fed, [1, fedLength]),
        targetsT = backend.uploadIds(targets.slice(), [1, fedLength]);
      const r = mambaForward(backend, model, idsT, {
        state: job.state,
        returnState: true,
        targets: targetsT,
        meanDelta: job.collectDelta,
      });
      backend.free(idsT);
      backend.free(targetsT);
      backend.free(r.logits);
      freeMambaState(backend, job.state);
      job.state = r.state ?? null;
      surprisal.set(await backend.read(r.surprisal!), 1 - lead);
      backend.free(r.surprisal!);
      for (let l = 0; l < (r.meanDelta?.length ?? 0); l++) {
        delta.set(await backend.read(r.meanDelta![l]), l * n + 1 - lead);
        backend.free(r.meanDelta![l]);
      }
    }
    job.carry = tokens[n - 1] ?? job.carry;
    job.next = offset + n;
    if (!this.scores.has(requestId)) return; // cancelled while computing
    if (last) this.dropScore(requestId);
    this.emit({ type: 'chunkScored', requestId, offset, surprisal, delta, elapsedMs: performance.now() - started });
  }

  private dropScore(requestId: number): void {
    const job = this.scores.get(requestId);
    if (!job) return;
    this.scores.delete(requestId);
    const loaded = this.models.get(job.modelKey);
    if (job.state && loaded) freeMambaState(loaded.chosen.backend, job.state);
  }

  private async generate(
    requestId: number,
    modelKey: string,
    prompt: Int32Array,
    steps: number,
    temperature: number,
    topK: number,
    seed: number,
  ): Promise<void> {
    const {
      model,
      chosen: { backend },
    } = this.model(modelKey);
    if (!(Number.isInteger(steps) && steps >= 1 && steps <= MAX_GENERATE_STEPS))
      throw new Error(`generate: ${steps} steps, expected 1..${MAX_GENERATE_STEPS}`);
    if (prompt.length === 0) throw new Error('generate: the prompt is empty');
    const controller = new AbortController();
    this.generations.set(requestId, controller);
    const started = performance.now();
    try {
      const r = await generate(backend, model, tokenBatch([prompt], model.config.vocabSize, 'generate prompt'), {
        tokens: steps,
        temperature,
        topK,
        seed,
        signal: controller.signal,
      });
      this.emit({
        type: 'generated',
        requestId,
        offset: 0,
        tokens: Int32Array.from(r.tokens[0]),
        done: true,
        elapsedMs: performance.now() - started,
      });
    } catch (e) {
      if (!controller.signal.aborted) throw e; // a cancel already answered
    } finally {
      this.generations.delete(requestId);
    }
  }

  private cancel(requestId: number): void {
    const known = this.scores.has(requestId) || this.generations.has(requestId) || this.uploads.has(requestId);
    this.uploads.delete(requestId);
    this.dropScore(requestId);
    this.generations.get(requestId)?.abort();
    if (known) this.fail(requestId, undefined, true);
  }
}
