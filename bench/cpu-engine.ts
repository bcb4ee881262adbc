// CPU engine speed: linearCpu throughput at Mamba-130m's projection shapes (d 768, d_in 1536),
// and the full forward and recurrent step in tokens per second for one Mamba-130m-shaped layer
// (random weights). Prints one line per measurement.
//
// node out/bench/cpu-engine.js [--rows 512] [--repeat 3]
import { parseOptions } from '../extension/core/cli/command';
import { CpuBackend } from '../kernels/cpu-backend';
import { type MambaConfig, parseMambaConfig } from '../kernels/model/config';
import { mambaForward } from '../kernels/model/forward';
import { freeMambaState, zeroMambaState } from '../kernels/model/state';
import { mambaStep } from '../kernels/model/step';
import { mambaParamsFromTensors, uploadMambaModel } from '../kernels/model/weights';
import { linearCpu } from '../kernels/ops/linear';
import { initParams } from '../kernels/train/init';
import { ParamViews, paramCount, paramSpecs, tensorsFromFlat } from '../kernels/train/params';
import { Rng } from '../kernels/train/rng';

function best(repeat: number, run: () => void): number {
  let ms = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    run();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}

const { values } = parseOptions(process.argv.slice(2), { rows: 'value', repeat: 'value' });
const rows = Number(values.rows ?? 512),
  repeat = Number(values.repeat ?? 3);
const rng = new Rng(1);
const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());

for (const [name, k, m] of [
  ['in_proj', 768, 3072],
  ['out_proj', 1536, 768],
  ['x_proj', 1536, 80],
] as const) {
  const x = random(rows * k),
    w = random(m * k);
  const ms = best(repeat, () => linearCpu(x, rows, k, w, m, undefined, 'none', new Float32Array(rows * m)));
  console.log(
    `linear ${name} [${rows}, ${k}] x [${m}, ${k}]^T: ${ms.toFixed(1)} ms, ${((2 * rows * k * m) / ms / 1e6).toFixed(2)} GFLOP/s`,
  );
}

const config: MambaConfig = parseMambaConfig({ vocab_size: 16, hidden_size: 768, num_hidden_layers: 1 }, 'bench');
const specs = paramSpecs(config),
  flat = new Float32Array(paramCount(specs));
initParams(config, new ParamViews(flat, specs), rng);
const backend = new CpuBackend();
const model = uploadMambaModel(backend, config, mambaParamsFromTensors(config, tensorsFromFlat(specs, flat), 'bench'));
const ids = backend.uploadIds(
  Int32Array.from({ length: rows }, () => rng.int(16)),
  [1, rows],
);
for (const scan of ['sequential', 'chunked'] as const) {
  const ms = best(repeat, () => backend.free(mambaForward(backend, model, ids, { scan }).logits));
  console.log(
    `forward, one d-768 layer, l ${rows}, ${scan} scan: ${ms.toFixed(1)} ms, ${((rows / ms) * 1000).toFixed(0)} tokens/s`,
  );
}
const one = backend.uploadIds(Int32Array.of(3), [1, 1]);
const steps = 64;
const ms = best(repeat, () => {
  let state = zeroMambaState(backend, config, 1);
  for (let i = 0; i < steps; i++) {
    const r = mambaStep(backend, model, state, one);
    freeMambaState(backend, state);
    state = r.state;
  }
  freeMambaState(backend, state);
});
console.log(
  `recurrent step, one d-768 layer: ${(ms / steps).toFixed(2)} ms/token, ${((steps / ms) * 1000).toFixed(0)} tokens/s`,
);
