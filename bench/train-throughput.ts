// Training throughput: tokens per second of full training steps (forward, backward, clipping,
// AdamW) for a preset on random DNA-vocabulary tokens. CPU: the default batch, with 1..T
// gradient threads, and the machine load so a busy machine is visible. WebGPU (Dawn for Node):
// the device trainer at GPU-sized batches, driven two ways, beside the forward pass alone as the
// peer measured in the same run; --profile adds one step's GPU time per kernel.
//
// node out/bench/train-throughput.js [--backend cpu|webgpu] [--preset tiny|small] [--seconds S]
//   [--threads 1,2] [--batch B --length L | --shapes tiny:64x1024,small:64x1024] [--profile] [--json]
//   [--tiling-shapes tiny:64x1024 --scan-tilings 4x64x4,8x32x4]   (trainStep per scan-backward tiling)
import { loadavg } from 'node:os';
import { AdamW } from '../kernels/train/adamw';
import { clipGradNorm } from '../kernels/train/clip';
import { initParams } from '../kernels/train/init';
import { paramCount, paramSpecs, ParamViews } from '../kernels/train/params';
import { Rng } from '../kernels/train/rng';
import { DEFAULT_ADAMW } from '../kernels/train/adamw';
import { WebGpuTrainModel, type StepStats } from '../kernels/train/webgpu-train-model';
import type { ScanBackwardTiling } from '../kernels/ops/selective-scan-backward';
import { mambaForward } from '../kernels/model/forward';
import { BufferPool } from '../kernels/webgpu/runtime';
import { KernelProfiler, type KernelTime } from './gpu-timing';
import { nodeGpu } from '../kernels/webgpu/node-gpu';
import { WebGpuBackend } from '../kernels/webgpu/webgpu-backend';
import { parseOptions } from '../extension/core/cli/command';
import { ParallelGradient } from '../extension/core/runs/parallel-gradient';
import { DEFAULT_HYPER, modelConfig, PRESETS, type PresetName } from '../extension/core/runs/presets';

export interface ThroughputResult {
  preset: string;
  threads: number;
  batch: number;
  length: number;
  steps: number;
  seconds: number;
  tokensPerSec: number;
  load1: number;
}

export async function cpuThroughput(preset: PresetName, threads: number, seconds: number): Promise<ThroughputResult> {
  const cfg = modelConfig(PRESETS[preset], 16);
  const { batch, length } = DEFAULT_HYPER;
  const specs = paramSpecs(cfg),
    trainer = new ParallelGradient(cfg, batch, length, threads);
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
  while (performance.now() - t0 < seconds * 1000) {
    await step();
    steps++;
  }
  const s = (performance.now() - t0) / 1000;
  await trainer.dispose();
  return {
    preset,
    threads: trainer.threads,
    batch,
    length,
    steps,
    seconds: s,
    tokensPerSec: (steps * batch * length) / s,
    load1: loadavg()[0],
  };
}

/** How a WebGPU measurement drives the device. */
export type GpuMode = 'trainStep' | 'lossAndGrad + step' | 'forward only';

export interface GpuThroughputResult {
  preset: string;
  device: string;
  batch: number;
  length: number;
  mode: GpuMode;
  steps: number;
  seconds: number;
  msPerStep: number;
  tokensPerSec: number;
  finalBits: number;
}

export interface StepProfile {
  preset: string;
  batch: number;
  length: number;
  submits: number;
  passes: number;
  gpuSpanMs: number;
  kernels: KernelTime[];
}

/** Steps between readStats calls in the trainStep loop (each read waits for the device). */
const STATS_EVERY = 50;
/** Forward passes between waits in the forward-only loop. */
const FORWARD_SYNC_EVERY = 4;

/** Runs `step` for `seconds` after `warm` untimed steps, then `settle` (the device finishes); steps and seconds. */
async function timed(
  seconds: number,
  warm: number,
  step: (i: number) => Promise<void>,
  settle: () => Promise<void>,
): Promise<{ steps: number; seconds: number }> {
  for (let i = 0; i < warm; i++) await step(i);
  await settle();
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) await step(steps++);
  await settle();
  return { steps, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Training steps per second of the WebGPU trainer at one shape, three ways in the same run:
 * trainStep (one submit per step, stats read every STATS_EVERY steps), lossAndGrad + step (the
 * loss and gradient norm read back every step, as the step engine does), and the forward pass
 * alone over the same parameters (the peer: a training step is forward + backward + AdamW).
 * With `profile`, one more trainStep with GPU timestamps around every pass.
 */
export async function webgpuThroughput(
  backend: WebGpuBackend,
  preset: PresetName,
  batch: number,
  length: number,
  seconds: number,
  profile: boolean,
): Promise<{ results: GpuThroughputResult[]; profile?: StepProfile }> {
  const cfg = modelConfig(PRESETS[preset], 16);
  const model = new WebGpuTrainModel(backend, cfg, batch, length);
  const rt = backend.runtime;
  try {
    const specs = paramSpecs(cfg),
      flat = new Float32Array(paramCount(specs)),
      rng = new Rng(7);
    initParams(cfg, new ParamViews(flat, specs), rng);
    model.setParams(flat);
    // A learnable stream (period-3 bases with noise), so the loss printed at the end shows learning.
    const ids = Int32Array.from({ length: batch * length }, (_, i) =>
      rng.uniform() < 0.8 ? 1 + (i % 3) : 1 + rng.int(4),
    );
    const targets = Int32Array.from({ length: batch * length }, (_, i) =>
      i % length === length - 1 ? -1 : ids[i + 1],
    );
    const bits = (nats: number, count: number) => nats / count / Math.LN2;
    const results: GpuThroughputResult[] = [];
    const record = (mode: GpuMode, r: { steps: number; seconds: number }, finalBits: number) =>
      results.push({
        preset,
        device: backend.description,
        batch,
        length,
        mode,
        steps: r.steps,
        seconds: r.seconds,
        msPerStep: (1000 * r.seconds) / r.steps,
        tokensPerSec: (r.steps * batch * length) / r.seconds,
        finalBits,
      });

    let last: StepStats | undefined;
    const drain = async () => {
      const s = await model.readStats();
      last = s[s.length - 1] ?? last;
    };
    const fast = await timed(
      seconds,
      2,
      async (i) => {
        await model.trainStep(ids, targets, 2e-3, 1, DEFAULT_ADAMW);
        if ((i + 1) % STATS_EVERY === 0) await drain();
      },
      drain,
    );
    record('trainStep', fast, last ? bits(last.nats, last.count) : NaN);

    let loss = { nats: NaN, count: 1 };
    const compat = await timed(
      seconds,
      1,
      async () => {
        loss = await model.lossAndGrad(ids, targets);
        await model.step(2e-3, 1, DEFAULT_ADAMW);
      },
      async () => undefined,
    );
    record('lossAndGrad + step', compat, bits(loss.nats, loss.count));

    // The forward alone, through the same batching and buffer pool as a training step.
    const pool = new BufferPool(),
      idsT = rt.upload(ids, [batch, length], 'i32');
    const forward = await timed(
      seconds,
      2,
      async (i) => {
        rt.beginBatch();
        rt.pool = pool;
        try {
          backend.free(mambaForward(backend, model.deviceModel, idsT).logits);
        } finally {
          rt.flush();
          rt.pool = undefined;
        }
        if ((i + 1) % FORWARD_SYNC_EVERY === 0) await rt.device.queue.onSubmittedWorkDone();
      },
      () => rt.device.queue.onSubmittedWorkDone(),
    );
    record('forward only', forward, NaN);
    pool.destroy();
    backend.free(idsT);

    if (!profile) return { results };
    const profiler = new KernelProfiler(backend.gpuDevice);
    const submits = rt.submits;
    rt.observer = profiler;
    try {
      await model.trainStep(ids, targets, 2e-3, 1, DEFAULT_ADAMW);
    } finally {
      rt.observer = undefined;
    }
    const stepSubmits = rt.submits - submits;
    await drain();
    const p = await profiler.collect();
    profiler.destroy();
    return {
      results,
      profile: {
        preset,
        batch,
        length,
        submits: stepSubmits,
        passes: p.passes,
        gpuSpanMs: p.gpuSpanMs,
        kernels: p.kernels,
      },
    };
  } finally {
    model.dispose();
  }
}

export interface TilingResult {
  preset: string;
  batch: number;
  length: number;
  tiling: ScanBackwardTiling;
  msPerStep: number;
  tokensPerSec: number;
  scanBackwardMs: number;
  error?: string;
}

const tilingText = (t: ScanBackwardTiling) => `${t.channels} ch x ${t.slots} slots x ${t.items}`;

/** trainStep at one shape for each scan-backward tiling: ms/step, and the scan backward's GPU time in one profiled step. */
export async function scanTilingSweep(
  backend: WebGpuBackend,
  preset: PresetName,
  batch: number,
  length: number,
  seconds: number,
  tilings: readonly ScanBackwardTiling[],
): Promise<TilingResult[]> {
  const cfg = modelConfig(PRESETS[preset], 16),
    rt = backend.runtime;
  const specs = paramSpecs(cfg),
    flat = new Float32Array(paramCount(specs)),
    rng = new Rng(7);
  initParams(cfg, new ParamViews(flat, specs), rng);
  const ids = Int32Array.from({ length: batch * length }, () => 1 + rng.int(4));
  const targets = Int32Array.from({ length: batch * length }, () => 1 + rng.int(4));
  const out: TilingResult[] = [];
  for (const tiling of tilings) {
    const row = { preset, batch, length, tiling, msPerStep: NaN, tokensPerSec: NaN, scanBackwardMs: NaN };
    const model = new WebGpuTrainModel(backend, cfg, batch, length, tiling);
    try {
      model.setParams(flat);
      const r = await timed(
        seconds,
        2,
        async (i) => {
          await model.trainStep(ids, targets, 2e-3, 1, DEFAULT_ADAMW);
          if ((i + 1) % STATS_EVERY === 0) await model.readStats();
        },
        async () => {
          await model.readStats();
        },
      );
      const profiler = new KernelProfiler(backend.gpuDevice);
      rt.observer = profiler;
      try {
        await model.trainStep(ids, targets, 2e-3, 1, DEFAULT_ADAMW);
      } finally {
        rt.observer = undefined;
      }
      await model.readStats();
      const p = await profiler.collect();
      profiler.destroy();
      out.push({
        ...row,
        msPerStep: (1000 * r.seconds) / r.steps,
        tokensPerSec: (r.steps * batch * length) / r.seconds,
        scanBackwardMs: p.kernels
          .filter((k) => k.kernel.startsWith('selectiveScanBackwardWebgpu'))
          .reduce((a, k) => a + k.gpuMs, 0),
      });
    } catch (err) {
      out.push({ ...row, error: err instanceof Error ? err.message.split('\n')[0] : String(err) });
    } finally {
      model.dispose();
    }
  }
  return out;
}

function tilingTable(rows: TilingResult[]): string {
  const lines = [
    '| preset | batch x length | scan backward tiling | ms/step | tokens/s | scan backward GPU ms/step |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      r.error
        ? `| ${r.preset} | ${r.batch} x ${r.length} | ${tilingText(r.tiling)} | error: ${r.error} | | |`
        : `| ${r.preset} | ${r.batch} x ${r.length} | ${tilingText(r.tiling)} | ${r.msPerStep.toFixed(2)} | ${Math.round(r.tokensPerSec).toLocaleString('en-US')} | ${r.scanBackwardMs.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

/** "4x64x4,8x32x4" -> tilings (channels x slots x items). */
function parseTilings(text: string): ScanBackwardTiling[] {
  return text.split(',').map((item) => {
    const m = /^(\d+)x(\d+)x(\d+)$/.exec(item.trim());
    if (!m) throw new Error(`--scan-tilings: expected CHANNELSxSLOTSxITEMS, got "${item}"`);
    return { channels: Number(m[1]), slots: Number(m[2]), items: Number(m[3]) };
  });
}

function throughputTable(rows: GpuThroughputResult[]): string {
  const lines = [
    '| preset | batch x length | how | ms/step | tokens/s | vs forward only | steps (s) | loss at the end (bits/token) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const peer = rows.find(
      (x) => x.mode === 'forward only' && x.preset === r.preset && x.batch === r.batch && x.length === r.length,
    );
    const vs = peer && r !== peer ? `${(r.tokensPerSec / peer.tokensPerSec).toFixed(3)}x` : '';
    lines.push(
      `| ${r.preset} | ${r.batch} x ${r.length} | ${r.mode} | ${r.msPerStep.toFixed(2)} | ${Math.round(r.tokensPerSec).toLocaleString('en-US')} | ${vs} | ${r.steps} (${r.seconds.toFixed(1)}) | ${Number.isFinite(r.finalBits) ? r.finalBits.toFixed(3) : ''} |`,
    );
  }
  return lines.join('\n');
}

function profileTable(p: StepProfile, msPerStep: number, top: number): string {
  const sum = p.kernels.reduce((a, k) => a + k.gpuMs, 0);
  const lines = [
    `${p.preset} ${p.batch} x ${p.length}: one trainStep = ${p.submits} submit(s), ${p.passes} compute passes; GPU time in passes ${sum.toFixed(2)} ms, first pass start to last pass end ${p.gpuSpanMs.toFixed(2)} ms, measured ${msPerStep.toFixed(2)} ms/step`,
    '',
    '| kernel (op < caller) | passes | GPU ms | share |',
    '|---|---|---|---|',
  ];
  for (const k of p.kernels.slice(0, top))
    lines.push(`| ${k.kernel} | ${k.dispatches} | ${k.gpuMs.toFixed(3)} | ${((100 * k.gpuMs) / sum).toFixed(1)}% |`);
  const rest = p.kernels.slice(top);
  if (rest.length)
    lines.push(
      `| ${rest.length} more | ${rest.reduce((a, k) => a + k.dispatches, 0)} | ${rest.reduce((a, k) => a + k.gpuMs, 0).toFixed(3)} | |`,
    );
  return lines.join('\n');
}

/** "tiny:64x1024,small:64x1024" -> shapes. */
function parseShapes(text: string): { preset: PresetName; batch: number; length: number }[] {
  return text.split(',').map((item) => {
    const m = /^(\w+):(\d+)x(\d+)$/.exec(item.trim());
    if (!m || !(m[1] in PRESETS))
      throw new Error(
        `--shapes: expected PRESET:BATCHxLENGTH (presets ${Object.keys(PRESETS).join(', ')}), got "${item}"`,
      );
    return { preset: m[1] as PresetName, batch: Number(m[2]), length: Number(m[3]) };
  });
}

async function webgpuMain(
  shapes: string,
  seconds: number,
  profile: boolean,
  json: boolean,
  tilingShapes?: string,
  tilings?: string,
): Promise<void> {
  // Timestamp quantization off so that short kernels get real spans; it changes the reading, not the kernels.
  const backend = await WebGpuBackend.create(
    await nodeGpu({ enable: ['allow_unsafe_apis'], disable: ['timestamp_quantization'] }),
  );
  try {
    console.log(`device: ${backend.description}; timestamp-query ${backend.gpuDevice.hasTimestamps}`);
    const rows: GpuThroughputResult[] = [],
      profiles: string[] = [];
    for (const s of parseShapes(shapes)) {
      const r = await webgpuThroughput(backend, s.preset, s.batch, s.length, seconds, profile);
      rows.push(...r.results);
      for (const x of r.results)
        console.log(
          json
            ? JSON.stringify(x)
            : `webgpu ${x.preset} ${x.batch}x${x.length} ${x.mode}: ${Math.round(x.tokensPerSec)} tokens/s (${x.msPerStep.toFixed(2)} ms/step, ${x.steps} steps in ${x.seconds.toFixed(1)} s)`,
        );
      if (r.profile) {
        if (json) console.log(JSON.stringify(r.profile));
        profiles.push(profileTable(r.profile, r.results[0].msPerStep, 25));
      }
    }
    const sweep: TilingResult[] = [];
    if (tilingShapes && tilings) {
      for (const s of parseShapes(tilingShapes)) {
        const r = await scanTilingSweep(backend, s.preset, s.batch, s.length, seconds, parseTilings(tilings));
        sweep.push(...r);
        if (json) for (const x of r) console.log(JSON.stringify(x));
      }
    }
    console.log(
      `\n${profiles.join('\n\n')}\n\n${sweep.length ? `${tilingTable(sweep)}\n\n` : ''}${throughputTable(rows)}`,
    );
  } finally {
    backend.dispose();
  }
}

async function main(args: string[]): Promise<void> {
  const o = parseOptions(args, {
    backend: 'value',
    preset: 'value',
    seconds: 'value',
    threads: 'value',
    batch: 'value',
    length: 'value',
    shapes: 'value',
    profile: 'flag',
    json: 'flag',
    'tiling-shapes': 'value',
    'scan-tilings': 'value',
  });
  const preset = (o.values.preset ?? 'tiny') as PresetName;
  if (!(preset in PRESETS)) throw new Error(`--preset must be tiny or small`);
  if (o.values.backend === 'webgpu') {
    const shapes = o.values.shapes ?? `${preset}:${o.values.batch ?? 64}x${o.values.length ?? 1024}`;
    await webgpuMain(
      shapes,
      Number(o.values.seconds ?? 10),
      o.flags.has('profile'),
      o.flags.has('json'),
      o.values['tiling-shapes'],
      o.values['scan-tilings'],
    );
    return;
  }
  for (const t of (o.values.threads ?? '1,2').split(',').map(Number)) {
    const r = await cpuThroughput(preset, t, Number(o.values.seconds ?? 20));
    if (o.flags.has('json')) console.log(JSON.stringify(r));
    else
      console.log(
        `cpu ${r.preset}, ${r.threads} thread(s), batch ${r.batch}x${r.length}: ${Math.round(r.tokensPerSec)} training tokens/s (${r.steps} steps in ${r.seconds.toFixed(1)} s; load average ${r.load1.toFixed(2)})`,
      );
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`train-throughput: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
