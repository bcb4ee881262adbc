// The engine tests, written once and run per backend: test/unit/engine-cpu.test.ts (cpu) and
// test/gpu/engine-webgpu.test.ts (webgpu) call engineSuites with their backend and tolerances.
// Ops against float64 references at awkward shapes; both scans against each other; the whole
// model against the Hugging Face fixture (logits, layer-0 hidden, final states, greedy decode);
// step and stream against the full forward; self-built models of other shapes against a float64
// reference model after a save/load round trip.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Activation, Backend, Tensor } from '../../kernels/backend';
import type { HostTensor } from '../../kernels/io/safetensors';
import type { MambaConfig } from '../../kernels/model/config';
import { mambaForward } from '../../kernels/model/forward';
import { generate } from '../../kernels/model/generate';
import { chunkRows, streamScores } from '../../kernels/model/stream';
import { freeMambaState, readMambaState, zeroMambaState } from '../../kernels/model/state';
import { mambaStep } from '../../kernels/model/step';
import { tokenBatch } from '../../kernels/model/token-ids';
import {
  type MambaModel,
  type MambaParams,
  freeMambaModel,
  mambaParamsFromTensors,
  uploadMambaModel,
} from '../../kernels/model/weights';
import { initParams } from '../../kernels/train/init';
import { ParamViews, paramCount, paramSpecs, tensorsFromFlat } from '../../kernels/train/params';
import { Rng } from '../../kernels/train/rng';
import { loadModelDir } from '../../extension/core/models/load-model';
import { saveModelDir } from '../../extension/core/models/save-model';
import { HF_FIXTURE_DIR, loadHfFixture } from './hf-fixture';
import { referenceForward } from './reference-model';
import {
  refAdd,
  refConv1d,
  refEmbedding,
  refGate,
  refLinear,
  refMeanLast,
  refRmsNorm,
  refScan,
  refSliceLast,
  refSoftplus,
  refSurprisalBits,
} from './reference-ops';
import { TOLERANCE, type Tolerance, assertClose } from './tolerance';

export interface EngineSuiteOptions {
  /** Backend name in test titles. */
  name: string;
  makeBackend: () => Backend | Promise<Backend>;
  /** Tolerance of matmul-like and elementwise ops on this backend. */
  matmul: Tolerance;
  /** Tolerance of whole-model logits (and hidden states) against references. */
  logits: Tolerance;
}

/** A fresh seed per test (random inputs, never all zeros), shown in every failure message. */
function freshRng(): { rng: Rng; seed: number } {
  const seed = Math.floor(Math.random() * 2 ** 31);
  return { rng: new Rng(seed), seed };
}

function normal(rng: Rng, size: number, scale = 1, offset = 0): Float32Array {
  return Float32Array.from({ length: size }, () => offset + scale * rng.normal());
}

/** Registers before/after hooks owning one backend; the getter is valid inside tests. */
function useBackend(o: EngineSuiteOptions): () => Backend {
  let backend: Backend | undefined;
  before(async () => {
    backend = await o.makeBackend();
  });
  after(() => backend?.dispose());
  return () => {
    assert.ok(backend, 'backend not created');
    return backend;
  };
}

async function readAndFree(backend: Backend, t: Tensor): Promise<Float32Array> {
  const data = await backend.read(t);
  backend.free(t);
  return data;
}

/** Each op against its float64 reference on random inputs of awkward shapes. */
export function opSuites(o: EngineSuiteOptions): void {
  describe(`${o.name}: ops vs float64 references`, () => {
    const be = useBackend(o);
    const acts: Activation[] = ['none', 'silu', 'softplus'];

    for (const [i, [rows, k, m]] of [
      [1, 5, 1],
      [3, 67, 33],
      [127, 64, 70],
      [129, 33, 130],
      [4, 200, 9],
    ].entries()) {
      it(`linear rows ${rows} k ${k} m ${m} (${acts[i % 3]}, ${i % 2 ? 'bias' : 'no bias'})`, async () => {
        const { rng, seed } = freshRng(),
          b = be();
        const x = normal(rng, rows * k),
          w = normal(rng, m * k, 1 / Math.sqrt(k)),
          bias = i % 2 ? normal(rng, m, 0.5) : undefined;
        const [xt, wt] = [b.upload(x, [rows, k]), b.upload(w, [m, k])];
        const bt = bias ? b.upload(bias, [m]) : undefined;
        const got = await readAndFree(b, b.linear(xt, wt, bt, acts[i % 3]));
        assertClose(got, refLinear(x, rows, k, w, m, bias, acts[i % 3]), o.matmul, `linear (seed ${seed})`);
      });
    }

    for (const [rows, d] of [
      [1, 5],
      [3, 67],
      [129, 64],
    ]) {
      it(`rmsNorm rows ${rows} d ${d}`, async () => {
        const { rng, seed } = freshRng(),
          b = be();
        const x = normal(rng, rows * d, 2),
          w = normal(rng, d, 0.25, 1);
        const got = await readAndFree(b, b.rmsNorm(b.upload(x, [rows, d]), b.upload(w, [d]), 1e-5));
        assertClose(got, refRmsNorm(x, rows, d, w, 1e-5), o.matmul, `rmsNorm (seed ${seed})`);
      });
    }

    it('embedding b 3 l 129 over a vocabulary of 300, d 7', async () => {
      const { rng, seed } = freshRng(),
        b = be();
      const table = normal(rng, 300 * 7),
        ids = Int32Array.from({ length: 3 * 129 }, () => rng.int(300));
      const got = await readAndFree(b, b.embedding(b.upload(table, [300, 7]), b.uploadIds(ids, [3, 129])));
      assertClose(got, refEmbedding(table, 7, ids), o.matmul, `embedding (seed ${seed})`);
    });

    it('sliceLast takes exact column ranges of [3, 5, 37]', async () => {
      const { rng } = freshRng(),
        b = be();
      const x = normal(rng, 3 * 5 * 37);
      for (const [start, width] of [
        [0, 1],
        [4, 17],
        [20, 17],
        [0, 37],
      ]) {
        const t = b.sliceLast(b.upload(x, [3, 5, 37]), start, width);
        assert.deepEqual(t.shape, [3, 5, width]);
        assert.deepEqual(await readAndFree(b, t), Float32Array.from(refSliceLast(x, 15, 37, start, width)));
      }
    });

    const convCases: [number, number, number, number, boolean, boolean, 'none' | 'silu'][] = [
      [1, 1, 67, 4, true, true, 'silu'],
      [3, 2, 67, 3, false, true, 'none'],
      [1, 3, 5, 4, true, false, 'silu'],
      [3, 127, 67, 4, true, true, 'silu'],
      [1, 129, 33, 3, false, false, 'silu'],
    ];
    for (const [bb, l, c, k, withState, withBias, act] of convCases) {
      it(`conv1d b ${bb} l ${l} c ${c} k ${k}${withState ? ' with state' : ''}${withBias ? ' with bias' : ''} (${act})`, async () => {
        const { rng, seed } = freshRng(),
          b = be();
        const x = normal(rng, bb * l * c),
          w = normal(rng, c * k, 0.5),
          bias = withBias ? normal(rng, c, 0.2) : undefined;
        const state = withState ? normal(rng, bb * c * (k - 1)) : undefined;
        const r = b.conv1d(
          b.upload(x, [bb, l, c]),
          b.upload(w, [c, k]),
          bias && b.upload(bias, [c]),
          state && b.upload(state, [bb, c, k - 1]),
          act,
        );
        const ref = refConv1d(x, bb, l, c, w, k, bias, state, act);
        assert.deepEqual(r.state.shape, [bb, c, k - 1]);
        assertClose(await readAndFree(b, r.y), ref.y, TOLERANCE.conv1d, `conv1d y (seed ${seed})`);
        assertClose(await readAndFree(b, r.state), ref.state, TOLERANCE.conv1d, `conv1d state (seed ${seed})`);
      });
    }

    it('gate, add and meanLast on [3, 129, 67]', async () => {
      const { rng, seed } = freshRng(),
        b = be();
      const shape = [3, 129, 67],
        size = 3 * 129 * 67;
      const y = normal(rng, size),
        z = normal(rng, size, 3);
      const [yt, zt] = [b.upload(y, shape), b.upload(z, shape)];
      assertClose(await readAndFree(b, b.gate(yt, zt)), refGate(y, z), o.matmul, `gate (seed ${seed})`);
      assertClose(await readAndFree(b, b.add(yt, zt)), refAdd(y, z), o.matmul, `add (seed ${seed})`);
      const mean = b.meanLast(zt);
      assert.deepEqual(mean.shape, [3, 129]);
      assertClose(await readAndFree(b, mean), refMeanLast(z, 3 * 129, 67), o.matmul, `meanLast (seed ${seed})`);
    });

    it('surprisalBits rows 129 over vocabularies 5 and 300', async () => {
      const { rng, seed } = freshRng(),
        b = be();
      for (const v of [5, 300]) {
        const logits = normal(rng, 129 * v, 3),
          targets = Int32Array.from({ length: 129 }, () => rng.int(v));
        const got = await readAndFree(b, b.surprisalBits(b.upload(logits, [129, v]), b.uploadIds(targets, [129])));
        assertClose(got, refSurprisalBits(logits, 129, v, targets), o.matmul, `surprisal v ${v} (seed ${seed})`);
      }
    });
  });
}

function randomScanInputs(rng: Rng, bb: number, l: number, c: number, n: number, withH0: boolean) {
  return {
    u: normal(rng, bb * l * c),
    delta: Float32Array.from(normal(rng, bb * l * c, 1, -1), refSoftplus),
    aLog: Float32Array.from({ length: c * n }, (_, i) => Math.log((i % n) + 1) + 0.25 * rng.normal()),
    B: normal(rng, bb * l * n),
    C: normal(rng, bb * l * n),
    D: normal(rng, c, 0.5, 1),
    h0: withH0 ? normal(rng, bb * c * n, 0.5) : undefined,
  };
}

/** Sequential and chunked scans against the float64 recurrence and against each other. */
export function scanSuites(o: EngineSuiteOptions): void {
  describe(`${o.name}: selective scan, sequential and chunked`, () => {
    const be = useBackend(o);
    const cases: [number, number, number, number, boolean][] = [
      [1, 1, 67, 16, false],
      [3, 2, 67, 8, true],
      [1, 3, 5, 16, false],
      [3, 127, 67, 16, true],
      [1, 129, 67, 8, false],
      [3, 129, 5, 16, true],
      [3, 1000, 5, 8, false],
      [1, 1000, 3, 16, true],
    ];
    for (const [bb, l, c, n, withH0] of cases) {
      it(`b ${bb} l ${l} c ${c} n ${n}${withH0 ? ' from a given state' : ''}`, async () => {
        const { rng, seed } = freshRng(),
          b = be();
        const inp = randomScanInputs(rng, bb, l, c, n, withH0);
        const ref = refScan(inp, bb, l, c, n);
        const up = {
          u: b.upload(inp.u, [bb, l, c]),
          delta: b.upload(inp.delta, [bb, l, c]),
          aLog: b.upload(inp.aLog, [c, n]),
          B: b.upload(inp.B, [bb, l, n]),
          C: b.upload(inp.C, [bb, l, n]),
          D: b.upload(inp.D, [c]),
          h0: inp.h0 && b.upload(inp.h0, [bb, c, n]),
        };
        const seq = b.selectiveScan(up, 'sequential'),
          chunked = b.selectiveScan(up, 'chunked');
        const [sy, sh, cy, ch] = [
          await b.read(seq.y),
          await b.read(seq.hLast),
          await b.read(chunked.y),
          await b.read(chunked.hLast),
        ];
        assertClose(sy, ref.y, TOLERANCE.scan, `sequential y (seed ${seed})`);
        assertClose(sh, ref.hLast, TOLERANCE.scan, `sequential hLast (seed ${seed})`);
        assertClose(cy, ref.y, TOLERANCE.scan, `chunked y (seed ${seed})`);
        assertClose(ch, ref.hLast, TOLERANCE.scan, `chunked hLast (seed ${seed})`);
        assertClose(cy, sy, TOLERANCE.scan, `chunked vs sequential y (seed ${seed})`);
        assertClose(ch, sh, TOLERANCE.scan, `chunked vs sequential hLast (seed ${seed})`);
      });
    }
  });
}

function idsTensor(b: Backend, rows: number[][]): Tensor {
  return b.uploadIds(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);
}

/** The full forward's logits, surprisal of the next token, and mean Δ for rows of ids. */
async function fullReference(b: Backend, model: MambaModel, rows: number[][]) {
  const [bb, l] = [rows.length, rows[0].length];
  const ids = idsTensor(b, rows),
    targets = b.uploadIds(Int32Array.from(rows.flatMap((r) => [...r.slice(1), 0])), [bb, l]);
  const r = mambaForward(b, model, ids, { targets, meanDelta: true });
  b.free(ids);
  b.free(targets);
  return {
    logits: await readAndFree(b, r.logits),
    nextSurprisal: await readAndFree(b, r.surprisal as Tensor), // row t: bits of token t+1
    meanDelta: await Promise.all((r.meanDelta as Tensor[]).map((t) => readAndFree(b, t))),
  };
}

/** Streams rows in chunks and checks logits, surprisal and mean Δ against the full forward. */
async function checkStream(
  b: Backend,
  model: MambaModel,
  rows: number[][],
  chunk: number,
  tol: Tolerance,
  what: string,
): Promise<void> {
  const full = await fullReference(b, model, rows);
  const [bb, l, v] = [rows.length, rows[0].length, model.config.vocabSize];
  const logits = new Float32Array(bb * l * v),
    surprisal = new Float32Array(bb * l);
  const meanDelta = model.params.layers.map(() => new Float32Array(bb * l));
  let seen = 0;
  for await (const r of streamScores(
    b,
    model,
    chunkRows(
      rows.map((row) => Int32Array.from(row)),
      chunk,
    ),
    { logits: true, meanDelta: true },
  )) {
    assert.equal(r.start, seen, `${what}: chunk start`);
    for (let bi = 0; bi < bb; bi++) {
      logits.set(
        (r.logits as Float32Array).subarray(bi * r.length * v, (bi + 1) * r.length * v),
        (bi * l + r.start) * v,
      );
      surprisal.set(r.surprisal.subarray(bi * r.length, (bi + 1) * r.length), bi * l + r.start);
      meanDelta.forEach((m, i) =>
        m.set((r.meanDelta as Float32Array[])[i].subarray(bi * r.length, (bi + 1) * r.length), bi * l + r.start),
      );
    }
    seen += r.length;
  }
  assert.equal(seen, l, `${what}: streamed length`);
  assertClose(logits, full.logits, tol, `${what}: streamed logits vs full forward`);
  for (let bi = 0; bi < bb; bi++) {
    assert.ok(Number.isNaN(surprisal[bi * l]), `${what}: the first token has no surprisal`);
    assertClose(
      surprisal.subarray(bi * l + 1, (bi + 1) * l),
      full.nextSurprisal.subarray(bi * l, (bi + 1) * l - 1),
      tol,
      `${what}: streamed surprisal row ${bi}`,
    );
  }
  meanDelta.forEach((m, i) => assertClose(m, full.meanDelta[i], tol, `${what}: streamed mean delta layer ${i}`));
}

/** Steps one token at a time from a zero state and checks each step against the full forward. */
async function checkSteps(
  b: Backend,
  model: MambaModel,
  rows: number[][],
  steps: number,
  tol: Tolerance,
  what: string,
): Promise<void> {
  const full = await fullReference(b, model, rows);
  const [bb, l, v] = [rows.length, rows[0].length, model.config.vocabSize];
  let state = zeroMambaState(b, model.config, bb);
  for (let t = 0; t < steps; t++) {
    const ids = idsTensor(
      b,
      rows.map((row) => [row[t]]),
    );
    const r = mambaStep(b, model, state, ids);
    b.free(ids);
    freeMambaState(b, state);
    state = r.state;
    const got = await readAndFree(b, r.logits);
    for (let bi = 0; bi < bb; bi++) {
      assertClose(
        got.subarray(bi * v, (bi + 1) * v),
        full.logits.subarray((bi * l + t) * v, (bi * l + t + 1) * v),
        tol,
        `${what}: step ${t} row ${bi}`,
      );
    }
  }
  freeMambaState(b, state);
}

/** The Hugging Face fixture: logits, layer-0 hidden, final states, greedy decode, step, stream. */
export function fixtureSuites(o: EngineSuiteOptions): void {
  describe(`${o.name}: Hugging Face fixture hf-mamba-dna`, () => {
    const be = useBackend(o);
    const fx = loadHfFixture();
    let model: MambaModel;
    before(async () => {
      const loaded = await loadModelDir(HF_FIXTURE_DIR);
      model = uploadMambaModel(be(), loaded.config, loaded.params);
    });
    after(() => freeMambaModel(be(), model));

    for (const scan of ['chunked', 'sequential'] as const) {
      it(`logits, layer-0 hidden and final states match HF float64 (${scan} scan)`, async () => {
        const b = be(),
          { intermediateSize: c, stateSize: n, convKernel: k, numLayers } = model.config;
        const ids = idsTensor(b, fx.inputIds);
        const r = mambaForward(b, model, ids, { scan, hiddenStates: true, returnState: true });
        b.free(ids);
        assert.deepEqual(r.logits.shape, [2, 257, 16]);
        assertClose(await readAndFree(b, r.logits), fx.logits, o.logits, `logits (${scan})`);
        const hidden = r.hiddenStates as Tensor[];
        assertClose(await b.read(hidden[0]), fx.layer0Hidden, o.logits, `layer-0 hidden (${scan})`);
        hidden.forEach((t) => b.free(t));
        const state = await readMambaState(b, r.state as NonNullable<typeof r.state>);
        freeMambaState(b, r.state as NonNullable<typeof r.state>);
        for (let layer = 0; layer < numLayers; layer++) {
          assertClose(
            state.ssm[layer],
            fx.ssmState.subarray(layer * 2 * c * n, (layer + 1) * 2 * c * n),
            TOLERANCE.scan,
            `ssm state layer ${layer}`,
          );
          // HF keeps the last k conv inputs; ours are its last k-1.
          const hf = Float32Array.from(
            { length: 2 * c * (k - 1) },
            (_, i) => fx.convState[layer * 2 * c * k + Math.floor(i / (k - 1)) * k + 1 + (i % (k - 1))],
          );
          assertClose(state.conv[layer], hf, o.logits, `conv state layer ${layer}`);
        }
      });
    }

    it('greedy decode reproduces generate.json and generate_logits_f64.bin', async () => {
      const b = be(),
        prompt = tokenBatch(fx.generate.prefix_input_ids, 16, 'generate.json');
      const steps = fx.generate.new_tokens[0].length;
      const r = await generate(b, model, prompt, { tokens: steps, temperature: 0 });
      assert.deepEqual(r.tokens, fx.generate.new_tokens);
      const logits = new Float32Array(steps * 2 * 16);
      r.stepLogits.forEach((s, i) => logits.set(s, i * 2 * 16));
      assertClose(logits, fx.generateLogits, o.logits, 'greedy step logits');
    });

    for (const chunk of [1, 7, 64]) {
      it(`streaming in chunks of ${chunk} equals the full forward`, async () => {
        await checkStream(be(), model, fx.inputIds, chunk, o.logits, `chunk ${chunk}`);
      });
    }

    it('recurrent steps equal the full forward position by position', async () => {
      await checkSteps(be(), model, fx.inputIds, 40, o.logits, 'fixture step');
    });

    it('a stream stops with an AbortError when its signal aborts', async () => {
      const b = be(),
        controller = new AbortController();
      let chunks = 0;
      await assert.rejects(
        async () => {
          for await (const r of streamScores(
            b,
            model,
            chunkRows(
              fx.inputIds.map((row) => Int32Array.from(row)),
              16,
            ),
            { signal: controller.signal },
          )) {
            assert.equal(r.start, 0);
            chunks++;
            controller.abort();
          }
        },
        { name: 'AbortError' },
      );
      assert.equal(chunks, 1);
    });
  });
}

/** A random model of `config` built with the training init, then perturbed so nothing is trivial. */
export function randomMambaParams(config: MambaConfig, rng: Rng): MambaParams<HostTensor> {
  const specs = paramSpecs(config),
    flat = new Float32Array(paramCount(specs));
  initParams(config, new ParamViews(flat, specs), rng);
  for (const s of specs) {
    const scale = s.name.endsWith('A_log') || s.name.endsWith('.D') || s.name.includes('norm') ? 0.25 : 0.1;
    for (let i = s.offset; i < s.offset + s.size; i++) flat[i] += scale * rng.normal();
  }
  return mambaParamsFromTensors(config, tensorsFromFlat(specs, flat), 'random model');
}

function makeConfig(
  over: Partial<MambaConfig> & Pick<MambaConfig, 'vocabSize' | 'hiddenSize' | 'numLayers' | 'stateSize'>,
): MambaConfig {
  const expand = over.expand ?? 2;
  return {
    convKernel: 4,
    expand,
    intermediateSize: Math.trunc(expand * over.hiddenSize),
    timeStepRank: Math.ceil(over.hiddenSize / 16),
    useBias: false,
    useConvBias: true,
    residualInFp32: true,
    layerNormEpsilon: 1e-5,
    tieWordEmbeddings: true,
    ...over,
  };
}

export const GENERALISATION_CONFIGS: [string, MambaConfig][] = [
  [
    'vocab 5, untied head, projection biases, no conv bias, conv_kernel 3, state 8',
    makeConfig({
      vocabSize: 5,
      hiddenSize: 24,
      numLayers: 2,
      stateSize: 8,
      convKernel: 3,
      useBias: true,
      useConvBias: false,
      tieWordEmbeddings: false,
    }),
  ],
  [
    'vocab 300, tied head, state 16, integer time_step_rank 3',
    makeConfig({ vocabSize: 300, hiddenSize: 40, numLayers: 1, stateSize: 16, timeStepRank: 3 }),
  ],
  [
    'vocab 11, expand 1.5 (54 channels), three layers, eps 1e-6, untied, state 8, time_step_rank 5',
    makeConfig({
      vocabSize: 11,
      hiddenSize: 36,
      expand: 1.5,
      numLayers: 3,
      stateSize: 8,
      timeStepRank: 5,
      layerNormEpsilon: 1e-6,
      tieWordEmbeddings: false,
      useBias: true,
    }),
  ],
];

/** Models of other shapes, saved with our writer and reloaded, against the float64 reference model. */
export function generalisationSuites(o: EngineSuiteOptions): void {
  describe(`${o.name}: self-built models of other shapes`, () => {
    const be = useBackend(o);
    const dir = mkdtempSync(join(tmpdir(), 'seqlab-models-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const [i, [label, config]] of GENERALISATION_CONFIGS.entries()) {
      it(label, async () => {
        const { rng, seed } = freshRng(),
          b = be();
        const modelDir = join(dir, `model-${i}`);
        await saveModelDir(modelDir, config, randomMambaParams(config, rng));
        const loaded = await loadModelDir(modelDir);
        assert.deepEqual(loaded.config, config, 'config round trip');
        const model = uploadMambaModel(b, loaded.config, loaded.params);
        try {
          const [bb, l] = [3, 37];
          const rows = Array.from({ length: bb }, () => Array.from({ length: l }, () => rng.int(config.vocabSize)));
          const ref = referenceForward(config, loaded.params, Int32Array.from(rows.flat()), bb, l);
          for (const scan of ['chunked', 'sequential'] as const) {
            const ids = idsTensor(b, rows);
            const r = mambaForward(b, model, ids, { scan, hiddenStates: true, returnState: true });
            b.free(ids);
            assertClose(await readAndFree(b, r.logits), ref.logits, o.logits, `logits ${scan} (seed ${seed})`);
            const hidden = r.hiddenStates as Tensor[],
              state = await readMambaState(b, r.state as NonNullable<typeof r.state>);
            for (let layer = 0; layer < config.numLayers; layer++) {
              assertClose(
                await readAndFree(b, hidden[layer]),
                ref.layerOutputs[layer],
                o.logits,
                `layer ${layer} output ${scan} (seed ${seed})`,
              );
              assertClose(
                state.ssm[layer],
                ref.ssmStates[layer],
                TOLERANCE.scan,
                `ssm state ${layer} ${scan} (seed ${seed})`,
              );
              assertClose(
                state.conv[layer],
                ref.convStates[layer],
                o.logits,
                `conv state ${layer} ${scan} (seed ${seed})`,
              );
            }
            freeMambaState(b, r.state as NonNullable<typeof r.state>);
          }
          await checkStream(b, model, rows, 5, o.logits, `stream chunk 5 (seed ${seed})`);
          await checkSteps(b, model, rows, 6, o.logits, `steps (seed ${seed})`);
        } finally {
          freeMambaModel(b, model);
        }
      });
    }
  });
}

/** Every engine suite for one backend. */
export function engineSuites(o: EngineSuiteOptions): void {
  opSuites(o);
  scanSuites(o);
  fixtureSuites(o);
  generalisationSuites(o);
}
