// The host's checks on every message from its webviews: good messages pass through unchanged,
// each malformed field is named, sizes are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CHUNK_TOKENS, ProtocolError, parseFromEngine, parseFromRenderer } from '../../protocol/messages';

function randomFloats(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 4 - 1;
  return a;
}

test('engine messages of every type parse to themselves', () => {
  const n = 129,
    layers = 3;
  const msgs = [
    { type: 'ready', protocol: 1, webgpu: { available: true, detail: 'SwiftShader (fallback adapter)' } },
    {
      type: 'modelLoaded',
      requestId: 7,
      modelKey: 'm',
      backend: 'cpu',
      reason: 'no WebGPU adapter',
      device: 'worker',
      layers,
      loadMs: 12.5,
    },
    {
      type: 'chunkScored',
      requestId: 7,
      offset: 1000,
      surprisal: randomFloats(n),
      delta: randomFloats(n * layers),
      elapsedMs: 3,
    },
    {
      type: 'chunkScored',
      requestId: 8,
      offset: 0,
      surprisal: randomFloats(1),
      delta: new Float32Array(0),
      elapsedMs: 0,
    },
    { type: 'generated', requestId: 9, offset: 3, tokens: new Int32Array([1, 2, 3]), done: true, elapsedMs: 1 },
    { type: 'failed', requestId: 9, message: 'cancelled', cancelled: true },
  ];
  for (const m of msgs) assert.deepEqual(parseFromEngine(m), m);
});

test('engine messages with a bad field are refused with the field named', () => {
  const good = {
    type: 'chunkScored',
    requestId: 1,
    offset: 0,
    surprisal: randomFloats(3),
    delta: randomFloats(6),
    elapsedMs: 1,
  };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...good, requestId: -1 }, /chunkScored\.requestId/],
    [{ ...good, requestId: 1.5 }, /chunkScored\.requestId/],
    [{ ...good, offset: '0' }, /chunkScored\.offset/],
    [{ ...good, surprisal: [1, 2, 3] }, /chunkScored\.surprisal: expected a Float32Array/],
    [{ ...good, surprisal: new Float64Array(3) }, /chunkScored\.surprisal/],
    [{ ...good, delta: randomFloats(7) }, /chunkScored\.delta: length 7 is not a multiple of 3/],
    [{ ...good, surprisal: new Float32Array(MAX_CHUNK_TOKENS + 1) }, /at most 65536/],
    [{ ...good, elapsedMs: Number.NaN }, /chunkScored\.elapsedMs/],
    [{ ...good, type: 'nope' }, /unknown type "nope"/],
    [
      {
        type: 'modelLoaded',
        requestId: 1,
        modelKey: 'm',
        backend: 'tpu',
        reason: '',
        device: '',
        layers: 2,
        loadMs: 1,
      },
      /modelLoaded\.backend: expected one of webgpu, cpu/,
    ],
    [
      { type: 'generated', requestId: 1, offset: 0, tokens: new Float32Array(2), done: false, elapsedMs: 1 },
      /generated\.tokens: expected a Int32Array/,
    ],
    [{ type: 'ready', protocol: 1, webgpu: null }, /ready\.webgpu: expected an object/],
  ];
  for (const [msg, re] of cases)
    assert.throws(
      () => parseFromEngine(msg),
      (e: unknown) => e instanceof ProtocolError && re.test(e.message),
      JSON.stringify(Object.keys(msg)),
    );
  for (const raw of [null, 3, 'ready', [1]]) assert.throws(() => parseFromEngine(raw), ProtocolError);
});

test('renderer requests: export names are bare, content is bounded, generateFrom positions are whole', () => {
  const exp = {
    type: 'export',
    requestId: 2,
    format: 'bed',
    suggestedName: 'lambda_virus.high-surprisal.bed',
    encoding: 'utf8',
    content: 'chr\t0\t10\n',
  };
  assert.deepEqual(parseFromRenderer(exp), exp);
  for (const bad of ['../x.bed', '/etc/passwd', 'a/b.csv', '.hidden', '', 'x\u0000.bed', 'C:\\x.bed']) {
    assert.throws(() => parseFromRenderer({ ...exp, suggestedName: bad }), /export\.suggestedName/, bad);
  }
  assert.throws(() => parseFromRenderer({ ...exp, format: 'exe' }), /export\.format/);
  assert.throws(() => parseFromRenderer({ ...exp, encoding: 'hex' }), /export\.encoding/);
  assert.throws(() => parseFromRenderer({ ...exp, content: 42 }), /export\.content/);
  const gen = { type: 'generateFrom', requestId: 3, outputId: 'abc', record: 0, position: 48000 };
  assert.deepEqual(parseFromRenderer(gen), gen);
  assert.throws(() => parseFromRenderer({ ...gen, position: 1.5 }), /generateFrom\.position/);
  assert.throws(() => parseFromRenderer({ ...gen, record: -1 }), /generateFrom\.record/);
});
