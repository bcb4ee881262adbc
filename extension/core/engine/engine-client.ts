// The host's side of the engine boundary (protocol/engine-messages.ts), over the engine channel to
// the engine webview: model uploads in chunks, streaming scoring paced chunk by chunk, generation.
// Every call can be cancelled (AbortSignal) and fails when the engine says nothing for the settings'
// timeoutMs. One client per webview instance: when the webview goes away, dispose() fails what is
// pending. No vscode import: the webview is reached through a Port.
import {
  CancelledError,
  Channel,
  RemoteError,
  type PayloadOf,
  type Port,
  type ProgressOf,
  type ReplyOf,
  type RequestOptions,
  type RequestType,
} from '../../../protocol/channel';
import {
  ENGINE_CHANNEL,
  MAX_CHUNK_TOKENS,
  MAX_WEIGHT_CHUNK_BYTES,
  PROTOCOL_VERSION,
  engineCallerValidators,
  type EngineCaller,
  type EngineServer,
  type ModelLoaded,
  type Ready,
  type EngineChoice,
} from '../../../protocol/engine-messages';
import type { ProtocolError } from '../../../protocol/validate';

/** A page that has not said 'ready' by then failed to load (a missing script, a CSP refusal). */
const READY_TIMEOUT_MS = 30_000;
/**
 * Weight chunks posted before the first of them is answered: enough to keep the way to the page
 * busy through its round trips, few enough to bound what is queued on it.
 */
export const WEIGHT_CHUNKS_IN_FLIGHT = 8;

/** One turn of the event loop: setImmediate in Node (one check phase each), setTimeout in a browser page (the webview tests run the client there). */
const nextTurn = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

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
  /** The model's vocabulary size: every id the engine sends must be below it before anything decodes it. */
  vocabSize: number;
  temperature: number;
  topK: number;
  seed: number;
  signal?: AbortSignal;
  onTokens?(done: number): void;
}

export interface EngineSettings {
  backend: EngineChoice;
  cpuWorkerUri: string;
  /** How long a call may go without an answer or progress. */
  timeoutMs: number;
}

/** What a failed call says to the client's callers: cancelled, gone, or an EngineError with the engine's message. */
function engineError(e: unknown): Error {
  if (e instanceof EngineError || e instanceof EngineCancelled) return e;
  if (e instanceof CancelledError || (e instanceof RemoteError && e.remoteName === 'AbortError'))
    return new EngineCancelled();
  return new EngineError(e instanceof Error ? e.message : String(e));
}

export class EngineClient {
  private readonly channel: Channel<EngineCaller, EngineServer>;
  private nextJob = 1;
  private readonly models = new Map<string, Promise<ModelLoaded>>();
  private readonly ready: Promise<Ready>;
  private rejectReady!: (e: Error) => void;

  constructor(
    port: Port,
    private readonly settings: () => EngineSettings,
    onInvalid?: (e: ProtocolError) => void,
  ) {
    this.channel = new Channel({
      name: ENGINE_CHANNEL,
      port,
      validate: engineCallerValidators,
      closedError: (reason) => new EngineGoneError(reason),
      onInvalid,
    });
    this.ready = new Promise((resolve, reject) => {
      this.rejectReady = reject;
      // Every 'ready' (a reloaded page says it again) gets the settings.
      this.channel.on('ready', (m) => {
        if (m.protocol !== PROTOCOL_VERSION) {
          reject(new EngineError(`engine speaks protocol ${m.protocol}, the host ${PROTOCOL_VERSION}`));
          return;
        }
        const s = this.settings();
        this.channel.notify('configure', { backend: s.backend, cpuWorkerUri: s.cpuWorkerUri });
        resolve(m);
      });
    });
    this.ready.catch(() => undefined); // observed by whoever waits on it
  }

  /** The engine page loaded and answered; with what it found for WebGPU. */
  whenReady(timeoutMs = READY_TIMEOUT_MS): Promise<Ready> {
    return withTimeout(this.ready, timeoutMs, 'the engine webview did not start');
  }

  dispose(reason: string): void {
    this.rejectReady(new EngineGoneError(reason));
    this.channel.dispose(reason);
    this.models.clear();
  }

  /** Uploads a model once per webview and backend; later calls with the same files key reuse it. Resolves to the engine's modelKey. */
  loadModel(
    files: string,
    backend: EngineChoice,
    config: Record<string, unknown>,
    weights: Uint8Array,
    signal?: AbortSignal,
  ): Promise<ModelLoaded> {
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
    modelKey: string,
    backend: EngineChoice,
    config: Record<string, unknown>,
    weights: Uint8Array,
    signal?: AbortSignal,
  ): Promise<ModelLoaded> {
    await this.whenReady();
    const [loaded] = await this.fed(
      signal,
      (s) =>
        this.call(
          'loadModel',
          { modelKey, backend, config, weightsBytes: weights.byteLength },
          { signal: s, what: `loading model ${modelKey}` },
        ),
      async (s) => {
        const answers: Promise<null>[] = [];
        for (let at = 0, i = 0; at < weights.byteLength; at += MAX_WEIGHT_CHUNK_BYTES, i++) {
          if (i >= WEIGHT_CHUNKS_IN_FLIGHT) await answers[i - WEIGHT_CHUNKS_IN_FLIGHT];
          // One chunk per turn of the event loop: posting one is the longest the host is held.
          await nextTurn();
          // A copy, not a subarray: VS Code's webview postMessage and structured clone both send a
          // view's whole underlying buffer, which here is the whole model.
          const bytes = weights.slice(at, at + MAX_WEIGHT_CHUNK_BYTES);
          const answer = this.call(
            'weights',
            { modelKey, offset: at, bytes },
            { signal: s, transfer: [bytes.buffer], what: `weights ${at}-${at + bytes.length} of ${modelKey}` },
          );
          answer.catch(() => undefined); // awaited below; a failure before then also fails the load
          answers.push(answer);
        }
        await Promise.all(answers);
      },
    );
    return loaded;
  }

  /** Scores `tokens` as one stream (state carried across chunks); results arrive through onChunk. */
  async score(modelKey: string, tokens: Int32Array, opts: ScoreOptions): Promise<{ engineMs: number }> {
    await this.whenReady();
    const chunk = Math.max(1, Math.min(MAX_CHUNK_TOKENS, opts.chunkTokens));
    const job = this.nextJob++;
    let engineMs = 0;
    await this.fed(
      opts.signal,
      (s) =>
        this.call(
          'score',
          { job, modelKey, totalTokens: tokens.length, collectDelta: opts.collectDelta },
          { signal: s, what: `scoring ${tokens.length} tokens` },
        ),
      async (s) => {
        for (let at = 0; at < tokens.length; at += chunk) {
          const part = tokens.slice(at, at + chunk);
          const n = part.length; // the transfer empties `part`
          const m = await this.call(
            'scoreChunk',
            { job, modelKey, offset: at, tokens: part },
            { signal: s, transfer: [part.buffer], what: `scoring tokens ${at}-${at + n}` },
          );
          if (m.offset !== at || m.surprisal.length !== n) {
            throw new EngineError(
              `engine answered positions ${m.offset}+${m.surprisal.length} for the chunk ${at}+${n}`,
            );
          }
          engineMs += m.elapsedMs;
          opts.onChunk(at, m.surprisal, m.delta);
        }
      },
    );
    return { engineMs };
  }

  /** Feeds `prompt` and samples `steps` tokens in recurrent step mode; each token id is checked against the vocabulary. */
  async generate(
    modelKey: string,
    prompt: Int32Array,
    opts: GenerateOptions,
  ): Promise<{ tokens: Int32Array; engineMs: number }> {
    await this.whenReady();
    const out = new Int32Array(opts.steps);
    let got = 0;
    const { elapsedMs } = await this.call(
      'generate',
      { modelKey, prompt, steps: opts.steps, temperature: opts.temperature, topK: opts.topK, seed: opts.seed },
      {
        signal: opts.signal,
        what: `generating ${opts.steps} tokens`,
        onProgress: (m) => {
          if (m.offset !== got || got + m.tokens.length > opts.steps)
            throw new EngineError(
              `engine sent tokens ${m.offset}+${m.tokens.length}, expected from ${got} up to ${opts.steps}`,
            );
          const bad = m.tokens.findIndex((id) => id < 0 || id >= opts.vocabSize);
          if (bad >= 0)
            throw new EngineError(
              `engine sent token id ${m.tokens[bad]} at position ${got + bad} of the generated tokens; the model's vocabulary has ids 0 to ${opts.vocabSize - 1}`,
            );
          out.set(m.tokens, got);
          got += m.tokens.length;
          opts.onTokens?.(got);
        },
      },
    );
    return { tokens: out.subarray(0, got), engineMs: elapsedMs };
  }

  /** One call, within the settings' timeout; its failure as engineError says. */
  private async call<K extends RequestType<EngineCaller>>(
    type: K,
    payload: PayloadOf<EngineCaller, K>,
    options: RequestOptions<ProgressOf<EngineCaller, K>>,
  ): Promise<ReplyOf<EngineCaller, K>> {
    try {
      return await this.channel.request(type, payload, { timeoutMs: this.settings().timeoutMs, ...options });
    } catch (e) {
      throw engineError(e);
    }
  }

  /**
   * A job fed in chunks: its open request and the loop that sends its chunks, under one signal that
   * also stops when either fails (the engine then frees the job). Fails with whichever failed first.
   */
  private async fed<R, T>(
    signal: AbortSignal | undefined,
    open: (signal: AbortSignal) => Promise<R>,
    feed: (signal: AbortSignal) => Promise<T>,
  ): Promise<[R, T]> {
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    if (signal?.aborted) stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.all([open(stop.signal), feed(stop.signal)]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }
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
