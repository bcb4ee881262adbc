// The host's EngineClient against a page that misbehaves: every generated token id is checked
// against the model's vocabulary before anything decodes it, and a bad one fails the job naming
// its position and id (and the page is told to stop). And against a page that answers slowly: a
// model's weight chunks go out pipelined, a bounded window of them in flight, one per turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineClient, EngineError, WEIGHT_CHUNKS_IN_FLIGHT } from '../../extension/core/engine/engine-client';
import { Channel } from '../../protocol/channel';
import {
  ENGINE_CHANNEL,
  MAX_WEIGHT_CHUNK_BYTES,
  PROTOCOL_VERSION,
  engineServerValidators,
  type EngineCaller,
  type EngineServer,
} from '../../protocol/engine-messages';
import { portPair } from '../support/port-pair';

/** A client over a page whose generate job sends `batches` as its tokens; `stopped` resolves if the client cancels it. */
function pageSending(batches: number[][]): { client: EngineClient; stopped: Promise<void>; dispose(): void } {
  const { a, b } = portPair();
  const page = new Channel<EngineServer, EngineCaller>({
    name: ENGINE_CHANNEL,
    port: b,
    validate: engineServerValidators,
  });
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  page.serve({
    generate: async (_p, ctx) => {
      let offset = 0;
      for (const ids of batches) {
        ctx.progress({ offset, tokens: Int32Array.from(ids) });
        offset += ids.length;
      }
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
      stop();
      throw new Error('stopped');
    },
  });
  const client = new EngineClient(a, () => ({ backend: 'cpu', cpuWorkerUri: 'test', timeoutMs: 10_000 }));
  page.notify('ready', { protocol: PROTOCOL_VERSION, webgpu: { available: false, detail: 'test page' } });
  return {
    client,
    stopped,
    dispose() {
      client.dispose('done');
      page.dispose('done');
    },
  };
}

const options = { steps: 8, vocabSize: 16, temperature: 1, topK: 0, seed: 1 };

for (const [batches, position, id] of [
  [
    [
      [1, 2, 3],
      [4, 16],
    ],
    4,
    16,
  ],
  [[[0, 15, -1]], 2, -1],
  [[[2 ** 31 - 1]], 0, 2 ** 31 - 1],
] as [number[][], number, number][]) {
  test(`a generated id ${id} outside a vocabulary of 16 fails naming position ${position}`, async () => {
    const page = pageSending(batches);
    try {
      await assert.rejects(
        page.client.generate('m', Int32Array.of(1, 2), options),
        (e: Error) =>
          e instanceof EngineError &&
          e.message.includes(`token id ${id} at position ${position} of the generated tokens`) &&
          e.message.includes('ids 0 to 15'),
      );
      await page.stopped;
    } finally {
      page.dispose();
    }
  });
}

test('a model uploads with several weight chunks in flight, at most WEIGHT_CHUNKS_IN_FLIGHT, one posted per turn', async () => {
  const { a, b, sent } = portPair();
  const page = new Channel<EngineServer, EngineCaller>({
    name: ENGINE_CHANNEL,
    port: b,
    validate: engineServerValidators,
  });
  const weights = Uint8Array.from({ length: 10 * MAX_WEIGHT_CHUNK_BYTES + 123 }, (_, i) => (i * 7) & 0xff);
  const received = new Uint8Array(weights.length);
  let finish!: () => void;
  const allIn = new Promise<void>((r) => (finish = r));
  page.serve({
    loadModel: async (p) => {
      await allIn;
      return { modelKey: p.modelKey, backend: 'cpu', reason: 'test', device: 'test', layers: 1, loadMs: 0 };
    },
    weights: async (p) => {
      received.set(p.bytes, p.offset);
      await new Promise((r) => setTimeout(r, 100)); // the page's round trip
      if (p.offset + p.bytes.length === weights.length) finish();
      return null;
    },
  });
  // Chunks posted and not yet answered, as the host sees them.
  const unanswered = new Set<number>();
  let mostInFlight = 0;
  a.subscribe((m) => unanswered.delete((m as { id: number }).id));
  // Turns of the host's event loop (one tick each), counted as each chunk is posted.
  let turns = 0,
    ticking = setImmediate(function tick() {
      turns++;
      ticking = setImmediate(tick);
    });
  const turnOfPost: number[] = [];
  const post = a.post.bind(a);
  a.post = (m, transfer) => {
    const { type, id } = m as { type?: string; id: number };
    if (type === 'weights') {
      turnOfPost.push(turns);
      unanswered.add(id);
      mostInFlight = Math.max(mostInFlight, unanswered.size);
    }
    return post(m, transfer);
  };
  const client = new EngineClient(a, () => ({ backend: 'cpu', cpuWorkerUri: 'test', timeoutMs: 10_000 }));
  page.notify('ready', { protocol: PROTOCOL_VERSION, webgpu: { available: false, detail: 'test page' } });
  try {
    await client.loadModel('m', 'cpu', {}, weights);
    assert.deepEqual(received, weights);
    assert.equal(mostInFlight, WEIGHT_CHUNKS_IN_FLIGHT);
    const chunks = sent.filter((s) => (s.message as { type?: string }).type === 'weights');
    assert.equal(chunks.length, 11);
    for (const c of chunks) {
      const bytes = (c.message as { payload: { bytes: Uint8Array } }).payload.bytes;
      assert.ok(bytes.byteLength <= MAX_WEIGHT_CHUNK_BYTES);
    }
    for (let i = 1; i < turnOfPost.length; i++)
      assert.ok(turnOfPost[i] > turnOfPost[i - 1], `chunks ${i - 1} and ${i} were posted in one turn`);
  } finally {
    clearImmediate(ticking);
    client.dispose('done');
    page.dispose('done');
  }
});
