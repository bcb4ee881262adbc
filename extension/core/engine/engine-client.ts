// The host's side of the engine webview's job protocol (protocol/messages.ts): model uploads in
// chunks, streaming scoring paced chunk by chunk, generation; every job has a request id, can be
// cancelled (AbortSignal) and fails when the engine says nothing for `timeoutMs`. One client per
// webview instance: when the webview goes away, dispose() fails what is pending. No vscode import:
// the webview is reached through `post`.
import {
  MAX_CHUNK_TOKENS,
  MAX_WEIGHT_CHUNK_BYTES,
  PROTOCOL_VERSION,
  parseFromEngine,
  type FromEngine,
  type ModelLoadedMessage,
  type ReadyMessage,
  type ToEngine,
} from '../../../protocol/messages';
import type { BackendChoice } from '../../../kernels/backend';

/** A page that has not said 'ready' by then failed to load (a missing script, a CSP refusal). */
const READY_TIMEOUT_MS = 30_000;

export class EngineError extends Error {
  override name = 'EngineError';
}
/** The engine webview went away (closed, replaced, reloaded): its jobs and trainers are gone with it. */
export class EngineGoneError extends EngineError {
  override name = 'EngineGoneError';
}
export class EngineCancelled extends Error {
  override name = 'AbortError';
  constructor() {
    super('cancelled');
  }
}

/** Replies of one job, in arrival order, read one at a time with a timeout and the caller's signal. */
class Mailbox {
  private readonly queue: FromEngine[] = [];
  private waiter: { resolve: (m: FromEngine) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  deliver(m: FromEngine): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(m);
    } else this.queue.push(m);
  }
  fail(e: Error): void {
    this.failure = e;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(e);
    }
  }
  next(timeoutMs: number, what: string, signal?: AbortSignal): Promise<FromEngine> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        done();
        this.waiter = undefined;
        reject(new EngineCancelled());
      };
      const timer = setTimeout(() => {
        done();
        this.waiter = undefined;
        reject(new EngineError(`the engine did not answer within ${Math.round(timeoutMs / 1000)} s (${what})`));
      }, timeoutMs);
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        resolve: (m) => {
          done();
          resolve(m);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
    });
  }
}

export interface ScoreOptions {
  collectDelta: boolean;
  /** Tokens per chunk (bounded by MAX_CHUNK_TOKENS). */
  chunkTokens: number;
  signal?: AbortSignal;
  /** Each chunk's results as they arrive (positions [offset, offset + surprisal.length) of the job). */
  onChunk(offset: number, surprisal: Float32Array, delta: Float32Array): void;
}

export interface GenerateOptions {
  steps: number;
  temperature: number;
  topK: number;
  seed: number;
  signal?: AbortSignal;
  onTokens?(done: number): void;
}

export class EngineClient {
  private nextRequestId = 1;
  private readonly boxes = new Map<number, Mailbox>();
  private readonly models = new Map<string, Promise<ModelLoadedMessage>>();
  private readonly ready: Promise<ReadyMessage>;
  private resolveReady!: (m: ReadyMessage) => void;
  private rejectReady!: (e: Error) => void;
  private disposed: Error | undefined;

  constructor(
    private readonly post: (m: ToEngine) => PromiseLike<boolean>,
    private readonly settings: () => { backend: BackendChoice; cpuWorkerUri: string; timeoutMs: number },
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined); // observed by whoever waits on it
  }

  /** Routes one raw message from the webview; a message that breaks the protocol is reported and dropped. */
  receive(raw: unknown): void {
    const m = parseFromEngine(raw);
    if (m.type === 'ready') {
      if (m.protocol !== PROTOCOL_VERSION) {
        this.rejectReady(new EngineError(`engine speaks protocol ${m.protocol}, the host ${PROTOCOL_VERSION}`));
        return;
      }
      const s = this.settings();
      void this.post({ type: 'configure', backend: s.backend, cpuWorkerUri: s.cpuWorkerUri });
      this.resolveReady(m);
      return;
    }
    this.boxes.get(m.requestId)?.deliver(m);
  }

  /** The engine page loaded and answered; with what it found for WebGPU. */
  whenReady(timeoutMs = READY_TIMEOUT_MS): Promise<ReadyMessage> {
    return withTimeout(this.ready, timeoutMs, 'the engine webview did not start');
  }

  dispose(reason: string): void {
    this.disposed = new EngineGoneError(reason);
    this.rejectReady(this.disposed);
    for (const box of this.boxes.values()) box.fail(this.disposed);
    this.boxes.clear();
    this.models.clear();
  }

  /** Uploads a model once per webview and backend; later calls with the same files key reuse it. Resolves to the engine's modelKey. */
  loadModel(
    files: string,
    backend: BackendChoice,
    config: Record<string, unknown>,
    weights: Uint8Array,
    signal?: AbortSignal,
  ): Promise<ModelLoadedMessage> {
    const key = `${files}|${backend}`;
    let loaded = this.models.get(key);
    if (!loaded) {
      loaded = this.upload(key, backend, config, weights, signal);
      this.models.set(key, loaded);
      loaded.catch(() => this.models.delete(key));
    }
    return loaded;
  }

  private async upload(
    key: string,
    backend: BackendChoice,
    config: Record<string, unknown>,
    weights: Uint8Array,
    signal?: AbortSignal,
  ): Promise<ModelLoadedMessage> {
    await this.whenReady();
    return this.job(signal, async (id, box, timeoutMs) => {
      await this.send({
        type: 'loadModel',
        requestId: id,
        modelKey: key,
        config,
        weightsBytes: weights.byteLength,
        backend,
      });
      for (let at = 0; at < weights.byteLength; at += MAX_WEIGHT_CHUNK_BYTES) {
        await this.send({
          type: 'modelChunk',
          requestId: id,
          offset: at,
          bytes: weights.slice(at, at + MAX_WEIGHT_CHUNK_BYTES),
        });
      }
      const m = await box.next(timeoutMs, `loading model ${key}`, signal);
      if (m.type === 'modelLoaded') return m;
      throw unexpected(m, 'modelLoaded');
    });
  }

  /** Scores `tokens` as one stream (state carried across chunks); results arrive through onChunk. */
  async score(modelKey: string, tokens: Int32Array, opts: ScoreOptions): Promise<{ engineMs: number }> {
    await this.whenReady();
    const chunk = Math.max(1, Math.min(MAX_CHUNK_TOKENS, opts.chunkTokens));
    return this.job(opts.signal, async (id, box, timeoutMs) => {
      await this.send({
        type: 'score',
        requestId: id,
        modelKey,
        totalTokens: tokens.length,
        collectDelta: opts.collectDelta,
      });
      let engineMs = 0;
      for (let at = 0; at < tokens.length; at += chunk) {
        const part = tokens.slice(at, at + chunk);
        await this.send({
          type: 'scoreChunk',
          requestId: id,
          offset: at,
          tokens: part,
          last: at + chunk >= tokens.length,
        });
        const m = await box.next(timeoutMs, `scoring tokens ${at}-${at + part.length}`, opts.signal);
        if (m.type !== 'chunkScored') throw unexpected(m, 'chunkScored');
        if (m.offset !== at || m.surprisal.length !== part.length) {
          throw new EngineError(
            `engine answered positions ${m.offset}+${m.surprisal.length} for the chunk ${at}+${part.length}`,
          );
        }
        engineMs += m.elapsedMs;
        opts.onChunk(at, m.surprisal, m.delta);
      }
      return { engineMs };
    });
  }

  /** Feeds `prompt` and samples `steps` tokens in recurrent step mode. */
  async generate(
    modelKey: string,
    prompt: Int32Array,
    opts: GenerateOptions,
  ): Promise<{ tokens: Int32Array; engineMs: number }> {
    await this.whenReady();
    return this.job(opts.signal, async (id, box, timeoutMs) => {
      await this.send({
        type: 'generate',
        requestId: id,
        modelKey,
        prompt,
        steps: opts.steps,
        temperature: opts.temperature,
        topK: opts.topK,
        seed: opts.seed,
      });
      const out = new Int32Array(opts.steps);
      let got = 0,
        engineMs = 0;
      for (;;) {
        const m = await box.next(timeoutMs, `generating token ${got}`, opts.signal);
        if (m.type !== 'generated') throw unexpected(m, 'generated');
        if (m.offset !== got || got + m.tokens.length > opts.steps)
          throw new EngineError(
            `engine sent tokens ${m.offset}+${m.tokens.length}, expected from ${got} up to ${opts.steps}`,
          );
        out.set(m.tokens, got);
        got += m.tokens.length;
        engineMs += m.elapsedMs;
        opts.onTokens?.(got);
        if (m.done) return { tokens: out.subarray(0, got), engineMs };
      }
    });
  }

  /**
   * One job for callers outside this file (training, engine-training.ts): a fresh request id, a send,
   * and its replies one at a time within the job timeout; cancel is sent to the engine when it fails.
   */
  async request<T>(
    signal: AbortSignal | undefined,
    body: (
      id: number,
      send: (m: ToEngine) => Promise<void>,
      reply: (what: string) => Promise<FromEngine>,
    ) => Promise<T>,
  ): Promise<T> {
    await this.whenReady();
    return this.job(signal, (id, box, timeoutMs) =>
      body(
        id,
        (m) => this.send(m),
        (what) => box.next(timeoutMs, what, signal),
      ),
    );
  }

  private async send(m: ToEngine): Promise<void> {
    if (this.disposed) throw this.disposed;
    if (!(await this.post(m))) throw new EngineGoneError('the engine webview is gone (message not delivered)');
  }

  /** Runs one job: a fresh request id and mailbox, cancel sent to the engine when the caller aborts or fails. */
  private async job<T>(
    signal: AbortSignal | undefined,
    body: (id: number, box: Mailbox, timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    if (this.disposed) throw this.disposed;
    if (signal?.aborted) throw new EngineCancelled();
    const id = this.nextRequestId++;
    const box = new Mailbox();
    this.boxes.set(id, box);
    try {
      return await body(id, box, this.settings().timeoutMs);
    } catch (e) {
      if (!this.disposed) void this.post({ type: 'cancel', requestId: id }).then(undefined, () => undefined);
      throw e;
    } finally {
      this.boxes.delete(id);
    }
  }
}

/** The error for a reply that is not the one expected: the engine's own failure, or a protocol slip. */
export function unexpected(m: FromEngine, wanted: string): Error {
  if (m.type === 'failed') return m.cancelled ? new EngineCancelled() : new EngineError(m.message);
  return new EngineError(`engine sent ${m.type} where ${wanted} was expected`);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new EngineError(`${what} within ${Math.round(ms / 1000)} s`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
