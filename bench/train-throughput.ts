// Training throughput of the CPU trainer: tokens per second of full training steps (forward,
// backward, clipping, AdamW) for a preset at the default batch, on random DNA-vocabulary
// tokens, with 1..T gradient threads. Reports the machine load so a busy machine is visible.
//
// node out/bench/train-throughput.js [--preset tiny|small] [--seconds S] [--threads 1,2] [--json]
import { loadavg } from 'node:os';
import { AdamW } from '../kernels/train/adamw';
import { clipGradNorm } from '../kernels/train/clip';
import { initParams } from '../kernels/train/init';
import { paramCount, paramSpecs, ParamViews } from '../kernels/train/params';
import { Rng } from '../kernels/train/rng';
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

async function main(args: string[]): Promise<void> {
  const o = parseOptions(args, { preset: 'value', seconds: 'value', threads: 'value', json: 'flag' });
  const preset = (o.values.preset ?? 'tiny') as PresetName;
  if (!(preset in PRESETS)) throw new Error(`--preset must be tiny or small`);
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
