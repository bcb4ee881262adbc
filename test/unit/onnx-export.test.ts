// The ONNX export (kernels/onnx/mamba-onnx.ts) run by onnxruntime-web's wasm backend in Node,
// against the engine on the CPU backend (the reference) and the Hugging Face fixture: full mode,
// step mode over a whole sequence, in chunks and token by token, the final states, greedy
// generation, chunked surprisal, and self-built models of odd shapes. Also what the file holds
// (standard ops, opset, HF-named initializers, a tied head sharing the embedding) and the
// refusal of ONNX files that are not SeqLab exports.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import { CpuBackend } from '../../kernels/cpu-backend';
import type { HostTensor } from '../../kernels/io/safetensors';
import type { MambaConfig } from '../../kernels/model/config';
import { mambaForward } from '../../kernels/model/forward';
import { freeMambaState, readMambaState, type MambaState } from '../../kernels/model/state';
import { chunkRows, streamScores } from '../../kernels/model/stream';
import { tokenBatch } from '../../kernels/model/token-ids';
import { freeMambaModel, type MambaParams, uploadMambaModel } from '../../kernels/model/weights';
import { GraphBuilder, valueInfo } from '../../kernels/onnx/graph-builder';
import { mambaOnnxModel, OnnxExportError, ONNX_OPSET, type OnnxMode } from '../../kernels/onnx/mamba-onnx';
import { generateOnnx } from '../../kernels/onnx/onnx-generate';
import { OnnxFormatError } from '../../kernels/onnx/onnx-model-info';
import { OnnxMamba, type OnnxState } from '../../kernels/onnx/onnx-session';
import { onnxSurprisal } from '../../kernels/onnx/onnx-stream';
import { Rng } from '../../kernels/train/rng';
import { loadModelDir, readSafetensorsFile } from '../../extension/core/models/load-model';
import { nodeOrt } from '../../extension/core/onnx/ort-node';
import { GENERALISATION_CONFIGS, randomMambaParams } from '../support/engine-suites';
import { HF_FIXTURE_DIR, loadHfFixture } from '../support/hf-fixture';
import { TOLERANCE, assertClose } from '../support/tolerance';

const ort = nodeOrt(1);
const backend = new CpuBackend();
after(() => backend.dispose());

/** Closeness to the engine within 1e-4, with the max and mean error printed. */
function close(got: ArrayLike<number>, ref: ArrayLike<number>, what: string): void {
  const r = assertClose(got, ref, TOLERANCE.logitsCpu, what);
  console.log(`${what}: max abs err ${r.maxAbs.toExponential(3)}, mean ${r.meanAbs.toExponential(3)}`);
}

function open(config: MambaConfig, params: MambaParams<HostTensor>, mode: OnnxMode): Promise<OnnxMamba> {
  return OnnxMamba.create(ort, mambaOnnxModel(config, params, mode), `${mode} export`);
}

/** The engine's logits and final state (stacked as the ONNX graph stacks them) on the CPU backend. */
async function engineRun(
  config: MambaConfig,
  params: MambaParams<HostTensor>,
  rows: number[][],
): Promise<{ logits: Float32Array; state: OnnxState }> {
  const model = uploadMambaModel(backend, config, params);
  const batch = tokenBatch(rows, config.vocabSize, 'rows');
  const ids = backend.uploadIds(batch.ids, [batch.batch, batch.length]);
  const r = mambaForward(backend, model, ids, { returnState: true });
  backend.free(ids);
  const logits = await backend.read(r.logits);
  const state = await readMambaState(backend, r.state as MambaState);
  freeMambaState(backend, r.state as MambaState);
  freeMambaModel(backend, model);
  const stack = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  };
  return { logits, state: { batch: rows.length, conv: stack(state.conv), ssm: stack(state.ssm) } };
}

/** Runs `rows` through a step-mode export in chunks of `chunk` tokens with the state carried. */
async function runChunked(
  m: OnnxMamba,
  rows: number[][],
  chunk: number,
): Promise<{ logits: Float32Array; state: OnnxState }> {
  const b = rows.length,
    l = rows[0].length,
    v = m.config.vocabSize;
  const logits = new Float32Array(b * l * v);
  let state: OnnxState | undefined;
  for (let s = 0; s < l; s += chunk) {
    const e = Math.min(l, s + chunk);
    const r = await m.run(Int32Array.from(rows.flatMap((row) => row.slice(s, e))), b, e - s, state);
    for (let i = 0; i < b; i++) logits.set(r.logits.subarray(i * (e - s) * v, (i + 1) * (e - s) * v), (i * l + s) * v);
    state = r.state;
  }
  return { logits, state: state as OnnxState };
}

/** Initializer names and op types of an encoded model. */
function contents(bytes: Uint8Array): {
  initializers: Map<string, number[]>;
  ops: Set<string>;
  model: onnx.ModelProto;
} {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph as onnx.GraphProto;
  const ops = new Set<string>();
  const walk = (g: onnx.IGraphProto) => {
    for (const n of g.node ?? []) {
      assert.equal(n.domain ?? '', '', `node ${n.name} is in domain ${n.domain}`);
      ops.add(n.opType as string);
      for (const a of n.attribute ?? []) if (a.g) walk(a.g);
    }
  };
  walk(graph);
  return {
    initializers: new Map(graph.initializer.map((t) => [t.name as string, (t.dims ?? []).map(Number)])),
    ops,
    model,
  };
}

describe('ONNX export of the HF fixture, run by onnxruntime-web (wasm)', () => {
  const fx = loadHfFixture();
  let config: MambaConfig, params: MambaParams<HostTensor>;
  let engine: { logits: Float32Array; state: OnnxState };
  let full: OnnxMamba, step: OnnxMamba;
  before(async () => {
    ({ config, params } = await loadModelDir(HF_FIXTURE_DIR));
    engine = await engineRun(config, params, fx.inputIds);
    [full, step] = await Promise.all([open(config, params, 'full'), open(config, params, 'step')]);
  });
  after(async () => {
    await full.release();
    await step.release();
  });
  const ids = () => Int32Array.from(fx.inputIds.flat());

  it('full mode gives the engine CPU logits and the HF reference within 1e-4', async () => {
    const r = await full.run(ids(), 2, 257);
    close(r.logits, engine.logits, 'fixture full mode vs engine CPU');
    close(r.logits, fx.logits, 'fixture full mode vs HF float64');
    assert.equal(r.state, undefined);
  });

  it('step mode from the zero state gives the same logits and the final conv and SSM states', async () => {
    const r = await step.run(ids(), 2, 257);
    close(r.logits, engine.logits, 'fixture step mode (one run) vs engine CPU');
    const s = r.state as OnnxState;
    close(s.conv, engine.state.conv, 'fixture conv state vs engine CPU');
    close(s.ssm, engine.state.ssm, 'fixture SSM state vs engine CPU');
    assertClose(s.ssm, fx.ssmState, TOLERANCE.scan, 'fixture SSM state vs HF');
    // HF keeps the last k inputs of the conv; ours the last k-1 of them.
    const { numLayers: layers, intermediateSize: c, convKernel: k } = config;
    const hfConv = new Float32Array(s.conv.length);
    for (let row = 0; row < layers * 2 * c; row++)
      hfConv.set(fx.convState.subarray(row * k + 1, (row + 1) * k), row * (k - 1));
    close(s.conv, hfConv, 'fixture conv state vs HF');
    assert.equal(r.meanDelta?.length, layers * 2 * 257);
  });

  it('step mode in chunks of 50 and token by token equals the full sequence', async () => {
    const chunked = await runChunked(step, fx.inputIds, 50);
    close(chunked.logits, engine.logits, 'fixture step mode, chunks of 50, vs engine CPU');
    close(chunked.state.ssm, engine.state.ssm, 'fixture SSM state after chunks vs engine CPU');
    const prefix = fx.inputIds.map((row) => row.slice(0, 40));
    const stepwise = await runChunked(step, prefix, 1);
    const ref = await engineRun(config, params, prefix);
    close(stepwise.logits, ref.logits, 'fixture step mode token by token (40 tokens) vs engine CPU');
    close(stepwise.state.conv, ref.state.conv, 'conv state after 40 single steps vs engine CPU');
  });

  it("greedy generation gives the fixture's tokens and logits", async () => {
    const r = await generateOnnx(step, tokenBatch(fx.generate.prefix_input_ids, 16, 'prefix'), {
      tokens: fx.generate.new_tokens[0].length,
      temperature: 0,
    });
    assert.deepEqual(r.tokens, fx.generate.new_tokens);
    const logits = new Float32Array(r.stepLogits.length * 2 * 16);
    r.stepLogits.forEach((row, i) => logits.set(row, i * 32));
    close(logits, fx.generateLogits, 'fixture greedy step logits vs HF');
    await assert.rejects(generateOnnx(full, tokenBatch([[1]], 16, 'p'), { tokens: 2, temperature: 0 }), /step-mode/);
  });

  it('chunked surprisal equals the engine stream', async () => {
    const tokens = Int32Array.from(fx.inputIds[1]);
    const model = uploadMambaModel(backend, config, params);
    const ref = new Float32Array(tokens.length);
    for await (const c of streamScores(backend, model, chunkRows([tokens], 64))) ref.set(c.surprisal, c.start);
    freeMambaModel(backend, model);
    const got = await onnxSurprisal(step, tokens, 37);
    assert.ok(Number.isNaN(got[0]) && Number.isNaN(ref[0]));
    close(got.subarray(1), ref.subarray(1), 'surprisal, ONNX chunks of 37 vs engine stream');
  });

  it('writes standard ops at opset 17 with HF-named initializers; the tied head reads the embedding', async () => {
    const stored = (await readSafetensorsFile(join(HF_FIXTURE_DIR, 'model.safetensors'))).tensors;
    const { initializers, ops, model } = contents(mambaOnnxModel(config, params, 'step'));
    assert.deepEqual(
      model.opsetImport.map((o) => [o.domain, Number(o.version)]),
      [['', ONNX_OPSET]],
    );
    assert.ok(ops.has('Scan') && ops.has('Conv'), [...ops].join(', '));
    assert.deepEqual(initializers.get('backbone.embeddings.weight'), [16, 64]);
    assert.deepEqual(initializers.get('backbone.layers.1.mixer.conv1d.weight'), [128, 1, 4]);
    assert.equal(initializers.has('lm_head.weight'), false, 'a tied head has no initializer of its own');
    const hf = [...initializers.keys()].filter((n) => /^(backbone|lm_head)\./.test(n)).sort();
    assert.deepEqual(hf, [...stored.keys()].sort(), 'the weights are the safetensors tensors, once each');
  });
});

describe('ONNX export of self-built models of odd shapes', () => {
  for (const [label, config] of GENERALISATION_CONFIGS) {
    it(label, async () => {
      const seed = Math.floor(Math.random() * 2 ** 31),
        rng = new Rng(seed);
      const params = randomMambaParams(config, rng);
      const rows = Array.from({ length: 3 }, () => Array.from({ length: 29 }, () => rng.int(config.vocabSize)));
      const ref = await engineRun(config, params, rows);
      const [full, step] = await Promise.all([open(config, params, 'full'), open(config, params, 'step')]);
      try {
        close((await full.run(Int32Array.from(rows.flat()), 3, 29)).logits, ref.logits, `full (seed ${seed})`);
        const chunked = await runChunked(step, rows, 11);
        close(chunked.logits, ref.logits, `step, chunks of 11 (seed ${seed})`);
        close(chunked.state.conv, ref.state.conv, `conv state (seed ${seed})`);
        close(chunked.state.ssm, ref.state.ssm, `SSM state (seed ${seed})`);
        const prefix = rows.map((row) => row.slice(0, 6));
        close(
          (await runChunked(step, prefix, 1)).logits,
          (await engineRun(config, params, prefix)).logits,
          `step token by token (seed ${seed})`,
        );
      } finally {
        await full.release();
        await step.release();
      }
      const { initializers } = contents(mambaOnnxModel(config, params, 'full'));
      assert.equal(initializers.has('lm_head.weight'), !config.tieWordEmbeddings);
      assert.equal(initializers.has('backbone.layers.0.mixer.in_proj.bias'), config.useBias);
      assert.equal(initializers.has('backbone.layers.0.mixer.conv1d.bias'), config.useConvBias);
    });
  }
});

describe('what the export refuses', () => {
  it('a conv_kernel of 1 (no conv window to carry), naming why', () => {
    const [, base] = GENERALISATION_CONFIGS[0];
    const config = { ...base, convKernel: 1 };
    assert.throws(
      () => mambaOnnxModel(config, randomMambaParams(config, new Rng(3)), 'full'),
      (e: Error) => e instanceof OnnxExportError && /conv_kernel 1: .*conv_kernel >= 2/.test(e.message),
    );
  });
});

describe('ONNX files that are not SeqLab exports', () => {
  it('are refused with the file named', async () => {
    const g = new GraphBuilder();
    g.op('Add', ['input_ids', 'input_ids'], {}, ['logits']);
    const plain = onnx.ModelProto.encode({
      irVersion: 8,
      producerName: 'someone else',
      opsetImport: [{ domain: '', version: 17 }],
      graph: g.graph('add', [valueInfo('input_ids', 'int64', ['b', 'l'])], [valueInfo('logits', 'int64')]),
    }).finish();
    await assert.rejects(OnnxMamba.create(ort, plain, 'plain.onnx'), (e: Error) => {
      assert.ok(e instanceof OnnxFormatError);
      assert.match(e.message, /^plain\.onnx: not a Mamba SeqLab ONNX export .*"someone else"/);
      return true;
    });
    await assert.rejects(
      OnnxMamba.create(ort, new TextEncoder().encode('not protobuf at all'), 'text.onnx'),
      /^OnnxFormatError: text\.onnx: not an ONNX model/,
    );
  });
});
