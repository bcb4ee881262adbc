// A model's upload to the engine page, as the extension host sees it: EngineClient.loadModel's
// throughput (MB/s) and the host's longest event-loop stall (test/support/stall-probe.ts) while
// `--mb` MB of weights go out in chunks. The page is a stub in a worker thread that keeps the
// bytes; each message crosses as VS Code's webview postMessage sends it (JSON with every
// ArrayBuffer, a typed array's whole underlying buffer, cut out and sent beside it, all copied
// into one message) and is delivered `--latency` ms after it was posted, each way.
//
// Build: npx tsc -p tsconfig.json
// Run:   node out/bench/weights-upload.js [--mb 106] [--latency 20]
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { EngineClient } from '../extension/core/engine/engine-client';
import { Channel, type Port } from '../protocol/channel';
import {
  ENGINE_CHANNEL,
  MAX_WEIGHT_CHUNK_BYTES,
  PROTOCOL_VERSION,
  engineServerValidators,
  type EngineCaller,
  type EngineServer,
} from '../protocol/engine-messages';
import { gapsText, StallProbe, stallText } from '../test/support/stall-probe';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const REF = '$$buffer';

/** The message as one byte string (JSON, then each buffer it holds), as VS Code's postMessage serialises it. */
function serialise(message: unknown): Buffer {
  const buffers: ArrayBufferLike[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const buffer = ArrayBuffer.isView(value) ? value.buffer : value;
      let index = buffers.indexOf(buffer);
      if (index < 0) index = buffers.push(buffer) - 1;
      return ArrayBuffer.isView(value)
        ? { [REF]: index, offset: value.byteOffset, length: value.byteLength }
        : { [REF]: index };
    }
    return value;
  });
  const parts = [Buffer.from(json), ...buffers.map((b) => Buffer.from(b))];
  const head = Buffer.alloc(4 * (parts.length + 1));
  head.writeUInt32LE(parts.length, 0);
  parts.forEach((p, i) => head.writeUInt32LE(p.length, 4 * (i + 1)));
  return Buffer.concat([head, ...parts]);
}

function deserialise(bytes: Buffer): unknown {
  const n = bytes.readUInt32LE(0);
  const parts: Buffer[] = [];
  let at = 4 * (n + 1);
  for (let i = 0; i < n; i++) {
    const length = bytes.readUInt32LE(4 * (i + 1));
    parts.push(bytes.subarray(at, at + length));
    at += length;
  }
  const [json, ...buffers] = parts;
  return JSON.parse(json.toString(), (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || !(REF in value)) return value;
    const ref = value as { [REF]: number; offset?: number; length?: number };
    const b = buffers[ref[REF]];
    const copy = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
    return ref.offset === undefined ? copy : new Uint8Array(copy, ref.offset, ref.length);
  });
}

/** A port over a worker thread whose messages cross serialised, delivered `latencyMs` after they are posted. */
function serialisingPort(
  target: { postMessage(m: unknown, t: ArrayBuffer[]): void; on(e: 'message', f: (m: Buffer) => void): unknown },
  latencyMs: number,
  posted = { bytes: 0 },
): Port {
  const listeners = new Set<(m: unknown) => void>();
  target.on('message', (bytes) =>
    setTimeout(() => {
      const m = deserialise(Buffer.from(bytes));
      for (const f of listeners) f(m);
    }, latencyMs),
  );
  return {
    post(message) {
      const bytes = serialise(message);
      posted.bytes += bytes.length;
      target.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
      return Promise.resolve(true);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The page, in a worker thread: keeps the bytes, answers each chunk, and the load once all are in. */
function page(bytes: number, latencyMs: number): void {
  const server = new Channel<EngineServer, EngineCaller>({
    name: ENGINE_CHANNEL,
    port: serialisingPort(parentPort!, latencyMs),
    validate: engineServerValidators,
  });
  const received = new Uint8Array(bytes);
  let got = 0,
    allIn!: () => void;
  const done = new Promise<void>((r) => (allIn = r));
  server.serve({
    loadModel: async (p) => {
      await done;
      let sum = 0;
      for (let i = 0; i < bytes; i += 4096) sum += received[i];
      return { modelKey: p.modelKey, backend: 'cpu', reason: `checksum ${sum}`, device: 'stub', layers: 1, loadMs: 0 };
    },
    weights: (p) => {
      received.set(p.bytes, p.offset);
      got += p.bytes.length;
      if (got === bytes) allIn();
      return null;
    },
  });
  server.notify('ready', { protocol: PROTOCOL_VERSION, webgpu: { available: false, detail: 'stub page' } });
}

async function main(): Promise<void> {
  const bytes = Math.round(option('mb', 106) * 1e6),
    latencyMs = option('latency', 20);
  const weights = new Uint8Array(bytes);
  let sum = 0;
  for (let i = 0; i < bytes; i += 4096) sum += weights[i] = (i >> 12) & 0xff;
  const worker = new Worker(__filename, { workerData: { bytes, latencyMs } });
  const posted = { bytes: 0 };
  const client = new EngineClient(serialisingPort(worker, latencyMs, posted), () => ({
    backend: 'cpu',
    cpuWorkerUri: 'stub',
    timeoutMs: 600_000,
  }));
  await client.whenReady();
  const probe = new StallProbe();
  const t0 = performance.now();
  const loaded = await client.loadModel('bench', 'cpu', {}, weights);
  const seconds = (performance.now() - t0) / 1000;
  const stalls = await probe.stop();
  if (loaded.reason !== `checksum ${sum}`) throw new Error(`the page got other bytes: ${loaded.reason}, not ${sum}`);
  console.log(
    `${(bytes / 1e6).toFixed(0)} MB in ${Math.ceil(bytes / MAX_WEIGHT_CHUNK_BYTES)} chunks, ${latencyMs} ms each way: ` +
      `${seconds.toFixed(2)} s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s, ${(posted.bytes / 1e6).toFixed(0)} MB posted; ${stallText(stalls)}`,
  );
  console.log(`  gaps over 20 ms: ${gapsText(stalls)}`);
  client.dispose('done');
  await worker.terminate();
}

if (isMainThread) void main();
else page((workerData as { bytes: number }).bytes, (workerData as { latencyMs: number }).latencyMs);
