// One typed request/reply channel for every boundary between runtimes (host <-> engine page,
// page <-> CPU worker, host <-> notebook renderer, host <-> training pane, host <-> worker threads).
//
// A boundary is described by what each side says, as two Speaker types (declare them with `type`):
//
//   type HostSays = {
//     requests: { score: { payload: ScorePayload; reply: ScoreReply; progress: ScoreProgress } };
//     notifications: { configure: ConfigurePayload };
//   };
//   type PageSays = { requests: {}; notifications: { ready: ReadyPayload } };
//
// (`progress` only on requests that stream progress before their reply), and each side makes one
// Channel<Mine, Theirs> over a Port:
//
//   const host = new Channel<HostSays, PageSays>({ name: 'engine', port, validate, timeoutMs, closedError });
//   const reply = await host.request('score', payload, { signal, timeoutMs, transfer, onProgress, what });
//   host.notify('configure', payload, transfer?);          host.on('ready', (payload) => ...) -> unsubscribe
//   page.serve({ score: async (payload, { signal, progress }) => reply });   // or transferring(reply, buffers)
//   host.dispose('engine view closed');                     // or dispose(error)
//
// Port: { post(message, transfer?), subscribe(listener) -> unsubscribe }. post may return a
// PromiseLike<boolean> (a VS Code webview's postMessage): false means not delivered, and the request
// fails with closedError. eventPort() adapts a Worker, a worker's global scope or a page's window
// (with a separate sender, e.g. acquireVsCodeApi()); nodePort() adapts a worker_threads port.
//
// Behaviour:
// - request ids are the channel's own; replies may come in any order.
// - timeoutMs (per request, else the channel's; none when neither is set) counts from the request
//   and restarts on each progress message: "no progress for this long". A timeout rejects with
//   ChannelTimeoutError naming the request and the time, and sends a cancel to the other side.
// - signal: aborting rejects with CancelledError (name 'AbortError') and sends a cancel; the handler's
//   ctx.signal aborts. A handler's result after a cancel is not sent.
// - a handler that throws answers an error: the requester's promise rejects with RemoteError, whose
//   message is the remote message and remoteName the remote error's name (to map it back to a type).
// - every incoming message is checked: the envelope here, payloads by the boundary's Validators
//   (one parser per request payload, reply, progress and notification; each throws a ProtocolError
//   naming what was wrong). A bad request is answered with that error; a bad reply or progress
//   rejects its request; a bad notification or envelope goes to onInvalid. Nothing unchecked reaches
//   a handler, a listener or a caller. Messages tagged with another channel name are left alone
//   (several channels may share a port).
// - dispose rejects every pending request with closedError(reason) (ChannelClosedError by default),
//   aborts every handler in flight, stops listening; later requests reject at once.
// - handlers start synchronously in arrival order.
import { Fields, MAX_ID, MAX_TEXT, ProtocolError } from './validate';

/** Buffers whose ownership moves with a message (postMessage's transfer list). */
export type Transfer = ArrayBuffer[];

export interface Port {
  post(message: unknown, transfer?: Transfer): void | PromiseLike<boolean>;
  /** Calls `listener` with each incoming message; returns what stops it. */
  subscribe(listener: (message: unknown) => void): () => void;
}

/** What one side of a boundary says: the requests it makes and the notifications it sends. */
export interface Speaker {
  requests: object;
  notifications: object;
}

export type RequestType<S extends Speaker> = keyof S['requests'] & string;
export type PayloadOf<S extends Speaker, K extends RequestType<S>> = S['requests'][K] extends { payload: infer P }
  ? P
  : never;
export type ReplyOf<S extends Speaker, K extends RequestType<S>> = S['requests'][K] extends { reply: infer R }
  ? R
  : never;
export type ProgressOf<S extends Speaker, K extends RequestType<S>> = S['requests'][K] extends { progress: infer G }
  ? G
  : never;
/** The request types that stream progress before their reply. */
export type ProgressType<S extends Speaker> = {
  [K in RequestType<S>]: S['requests'][K] extends { progress: unknown } ? K : never;
}[RequestType<S>];
export type NotificationType<S extends Speaker> = keyof S['notifications'] & string;
export type NotificationOf<S extends Speaker, K extends NotificationType<S>> = S['notifications'][K];

/** Builds a trusted value from an incoming one, or throws a ProtocolError saying what was wrong. */
export type Parser<T> = (raw: unknown) => T;

/** The checks one side applies to everything it receives. */
export interface Validators<Mine extends Speaker, Theirs extends Speaker> {
  /** Payloads of the requests this side serves. */
  requests: { [K in RequestType<Theirs>]: Parser<PayloadOf<Theirs, K>> };
  /** Replies to the requests this side makes. */
  replies: { [K in RequestType<Mine>]: Parser<ReplyOf<Mine, K>> };
  /** Progress of the requests this side makes that stream it. */
  progress: { [K in ProgressType<Mine>]: Parser<ProgressOf<Mine, K>> };
  notifications: { [K in NotificationType<Theirs>]: Parser<NotificationOf<Theirs, K>> };
}

export interface ChannelOptions<Mine extends Speaker, Theirs extends Speaker> {
  /** Tags every message; both sides use the same name. */
  name: string;
  port: Port;
  validate: Validators<Mine, Theirs>;
  /** Default for requests that set none; no timeout when neither does. */
  timeoutMs?: number;
  /** The error pending and later requests get once the channel is disposed or the port refuses a message. */
  closedError?: (reason: string) => Error;
  /** Incoming messages that broke the protocol and were dropped (a bad notification or envelope). */
  onInvalid?: (error: ProtocolError) => void;
}

export interface RequestOptions<P> {
  signal?: AbortSignal;
  timeoutMs?: number;
  transfer?: Transfer;
  onProgress?: (progress: P) => void;
  /** What the request is doing, for its error messages ("scoring tokens 0-65536"). */
  what?: string;
}

export interface HandlerContext<P> {
  /** Aborts when the requester cancels (or times out) or the channel is disposed. */
  signal: AbortSignal;
  progress(progress: P, transfer?: Transfer): void;
}

/** A reply whose buffers move to the other side instead of being copied. */
export class Transferring<T> {
  constructor(
    readonly value: T,
    readonly transfer: Transfer,
  ) {}
}
export function transferring<T>(value: T, transfer: Transfer): Transferring<T> {
  return new Transferring(value, transfer);
}

export type Handler<P, R, G> = (
  payload: P,
  ctx: HandlerContext<G>,
) => R | Transferring<R> | PromiseLike<R | Transferring<R>>;
export type Handlers<Theirs extends Speaker> = {
  [K in RequestType<Theirs>]: Handler<PayloadOf<Theirs, K>, ReplyOf<Theirs, K>, ProgressOf<Theirs, K>>;
};

export class ChannelTimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(
    readonly request: string,
    readonly timeoutMs: number,
  ) {
    super(`${request} got no answer within ${formatSeconds(timeoutMs)}`);
  }
}
export class CancelledError extends Error {
  override name = 'AbortError';
  constructor(readonly request: string) {
    super(`${request} was cancelled`);
  }
}
/** The other side's handler failed; `remoteName` is its error's name. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    message: string,
    readonly remoteName: string,
    readonly request: string,
  ) {
    super(message);
  }
}
export class ChannelClosedError extends Error {
  override name = 'ChannelClosedError';
}

type Envelope =
  | { kind: 'request'; id: number; type: string; payload: unknown }
  | { kind: 'progress'; id: number; payload: unknown }
  | { kind: 'reply'; id: number; payload: unknown }
  | { kind: 'error'; id: number; name: string; message: string }
  | { kind: 'cancel'; id: number }
  | { kind: 'notify'; type: string; payload: unknown };

const KINDS = ['request', 'progress', 'reply', 'error', 'cancel', 'notify'] as const;
const MAX_TYPE = 64;

interface Pending {
  type: string;
  label: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** (Re)starts the no-answer timer. */
  arm(): void;
  onProgress?: (progress: never) => void;
}

export class Channel<Mine extends Speaker, Theirs extends Speaker> {
  readonly name: string;
  private readonly port: Port;
  private readonly validate: Validators<Mine, Theirs>;
  private readonly options: ChannelOptions<Mine, Theirs>;
  private readonly pending = new Map<number, Pending>();
  private readonly serving = new Map<number, AbortController>();
  private readonly handlers: Partial<Handlers<Theirs>> = {};
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private readonly unsubscribe: () => void;
  private nextId = 1;
  private closed: Error | undefined;

  constructor(options: ChannelOptions<Mine, Theirs>) {
    this.options = options;
    this.name = options.name;
    this.port = options.port;
    this.validate = options.validate;
    this.unsubscribe = this.port.subscribe((m) => this.receive(m));
  }

  /** Asks the other side; resolves to its checked reply. */
  request<K extends RequestType<Mine>>(
    type: K,
    payload: PayloadOf<Mine, K>,
    options: RequestOptions<ProgressOf<Mine, K>> = {},
  ): Promise<ReplyOf<Mine, K>> {
    const label = `${this.name} request '${type}'${options.what ? ` (${options.what})` : ''}`;
    if (this.closed) return Promise.reject(this.closed);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new CancelledError(label));
    const id = this.nextId;
    this.nextId = this.nextId >= MAX_ID ? 1 : this.nextId + 1;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    return new Promise<ReplyOf<Mine, K>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const giveUp = (error: Error): void => {
        this.send({ kind: 'cancel', id });
        pending.reject(error);
      };
      const onAbort = (): void => giveUp(new CancelledError(label));
      const pending: Pending = {
        type,
        label,
        resolve: (value) => {
          settle();
          resolve(value as ReplyOf<Mine, K>);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        arm: () => {
          clearTimeout(timer);
          if (timeoutMs !== undefined && Number.isFinite(timeoutMs))
            timer = setTimeout(() => giveUp(new ChannelTimeoutError(label, timeoutMs)), timeoutMs);
        },
        onProgress: options.onProgress as ((progress: never) => void) | undefined,
      };
      this.pending.set(id, pending);
      pending.arm();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send({ kind: 'request', id, type, payload }, options.transfer, (e) => pending.reject(e));
    });
  }

  /** Tells the other side something that needs no answer. */
  notify<K extends NotificationType<Mine>>(type: K, payload: NotificationOf<Mine, K>, transfer?: Transfer): void {
    if (this.closed) throw this.closed;
    this.send({ kind: 'notify', type, payload }, transfer, (e) =>
      this.options.onInvalid?.(new ProtocolError(`${this.name} notification '${type}': ${e.message}`)),
    );
  }

  /** Listens to one notification type; returns what stops listening. */
  on<K extends NotificationType<Theirs>>(type: K, listener: (payload: NotificationOf<Theirs, K>) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const f = listener as (payload: never) => void;
    set.add(f);
    return () => set.delete(f);
  }

  /** Answers the other side's requests; later calls add or replace handlers by type. */
  serve(handlers: Partial<Handlers<Theirs>>): void {
    Object.assign(this.handlers, handlers);
  }

  /** Fails every pending request, aborts every handler in flight and stops listening. */
  dispose(reason: string | Error): void {
    if (this.closed) return;
    this.closed = typeof reason === 'string' ? this.closedError(reason) : reason;
    this.unsubscribe();
    for (const p of [...this.pending.values()]) p.reject(this.closed);
    for (const c of this.serving.values()) c.abort(this.closed);
    this.serving.clear();
  }

  get disposed(): boolean {
    return this.closed !== undefined;
  }

  private closedError(reason: string): Error {
    return this.options.closedError?.(reason) ?? new ChannelClosedError(reason);
  }

  /** Posts one envelope; `failed` hears of a message the port threw on or did not deliver. */
  private send(envelope: Envelope, transfer?: Transfer, failed?: (e: Error) => void): void {
    const message = { channel: this.name, ...envelope };
    let delivered: void | PromiseLike<boolean>;
    try {
      delivered = transfer?.length ? this.port.post(message, transfer) : this.port.post(message);
    } catch (e) {
      failed?.(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    delivered?.then(
      (ok) => {
        if (!ok) failed?.(this.closedError(`the ${this.name} ${envelope.kind} was not delivered`));
      },
      (e: unknown) => failed?.(e instanceof Error ? e : new Error(String(e))),
    );
  }

  private receive(raw: unknown): void {
    if (this.closed) return;
    let m: Envelope | undefined;
    try {
      m = parseEnvelope(raw, this.name);
    } catch (e) {
      this.options.onInvalid?.(e as ProtocolError);
      return;
    }
    if (!m) return; // another channel's message
    switch (m.kind) {
      case 'request':
        return this.serveRequest(m.id, m.type, m.payload);
      case 'cancel':
        this.serving.get(m.id)?.abort(new CancelledError(`${this.name} request ${m.id}`));
        this.serving.delete(m.id);
        return;
      case 'notify':
        return this.deliverNotification(m.type, m.payload);
    }
    const p = this.pending.get(m.id);
    if (!p) return; // answered after its request timed out or was cancelled
    if (m.kind === 'error') {
      p.reject(new RemoteError(m.message, m.name, p.label));
      return;
    }
    try {
      if (m.kind === 'reply') {
        p.resolve(this.parse(this.validate.replies, p.type, m.payload, `${p.label} reply`));
        return;
      }
      const progress = this.parse(this.validate.progress, p.type, m.payload, `${p.label} progress`);
      p.arm();
      p.onProgress?.(progress as never);
    } catch (e) {
      this.send({ kind: 'cancel', id: m.id });
      p.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private parse(table: object, type: string, payload: unknown, what: string): unknown {
    const parser = (table as Record<string, Parser<unknown> | undefined>)[type];
    if (!parser) throw new ProtocolError(`${what}: ${this.name} has no such message`);
    try {
      return parser(payload);
    } catch (e) {
      if (e instanceof ProtocolError) throw new ProtocolError(`${what}: ${e.message}`);
      throw e;
    }
  }

  private deliverNotification(type: string, raw: unknown): void {
    let payload: unknown;
    try {
      payload = this.parse(this.validate.notifications, type, raw, `${this.name} notification '${type}'`);
    } catch (e) {
      this.options.onInvalid?.(e as ProtocolError);
      return;
    }
    for (const f of this.listeners.get(type) ?? []) f(payload as never);
  }

  private serveRequest(id: number, type: string, raw: unknown): void {
    const label = `${this.name} request '${type}'`;
    const answerError = (e: unknown): void => {
      const error = e instanceof Error ? e : new Error(String(e));
      this.send({ kind: 'error', id, name: error.name.slice(0, MAX_TYPE), message: error.message.slice(0, MAX_TEXT) });
    };
    let payload: unknown;
    try {
      payload = this.parse(this.validate.requests, type, raw, label);
    } catch (e) {
      this.options.onInvalid?.(e as ProtocolError);
      return answerError(e);
    }
    const handler = (this.handlers as Record<string, Handler<unknown, unknown, unknown> | undefined>)[type];
    if (!handler) return answerError(new ProtocolError(`${label}: this side serves no such request`));
    const controller = new AbortController();
    this.serving.set(id, controller);
    const ctx: HandlerContext<unknown> = {
      signal: controller.signal,
      progress: (progress, transfer) => {
        if (!controller.signal.aborted) this.send({ kind: 'progress', id, payload: progress }, transfer);
      },
    };
    const finish = (answer: () => void): void => {
      if (controller.signal.aborted) return; // cancelled or disposed: nobody waits for it
      this.serving.delete(id);
      answer();
    };
    let result: unknown;
    try {
      result = handler(payload, ctx);
    } catch (e) {
      return finish(() => answerError(e));
    }
    Promise.resolve(result).then(
      (value) =>
        finish(() =>
          value instanceof Transferring
            ? this.send({ kind: 'reply', id, payload: value.value }, value.transfer)
            : this.send({ kind: 'reply', id, payload: value }),
        ),
      (e: unknown) => finish(() => answerError(e)),
    );
  }
}

/** The envelope of a message for channel `name`, undefined for another channel's message. */
function parseEnvelope(raw: unknown, name: string): Envelope | undefined {
  const f = new Fields(raw, `${name} message`);
  const channel = f.raw('channel');
  if (typeof channel === 'string' && channel !== name) return undefined;
  if (channel !== name) throw new ProtocolError(`${name} message: not a channel message (no channel name)`);
  const kind = f.oneOf('kind', KINDS);
  if (kind === 'notify') return { kind, type: f.str('type', MAX_TYPE), payload: f.raw('payload') };
  const id = f.int('id', 1, MAX_ID);
  switch (kind) {
    case 'request':
      return { kind, id, type: f.str('type', MAX_TYPE), payload: f.raw('payload') };
    case 'progress':
    case 'reply':
      return { kind, id, payload: f.raw('payload') };
    case 'error':
      return { kind, id, name: f.str('name', MAX_TYPE), message: f.str('message', MAX_TEXT) };
    case 'cancel':
      return { kind, id };
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

// ---------------------------------------------------------------- port adapters

/** A Worker, a worker's global scope, a MessagePort or a page's window (with `sender`, e.g. acquireVsCodeApi()). */
export interface MessageEventTarget {
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}
export interface MessageSender {
  postMessage(message: unknown, transfer?: Transfer): unknown;
}

export function eventPort(target: MessageEventTarget & MessageSender): Port;
export function eventPort(target: MessageEventTarget, sender: MessageSender): Port;
export function eventPort(target: MessageEventTarget, sender = target as unknown as MessageSender): Port {
  return {
    post: (message, transfer) => {
      if (transfer) sender.postMessage(message, transfer);
      else sender.postMessage(message);
    },
    subscribe: (listener) => {
      const onMessage = (e: { data: unknown }): void => listener(e.data);
      target.addEventListener('message', onMessage);
      return () => target.removeEventListener('message', onMessage);
    },
  };
}

/** A worker_threads Worker or MessagePort (parentPort). */
export interface NodeMessagePort {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export function nodePort(port: NodeMessagePort): Port {
  return {
    // worker_threads' postMessage returns true, which send() would take for a delivery promise.
    post: (message, transfer) => {
      port.postMessage(message, transfer);
    },
    subscribe: (listener) => {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}
