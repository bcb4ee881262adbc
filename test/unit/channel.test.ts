// The request/reply channel every runtime boundary uses: ids, timeouts, cancellation, remote errors,
// validation of everything incoming, dispose, transfer lists. Both sides run here over a port pair
// that clones and transfers like postMessage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  Channel,
  ChannelClosedError,
  ChannelTimeoutError,
  RemoteError,
  transferring,
  type Port,
  type Validators,
} from '../../protocol/channel';
import { Fields, ProtocolError } from '../../protocol/validate';
import { portPair } from '../support/port-pair';

type AskerSays = {
  requests: {
    wait: { payload: { ms: number; tag: string }; reply: { tag: string } };
    count: { payload: { to: number; everyMs: number }; reply: number; progress: { at: number } };
    hang: { payload: Record<string, never>; reply: null };
    fail: { payload: { message: string }; reply: null };
    sum: { payload: { bytes: Uint8Array }; reply: { total: number; bytes: Uint8Array } };
  };
  notifications: { hello: { text: string } };
};
type ServerSays = { requests: Record<never, never>; notifications: { tick: { n: number } } };

const noPayload = (raw: unknown) => {
  new Fields(raw, 'payload');
  return {} as Record<string, never>;
};
const nothing = (raw: unknown) => {
  if (raw !== null) throw new ProtocolError('expected null');
  return null;
};

const askerChecks: Validators<AskerSays, ServerSays> = {
  requests: {},
  replies: {
    wait: (raw) => ({ tag: new Fields(raw, 'wait reply').str('tag', 100) }),
    count: (raw) => {
      if (typeof raw !== 'number') throw new ProtocolError('expected a number');
      return raw;
    },
    hang: nothing,
    fail: nothing,
    sum: (raw) => {
      const f = new Fields(raw, 'sum reply');
      return { total: f.int('total', 0, 1e9), bytes: f.typed('bytes', Uint8Array, 1e6) };
    },
  },
  progress: { count: (raw) => ({ at: new Fields(raw, 'count progress').int('at', 0, 1e6) }) },
  notifications: { tick: (raw) => ({ n: new Fields(raw, 'tick').int('n', 0, 100) }) },
};
const serverChecks: Validators<ServerSays, AskerSays> = {
  requests: {
    wait: (raw) => {
      const f = new Fields(raw, 'wait');
      return { ms: f.int('ms', 0, 10_000), tag: f.str('tag', 100) };
    },
    count: (raw) => {
      const f = new Fields(raw, 'count');
      return { to: f.int('to', 0, 1000), everyMs: f.int('everyMs', 0, 1000) };
    },
    hang: noPayload,
    fail: (raw) => ({ message: new Fields(raw, 'fail').str('message', 1000) }),
    sum: (raw) => ({ bytes: new Fields(raw, 'sum').typed('bytes', Uint8Array, 1e6) }),
  },
  replies: {},
  progress: {},
  notifications: { hello: (raw) => ({ text: new Fields(raw, 'hello').str('text', 100) }) },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class TrainerLostError extends Error {
  override name = 'TrainerLostError';
}

/** An asker and a server on one port pair; the server's handlers record what they saw. */
function connected(options: { timeoutMs?: number; askerPort?: (p: Port) => Port } = {}) {
  const pair = portPair();
  const invalid: { asker: string[]; server: string[] } = { asker: [], server: [] };
  const asker = new Channel<AskerSays, ServerSays>({
    name: 'test',
    port: options.askerPort ? options.askerPort(pair.a) : pair.a,
    validate: askerChecks,
    timeoutMs: options.timeoutMs,
    onInvalid: (e) => invalid.asker.push(e.message),
  });
  const server = new Channel<ServerSays, AskerSays>({
    name: 'test',
    port: pair.b,
    validate: serverChecks,
    onInvalid: (e) => invalid.server.push(e.message),
  });
  const aborted: string[] = [];
  const replied: Uint8Array[] = [];
  let hangSignal: AbortSignal | undefined;
  server.serve({
    wait: async ({ ms, tag }) => {
      await sleep(ms);
      return { tag };
    },
    count: async ({ to, everyMs }, { progress }) => {
      for (let at = 1; at <= to; at++) {
        await sleep(everyMs);
        progress({ at });
      }
      return to;
    },
    hang: (_, { signal }) =>
      new Promise((_resolve, reject) => {
        hangSignal = signal;
        signal.addEventListener('abort', () => {
          aborted.push('hang');
          reject(new Error('stopped'));
        });
      }),
    fail: ({ message }) => {
      throw new TrainerLostError(message);
    },
    sum: ({ bytes }) => {
      const total = bytes.reduce((a, b) => a + b, 0);
      const back = bytes.map((b) => b * 2);
      replied.push(back);
      return transferring({ total, bytes: back }, [back.buffer as ArrayBuffer]);
    },
  });
  return { pair, asker, server, invalid, aborted, replied, hangSignal: () => hangSignal };
}

test('replies are matched to their requests by id when they come back out of order', async () => {
  const { asker, pair } = connected();
  const replies = await Promise.all([
    asker.request('wait', { ms: 60, tag: 'slow' }),
    asker.request('wait', { ms: 0, tag: 'fast' }),
    asker.request('wait', { ms: 30, tag: 'middle' }),
  ]);
  assert.deepEqual(replies, [{ tag: 'slow' }, { tag: 'fast' }, { tag: 'middle' }]);
  const order = pair.sent
    .filter((s) => s.from === 'b')
    .map((s) => (s.message as { payload: { tag: string } }).payload.tag);
  assert.deepEqual(order, ['fast', 'middle', 'slow']);
});

test('a request with no answer within its timeout fails naming the request and the time, and the handler is cancelled', async () => {
  const { asker, aborted } = connected();
  await assert.rejects(asker.request('hang', {}, { timeoutMs: 40, what: 'waiting for nothing' }), (e: unknown) => {
    assert.ok(e instanceof ChannelTimeoutError);
    assert.equal(e.message, "test request 'hang' (waiting for nothing) got no answer within 40 ms");
    return true;
  });
  await sleep(20);
  assert.deepEqual(aborted, ['hang']);
});

test("the channel's timeout restarts on each progress message: it bounds silence, not the whole request", async () => {
  const { asker } = connected({ timeoutMs: 60 });
  const seen: number[] = [];
  const total = await asker.request('count', { to: 8, everyMs: 20 }, { onProgress: (p) => seen.push(p.at) });
  assert.equal(total, 8);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8]);
  await assert.rejects(asker.request('count', { to: 2, everyMs: 120 }), ChannelTimeoutError);
});

test('aborting the signal rejects with an AbortError and aborts the handler on the other side', async () => {
  const { asker, aborted, hangSignal } = connected();
  const controller = new AbortController();
  const pending = asker.request('hang', {}, { signal: controller.signal });
  await sleep(10);
  assert.equal(hangSignal()?.aborted, false);
  controller.abort();
  await assert.rejects(pending, (e: unknown) => e instanceof CancelledError && e.name === 'AbortError');
  await sleep(10);
  assert.equal(hangSignal()?.aborted, true);
  assert.deepEqual(aborted, ['hang']);
  // An already aborted signal never sends the request.
  await assert.rejects(asker.request('wait', { ms: 0, tag: 'x' }, { signal: controller.signal }), CancelledError);
});

test("a handler's error rejects the request with the remote message and the remote error's name", async () => {
  const { asker } = connected();
  await assert.rejects(asker.request('fail', { message: 'device lost' }), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.equal(e.message, 'device lost');
    assert.equal(e.remoteName, 'TrainerLostError');
    assert.equal(e.request, "test request 'fail'");
    return true;
  });
});

test('an invalid request payload is refused with the field named, and never reaches the handler', async () => {
  const { asker, invalid } = connected();
  // The asker's own types forbid this; a buggy or hostile sender is what the check is for.
  const bad = { ms: -5, tag: 'x' };
  await assert.rejects(asker.request('wait', bad), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.equal(e.remoteName, 'ProtocolError');
    assert.match(e.message, /test request 'wait': wait\.ms: expected an integer in \[0, 10000\], got -5/);
    return true;
  });
  assert.equal(invalid.server.length, 1);
});

test('an invalid reply rejects its request with what was wrong', async () => {
  const pair = portPair();
  const asker = new Channel<AskerSays, ServerSays>({ name: 'test', port: pair.a, validate: askerChecks });
  // A server that answers wait with a number for its tag.
  const lying = new Channel<ServerSays, AskerSays>({
    name: 'test',
    port: pair.b,
    validate: serverChecks,
  });
  lying.serve({ wait: () => ({ tag: 7 as unknown as string }) });
  await assert.rejects(asker.request('wait', { ms: 0, tag: 'x' }), (e: unknown) => {
    assert.ok(e instanceof ProtocolError);
    assert.match(e.message, /test request 'wait' reply: wait reply\.tag: expected a string/);
    return true;
  });
});

test('malformed envelopes and bad notifications are reported and dropped; other channels are left alone', async () => {
  const { pair, asker, server, invalid } = connected();
  const ticks: number[] = [];
  asker.on('tick', (t) => ticks.push(t.n));
  for (const raw of [
    null,
    'text',
    { kind: 'reply', id: 1, payload: 1 },
    { channel: 'test', kind: 'shout' },
    { channel: 'test', kind: 'reply', id: 0, payload: 1 },
    { channel: 'test', kind: 'notify', type: 'tick', payload: { n: 1000 } },
    { channel: 'test', kind: 'notify', type: 'boom', payload: {} },
    { channel: 'other', kind: 'notify', type: 'tick', payload: { n: 1 } },
  ])
    pair.b.post(raw);
  server.notify('tick', { n: 3 });
  await sleep(20);
  assert.deepEqual(ticks, [3]);
  assert.deepEqual(invalid.asker, [
    'test message: expected an object',
    'test message: expected an object',
    'test message: not a channel message (no channel name)',
    'test message.kind: expected one of request, progress, reply, error, cancel, notify, got "shout"',
    'test message.id: expected an integer in [1, 2147483647], got 0',
    "test notification 'tick': tick.n: expected an integer in [0, 100], got 1000",
    "test notification 'boom': test has no such message",
  ]);
});

test('notifications go both ways and a listener can stop', async () => {
  const { asker, server } = connected();
  const heard: string[] = [];
  const stop = server.on('hello', (h) => heard.push(h.text));
  asker.notify('hello', { text: 'one' });
  await sleep(10);
  stop();
  asker.notify('hello', { text: 'two' });
  await sleep(10);
  assert.deepEqual(heard, ['one']);
});

test('dispose rejects every pending request with the closed error, and later requests at once', async () => {
  const pair = portPair();
  class GoneError extends Error {
    override name = 'GoneError';
  }
  const asker = new Channel<AskerSays, ServerSays>({
    name: 'test',
    port: pair.a,
    validate: askerChecks,
    closedError: (reason) => new GoneError(reason),
  });
  const server = new Channel<ServerSays, AskerSays>({ name: 'test', port: pair.b, validate: serverChecks });
  let handlerSignal: AbortSignal | undefined;
  server.serve({
    hang: (_, { signal }) => {
      handlerSignal = signal;
      return new Promise(() => undefined);
    },
    wait: () => new Promise(() => undefined),
  });
  const a = asker.request('hang', {});
  const b = asker.request('wait', { ms: 1000, tag: 'x' });
  await sleep(10);
  asker.dispose('engine view closed');
  await Promise.all(
    [a, b].map((p) => assert.rejects(p, (e: unknown) => e instanceof GoneError && e.message === 'engine view closed')),
  );
  await assert.rejects(asker.request('hang', {}), GoneError);
  // The serving side's dispose aborts its handlers in flight.
  server.dispose('page unloaded');
  assert.equal(handlerSignal?.aborted, true);
  assert.ok(server.disposed);
});

test('a message the port does not deliver fails its request with the closed error', async () => {
  const pair = portPair();
  const asker = new Channel<AskerSays, ServerSays>({
    name: 'test',
    port: { post: () => Promise.resolve(false), subscribe: pair.a.subscribe },
    validate: askerChecks,
  });
  await assert.rejects(asker.request('hang', {}), (e: unknown) => {
    assert.ok(e instanceof ChannelClosedError);
    assert.equal(e.message, 'the test request was not delivered');
    return true;
  });
});

test('transfer lists move buffers both ways instead of copying them', async () => {
  const posted: (readonly ArrayBuffer[] | undefined)[] = [];
  const { asker, replied } = connected({
    askerPort: (p) => ({
      post: (m, transfer) => {
        posted.push(transfer);
        return p.post(m, transfer);
      },
      subscribe: p.subscribe,
    }),
  });
  const bytes = new Uint8Array([1, 2, 3, 4]);
  const reply = await asker.request('sum', { bytes }, { transfer: [bytes.buffer] });
  assert.equal(bytes.byteLength, 0, 'the request transferred its buffer');
  assert.equal(posted[0]?.[0]?.byteLength, 0);
  assert.equal(reply.total, 10);
  assert.deepEqual([...reply.bytes], [2, 4, 6, 8]);
  assert.equal(replied[0].byteLength, 0, 'the reply transferred its buffer');
});
