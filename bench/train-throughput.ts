// Training throughput: tokens per second of full training steps (forward, backward, clipping,
// AdamW) for a preset on random DNA-vocabulary tokens. CPU: the default batch, with 1..T
// gradient threads, and the machine load so a busy machine is visible. WebGPU (Dawn for Node):
// the device trainer at a GPU-sized batch.
//
// node out/bench/train-throughput.js [--backend cpu|webgpu] [--preset tiny|small] [--seconds S]
//   [--threads 1,2] [--batch B --length L] [--json]
import { loadavg } from 'node:os';
import { AdamW } from '../kernels/train/adamw';
import { clipGradNorm } from '../kernels/train/clip';
import { initParams } from '../kernels/train/init';
import { paramCount, paramSpecs, ParamViews } from '../kernels/train/params';
import { Rng } from '../kernels/train/rng';
import { DEFAULT_ADAMW } from '../kernels/train/adamw';
import { WebGpuTrainModel } from '../kernels/train/webgpu-train-model';
import { nodeGpu } from '../kernels/webgpu/node-gpu';
import { WebGpuBackend } from '../kernels/webgpu/webgpu-backend';
import { parseOptions } from '../extension/cli/command';
import { ParallelGradient } from '../extension/runs/parallel-gradient';
import { DEFAULT_HYPER, modelConfig, PRESETS, type PresetName } from '../extension/runs/presets';

export interface ThroughputResult { preset: string; threads: number; batch: number; length: number; steps: number; seconds: number; tokensPerSec: number; load1: number }

export async function cpuThroughput(preset: PresetName, threads: number, seconds: number): Promise<ThroughputResult> {
  const cfg = modelConfig(PRESETS[preset], 16);
  const { batch, length } = DEFAULT_HYPER;
  const specs = paramSpecs(cfg), trainer = new ParallelGradient(cfg, batch, length, threads);
  const rng = new Rng(7);
  initParams(cfg, new ParamViews(trainer.params, specs), rng);
  const adam = new AdamW(specs, paramCount(specs));
  const ids = Int32Array.from({ length: batch * length }, () => 1 + rng.int(4));
  const targets = Int32Array.from({ length: batch * length }, () => 1 + rng.int(4));
  const step = async () => {
    await trainer.lossAndGrad(ids, targets);
    clipGradNorm(trainer.grad, 1);
    adam.step(trainer.params, trainer.grad, 1e-3);
  };
  await step(); // warm up the JIT
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) { await step(); steps++; }
  const s = (performance.now() - t0) / 1000;
  await trainer.dispose();
  return { preset, threads: trainer.threads, batch, length, steps, seconds: s, tokensPerSec: (steps * batch * length) / s, load1: loadavg()[0] };
}

export interface GpuThroughputResult { preset: string; device: string; batch: number; length: number; steps: number; seconds: number; msPerStep: number; tokensPerSec: number; finalBits: number }

export async function webgpuThroughput(preset: PresetName, batch: number, length: number, seconds: number): Promise<GpuThroughputResult> {
  const backend = await WebGpuBackend.create(await nodeGpu());
  const cfg = modelConfig(PRESETS[preset], 16);
  const model = new WebGpuTrainModel(backend, cfg, batch, length);
  try {
    const specs = paramSpecs(cfg), flat = new Float32Array(paramCount(specs)), rng = new Rng(7);
    initParams(cfg, new ParamViews(flat, specs), rng);
    model.setParams(flat);
    // A learnable stream (period-3 bases with noise), so the loss printed at the end shows learning.
    const ids = Int32Array.from({ length: batch * length }, (_, i) => (rng.uniform() < 0.8 ? 1 + (i % 3) : 1 + rng.int(4)));
    const targets = Int32Array.from({ length: batch * length }, (_, i) => (i % length === length - 1 ? -1 : ids[i + 1]));
    let last = { nats: 0, count: 1 };
    const step = async () => { last = await model.lossAndGrad(ids, targets); await model.step(2e-3, 1, DEFAULT_ADAMW); };
    await step(); await step(); // pipelines compiled, buffers warm
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) { await step(); steps++; }
    const s = (performance.now() - t0) / 1000;
    return { preset, device: backend.description, batch, length, steps, seconds: s, msPerStep: (1000 * s) / steps, tokensPerSec: (steps * batch * length) / s, finalBits: last.nats / last.count / Math.LN2 };
  } finally {
    model.dispose();
    backend.dispose();
  }
}

async function main(args: string[]): Promise<void> {
  const o = parseOptions(args, { backend: 'value', preset: 'value', seconds: 'value', threads: 'value', batch: 'value', length: 'value', json: 'flag' });
  const preset = (o.values.preset ?? 'tiny') as PresetName;
  if (!(preset in PRESETS)) throw new Error(`--preset must be tiny or small`);
  if (o.values.backend === 'webgpu') {
    const r = await webgpuThroughput(preset, Number(o.values.batch ?? 64), Number(o.values.length ?? 1024), Number(o.values.seconds ?? 20));
    if (o.flags.has('json')) console.log(JSON.stringify(r));
    else console.log(`webgpu ${r.preset} on ${r.device}, batch ${r.batch}x${r.length}: ${Math.round(r.tokensPerSec)} training tokens/s (${r.msPerStep.toFixed(1)} ms/step, ${r.steps} steps in ${r.seconds.toFixed(1)} s; loss ${r.finalBits.toFixed(3)} bits/token at the end)`);
    return;
  }
  for (const t of (o.values.threads ?? '1,2').split(',').map(Number)) {
    const r = await cpuThroughput(preset, t, Number(o.values.seconds ?? 20));
    if (o.flags.has('json')) console.log(JSON.stringify(r));
    else console.log(`cpu ${r.preset}, ${r.threads} thread(s), batch ${r.batch}x${r.length}: ${Math.round(r.tokensPerSec)} training tokens/s (${r.steps} steps in ${r.seconds.toFixed(1)} s; load average ${r.load1.toFixed(2)})`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`train-throughput: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
