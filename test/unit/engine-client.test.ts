// The host's EngineClient against a page that misbehaves: every generated token id is checked
// against the model's vocabulary before anything decodes it, and a bad one fails the job naming
// its position and id (and the page is told to stop).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineClient, EngineError } from '../../extension/core/engine/engine-client';
import { Channel } from '../../protocol/channel';
import {
  ENGINE_CHANNEL,
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
