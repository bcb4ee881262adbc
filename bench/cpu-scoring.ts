// CPU scoring speed, bases/s, what `seqlab eval` and the engine's CPU worker do: tokens scored in
// chunks of 4096 with the state carried, surprisal per position. For the sample DNA model and
// random-weight models (d_model x layers, d_state 16, vocab 16): the op-by-op reference forward
// (`ops`, the code before the fused path), the fused CPU forward (1 thread) and onnxruntime-web
// wasm on the same model exported to ONNX (the step graph `seqlab eval --backend onnx` scores
// with, --threads threads). Each figure is the best of --repeat runs, printed beside the
// 1-minute load average when it was measured and its rate per CPU-second of this process (a
// loaded machine takes wall time away; CPU time it takes away far less).
//
// node out/bench/cpu-scoring.js [--tokens 65536] [--repeat 3] [--threads 1] [--sizes 64x2,64x4,96x4,128x4] [--no-onnx]
import { loadavg } from 'node:os';
import { parseOptions } from '../extension/core/cli/command';
import { loadModelDir } from '../extension/core/models/load-model';
import { nodeOrt } from '../extension/core/onnx/ort-node';
import { CpuBackend } from '../kernels/cpu-backend';
import type { HostTensor } from '../kernels/io/safetensors';
import { type MambaConfig, parseMambaConfig } from '../kernels/model/config';
import { mambaForward } from '../kernels/model/forward';
import { type MambaState, freeMambaState, zeroMambaState } from '../kernels/model/state';
import { mambaParamsFromTensors, type MambaParams, uploadMambaModel } from '../kernels/model/weights';
import { mambaOnnxModel } from '../kernels/onnx/mamba-onnx';
import { OnnxMamba } from '../kernels/onnx/onnx-session';
import { onnxSurprisal } from '../kernels/onnx/onnx-stream';
import { initParams } from '../kernels/train/init';
import { ParamViews, paramCount, paramSpecs, tensorsFromFlat } from '../kernels/train/params';
import { Rng } from '../kernels/train/rng';

const { values, flags } = parseOptions(process.argv.slice(2), {
  tokens: 'value',
  repeat: 'value',
  threads: 'value',
  sizes: 'value',
  'no-onnx': 'flag',
});
const tokens = Number(values.tokens ?? 65536),
  repeat = Number(values.repeat ?? 3),
  threads = Number(values.threads ?? 1),
  sizes = (values.sizes ?? '64x2,64x4,96x4,128x4').split(',').map((s) => s.split('x').map(Number));
const CHUNK = 4096;
const rng = new Rng(1);

interface Figure {
  basesPerSecond: number;
  basesPerCpuSecond: number;
  load: number;
}

/** Best of `repeat` timed runs after one untimed (JIT, buffers). */
async function best(run: () => Promise<unknown>): Promise<Figure> {
  await run();
  let fig: Figure = { basesPerSecond: 0, basesPerCpuSecond: 0, load: 0 };
  for (let i = 0; i < repeat; i++) {
    const cpu0 = process.cpuUsage(),
      t0 = performance.now();
    await run();
    const ms = performance.now() - t0,
      cpu = process.cpuUsage(cpu0);
    const f = {
      basesPerSecond: (1000 * tokens) / ms,
      basesPerCpuSecond: (1e6 * tokens) / (cpu.user + cpu.system),
      load: loadavg()[0],
    };
    if (f.basesPerSecond > fig.basesPerSecond) fig = f;
  }
  return fig;
}

function randomModel(d: number, layers: number): { config: MambaConfig; params: MambaParams<HostTensor> } {
  const config = parseMambaConfig(
    { vocab_size: 16, hidden_size: d, num_hidden_layers: layers, state_size: 16 },
    `random d${d}x${layers}`,
  );
  const specs = paramSpecs(config),
    flat = new Float32Array(paramCount(specs));
  initParams(config, new ParamViews(flat, specs), rng);
  return { config, params: mambaParamsFromTensors(config, tensorsFromFlat(specs, flat), 'bench') };
}

/** Scores ids in chunks with the state carried, as streamScores does; returns the bits' sum. */
function scoreChunks(backend: CpuBackend, model: ReturnType<typeof uploadMambaModel>, ids: Int32Array, ops: boolean) {
  let state: MambaState = zeroMambaState(backend, model.config, 1),
    bits = 0;
  for (let s = 0; s < ids.length; s += CHUNK) {
    const L = Math.min(CHUNK, ids.length - s);
    const targets = new Int32Array(L); // the last position of the last chunk has no target: 0, unused
    targets.set(ids.subarray(s + 1, Math.min(ids.length, s + L + 1)));
    const idsT = backend.uploadIds(ids.subarray(s, s + L), [1, L]),
      targetsT = backend.uploadIds(targets, [1, L]);
    const r = mambaForward(backend, model, idsT, { state, returnState: true, targets: targetsT, ops });
    freeMambaState(backend, state);
    state = r.state!;
    const surprisal = (backend as CpuBackend).f32(r.surprisal!, 'bench');
    for (let i = 0; i < L - (s + L === ids.length ? 1 : 0); i++) bits += surprisal[i];
  }
  return bits / (ids.length - 1);
}

interface Row {
  model: string;
  runs: [string, Figure, number][]; // what, figure, bits/base
}

async function measure(name: string, config: MambaConfig, params: MambaParams<HostTensor>): Promise<Row> {
  const ids = Int32Array.from({ length: tokens }, () => 1 + rng.int(4)); // A, C, G, T
  const backend = new CpuBackend();
  const model = uploadMambaModel(backend, config, params);
  const runs: Row['runs'] = [];
  for (const [what, ops] of [
    ['op-by-op (before)', true],
    ['fused, 1 thread', false],
  ] as const) {
    let bits = NaN;
    const fig = await best(async () => (bits = scoreChunks(backend, model, ids, ops)));
    runs.push([what, fig, bits]);
  }
  if (!flags.has('no-onnx')) {
    const ort = nodeOrt(threads);
    const onnx = await OnnxMamba.create(ort, mambaOnnxModel(config, params, 'step'), name, {
      executionProviders: ['wasm'],
    });
    const tokens8 = Uint8Array.from(ids);
    let bits = NaN;
    const fig = await best(async () => {
      const s = await onnxSurprisal(onnx, tokens8, 1024);
      bits = 0;
      for (let i = 1; i < s.length; i++) bits += s[i];
      bits /= s.length - 1;
    });
    runs.push([`onnxruntime-web wasm, ${threads} threads`, fig, bits]);
    await onnx.release();
  }
  return { model: name, runs };
}

async function main(): Promise<void> {
  const sample = await loadModelDir('samples/models/dna-saureus');
  const rows = [await measure('sample dna-saureus (d32x2)', sample.config, sample.params)];
  for (const [d, layers] of sizes) {
    const m = randomModel(d, layers);
    rows.push(await measure(`random d${d}x${layers}`, m.config, m.params));
  }
  console.log(`\n${tokens} bases per run, chunks of ${CHUNK}, best of ${repeat}\n`);
  console.log('| model | scorer | bases/s | bases per CPU-second | load (1 min) | bits/base |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    for (const [what, f, bits] of r.runs)
      console.log(
        `| ${r.model} | ${what} | ${f.basesPerSecond.toFixed(0)} | ${f.basesPerCpuSecond.toFixed(0)} | ${f.load.toFixed(1)} | ${bits.toFixed(4)} |`,
      );
}

void main();
