// The engine's CPU forward against the same model exported to ONNX and run by onnxruntime-web's
// wasm backend (the CPU backend is one thread; the wasm gets --threads, default 1), on identical
// token ids: the HF fixture and a random mid-size model (d_model 256, 4 layers). Full forward
// over --tokens ids and --steps recurrent steps, best of --repeat after one untimed run, as tokens/s of each and their
// ratio in a markdown table; the logits are checked to agree (max abs difference in the table).
//
// node out/bench/onnx-cpu.js [--tokens 4096] [--steps 32] [--repeat 3] [--threads 1]
import { parseOptions } from '../extension/core/cli/command';
import { loadModelDir } from '../extension/core/models/load-model';
import { nodeOrt } from '../extension/core/onnx/ort-node';
import { CpuBackend } from '../kernels/cpu-backend';
import type { HostTensor } from '../kernels/io/safetensors';
import { type MambaConfig, parseMambaConfig } from '../kernels/model/config';
import { mambaForward } from '../kernels/model/forward';
import { freeMambaState, zeroMambaState } from '../kernels/model/state';
import { mambaStep } from '../kernels/model/step';
import { freeMambaModel, mambaParamsFromTensors, type MambaParams, uploadMambaModel } from '../kernels/model/weights';
import { mambaOnnxModel } from '../kernels/onnx/mamba-onnx';
import { OnnxMamba, type OnnxState } from '../kernels/onnx/onnx-session';
import { initParams } from '../kernels/train/init';
import { ParamViews, paramCount, paramSpecs, tensorsFromFlat } from '../kernels/train/params';
import { Rng } from '../kernels/train/rng';
import { HF_FIXTURE_DIR } from '../test/support/hf-fixture';

const { values } = parseOptions(process.argv.slice(2), {
  tokens: 'value',
  steps: 'value',
  repeat: 'value',
  threads: 'value',
});
const tokens = Number(values.tokens ?? 4096),
  steps = Number(values.steps ?? 32),
  repeat = Number(values.repeat ?? 3),
  threads = Number(values.threads ?? 1);
const ort = nodeOrt(threads);
const rng = new Rng(1);

/** Best time of `repeat` runs after one untimed (JIT, wasm heap growth). */
async function best(run: () => Promise<unknown> | unknown): Promise<number> {
  await run();
  let ms = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await run();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}

function randomModel(): { config: MambaConfig; params: MambaParams<HostTensor> } {
  const config = parseMambaConfig({ vocab_size: 16, hidden_size: 256, num_hidden_layers: 4 }, 'bench');
  const specs = paramSpecs(config),
    flat = new Float32Array(paramCount(specs));
  initParams(config, new ParamViews(flat, specs), rng);
  return { config, params: mambaParamsFromTensors(config, tensorsFromFlat(specs, flat), 'bench') };
}

interface Row {
  model: string;
  what: string;
  engine: number;
  onnx: number;
  maxDiff: number;
}

async function measure(name: string, config: MambaConfig, params: MambaParams<HostTensor>): Promise<Row[]> {
  const ids = Int32Array.from({ length: tokens }, () => rng.int(config.vocabSize));
  const backend = new CpuBackend();
  const model = uploadMambaModel(backend, config, params);
  const onnx = await OnnxMamba.create(ort, mambaOnnxModel(config, params, 'step'), name, {
    executionProviders: ['wasm'],
  });
  const full = await OnnxMamba.create(ort, mambaOnnxModel(config, params, 'full'), name, {
    executionProviders: ['wasm'],
  });
  try {
    let engineLogits: Float32Array = new Float32Array(0),
      onnxLogits: Float32Array = new Float32Array(0);
    const engineMs = await best(async () => {
      const t = backend.uploadIds(ids, [1, tokens]);
      const r = mambaForward(backend, model, t);
      engineLogits = await backend.read(r.logits);
      backend.free(r.logits);
      backend.free(t);
    });
    const onnxMs = await best(async () => {
      onnxLogits = (await full.run(ids, 1, tokens)).logits;
    });
    let maxDiff = 0;
    for (let i = 0; i < engineLogits.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(engineLogits[i] - onnxLogits[i]));

    // Recurrent steps: one token at a time through the state, after the same `steps` ids.
    let engineStep: Float32Array = new Float32Array(0),
      onnxStep: Float32Array = new Float32Array(0);
    const engineStepMs = await best(async () => {
      let state = zeroMambaState(backend, config, 1);
      for (let s = 0; s < steps; s++) {
        const t = backend.uploadIds(ids.subarray(s, s + 1), [1, 1]);
        const r = mambaStep(backend, model, state, t);
        backend.free(t);
        freeMambaState(backend, state);
        state = r.state;
        engineStep = await backend.read(r.logits);
        backend.free(r.logits);
      }
      freeMambaState(backend, state);
    });
    const onnxStepMs = await best(async () => {
      let state: OnnxState | undefined;
      for (let s = 0; s < steps; s++) {
        const r = await onnx.run(ids.subarray(s, s + 1), 1, 1, state);
        state = r.state;
        onnxStep = r.logits;
      }
    });
    let stepDiff = 0;
    for (let i = 0; i < engineStep.length; i++) stepDiff = Math.max(stepDiff, Math.abs(engineStep[i] - onnxStep[i]));
    return [
      {
        model: name,
        what: `forward, ${tokens} tokens`,
        engine: (1000 * tokens) / engineMs,
        onnx: (1000 * tokens) / onnxMs,
        maxDiff,
      },
      {
        model: name,
        what: `${steps} recurrent steps`,
        engine: (1000 * steps) / engineStepMs,
        onnx: (1000 * steps) / onnxStepMs,
        maxDiff: stepDiff,
      },
    ];
  } finally {
    await onnx.release();
    await full.release();
    freeMambaModel(backend, model);
    backend.dispose();
  }
}

async function main(): Promise<void> {
  const fixture = await loadModelDir(HF_FIXTURE_DIR);
  const mid = randomModel();
  const rows = [
    ...(await measure('HF fixture (d_model 64, 2 layers)', fixture.config, fixture.params)),
    ...(await measure('random (d_model 256, 4 layers)', mid.config, mid.params)),
  ];
  console.log(
    `engine CPU backend (1 thread) vs onnxruntime-web ${ort.env.versions.web} wasm (${threads} thread${threads === 1 ? '' : 's'}), best of ${repeat}, batch 1\n`,
  );
  console.log('| model | run | engine CPU tokens/s | onnxruntime-web tokens/s | onnx / engine | max abs logit diff |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.model} | ${r.what} | ${r.engine.toFixed(0)} | ${r.onnx.toFixed(0)} | ${(r.onnx / r.engine).toFixed(3)} | ${r.maxDiff.toExponential(2)} |`,
    );
}

void main();
