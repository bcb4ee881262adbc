// Selective-scan benchmark on WebGPU (Dawn for Node): the chunked WGSL scan (a sweep of its
// workgroup shapes) beside the naive one-invocation-per-(b, c) sequential WGSL scan and a
// vec4 copy that gives the memory roofline, in one run, on one device. Every timed kernel is
// first checked against the CPU sequential reference (float64 state) on a sample of channels,
// from a zero state with y poisoned with NaN.
//
// Build: npx esbuild bench/scan.ts --bundle --platform=node --format=cjs --external:webgpu --outfile=bench/out/scan.js
// Run:   node bench/out/scan.js [--b 4 --c 1536 --n 16 --l 4096] [--reps 20] [--copy-mib 1024]
//        [--channels 4,8,16,32 --chunks 8,16,32,64 --unroll 1,4 --split 1,4] [--toggled] [--ablate] [--json FILE]
import { writeFileSync } from 'node:fs';
import { parseOptions } from '../extension/core/cli/command';
import { type ChunkedScanConfig, prepareScanWebgpu, selectiveScanSequentialCpu } from '../kernels/ops/selective-scan';
import { WebGpuDevice } from '../kernels/webgpu/device';
import { nodeGpu, SPEED_TOGGLES } from '../kernels/webgpu/node-gpu';
import { GpuRuntime } from '../kernels/webgpu/runtime';
import type { GpuTensor } from '../kernels/webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../kernels/webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../kernels/webgpu/wgsl-common';
import { compareClose, TOLERANCE } from '../test/support/tolerance';
import { timeDispatch, type Timing } from './gpu-timing';

/** GB/s of the minimal bytes (the copy: bytes read + written); vs roofline: time over the copy's time for the scan's bytes. */
const { values, flags } = parseOptions(process.argv.slice(2), {
  b: 'value',
  c: 'value',
  n: 'value',
  l: 'value',
  reps: 'value',
  'copy-mib': 'value',
  channels: 'value',
  chunks: 'value',
  unroll: 'value',
  split: 'value',
  ablate: 'flag',
  'check-channels': 'value',
  json: 'value',
  toggled: 'flag',
});
const num = (name: string, dflt: number): number => Number(values[name] ?? dflt);
const list = (name: string, dflt: string): number[] => (values[name] ?? dflt).split(',').map(Number);
const [b, c, n, l] = [num('b', 4), num('c', 1536), num('n', 16), num('l', 4096)];
const reps = num('reps', 20);

/** Minimal bytes one scan moves: u, delta, B, C, aLog, D read once; y written once; state read and written. */
const SCAN_BYTES = 4 * (3 * b * l * c + 2 * b * l * n + c * n + c + 2 * b * c * n);

const COPY_PARAMS = { n: 'u32' } as const;
const COPY_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
${uniformDeclaration(COPY_PARAMS, 2)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i < p.n) { dst[i] = src[i]; }
}
`;

/**
 * Ablations (--ablate): the chunked kernel with one part taken out, to see what it costs. Their
 * outputs are wrong by construction; only their times mean something.
 */
const ABLATIONS: Record<string, (wgsl: string) => string> = {
  'exp2 -> fma': (w) =>
    w
      .replace(/exp2\(/g, 'fakeExp2(')
      .replace('const N: u32', 'fn fakeExp2(x: SV) -> SV { return fma(x, SV(0.01), SV(1.0)); }\nconst N: u32'),
  'u, delta from one row': (w) => w.replace(/(u|delta)\[r(\d+) \* p\.c \+ ci\]/g, '$1[ci]'),
  'B, C from one row': (w) => w.replace(/(Bm|Cm)\[r\d+ \* NV/g, '$1[bi * NV'),
  'no y stores': (w) =>
    w.replace(
      /if \(store && (t \+ \d+u < t1)\) \{ y\[(r\d+) \* p\.c \+ ci\] = (y\d+) \+ dskip \* (u\d+); \}/g,
      'if (store && $1 && $3 == 1234.5) { y[$2 * p.c + ci] = $3 + dskip * $4; }',
    ),
};

interface Row {
  toggles: string;
  kernel: string;
  shape: string;
  timing: Timing;
  check: string;
  copyBytes?: number;
  config?: ChunkedScanConfig;
}

function randomInputs() {
  const r = (count: number, lo: number, hi: number) =>
    Float32Array.from({ length: count }, () => lo + (hi - lo) * Math.random());
  return {
    u: r(b * l * c, -2, 2),
    delta: r(b * l * c, 0.001, 0.2),
    aLog: Float32Array.from({ length: c * n }, (_, i) => Math.log((i % n) + 1) + 0.3 * (Math.random() - 0.5)),
    B: r(b * l * n, -1, 1),
    C: r(b * l * n, -1, 1),
    D: r(c, 0.5, 1.5),
  };
}
type Inputs = ReturnType<typeof randomInputs>;

/** The CPU reference on a sample of channels (first, last, random): y [b, l, k] and hLast [b, k, n]. */
function reference(host: Inputs, channels: number[]) {
  const k = channels.length;
  const pick = (x: Float32Array, rows: number) =>
    Float32Array.from({ length: rows * k }, (_, i) => x[Math.floor(i / k) * c + channels[i % k]]);
  const sub = {
    u: pick(host.u, b * l),
    delta: pick(host.delta, b * l),
    B: host.B,
    C: host.C,
    D: Float32Array.from(channels, (ci) => host.D[ci]),
    aLog: Float32Array.from({ length: k * n }, (_, i) => host.aLog[channels[Math.floor(i / n)] * n + (i % n)]),
  };
  return selectiveScanSequentialCpu(
    sub,
    { b, l, c: k, n },
    { y: new Float32Array(b * l * k), hLast: new Float32Array(b * k * n) },
  );
}

async function checkKernel(
  rt: GpuRuntime,
  t: ScanTensors,
  config: ChunkedScanConfig | undefined,
  channels: number[],
  ref: ReturnType<typeof reference>,
  rewrite?: (wgsl: string) => string,
): Promise<string> {
  rt.device.queue.writeBuffer(t.y.buffer, 0, new Float32Array(b * l * c).fill(NaN));
  rt.fillZero(t.state);
  rt.submit(prepareScanWebgpu(rt, t, config, rewrite));
  const [y, h] = [new Float32Array(await rt.read(t.y)), new Float32Array(await rt.read(t.state))];
  const k = channels.length;
  const gy = Float32Array.from({ length: b * l * k }, (_, i) => y[Math.floor(i / k) * c + channels[i % k]]);
  const gh = Float32Array.from(
    { length: b * k * n },
    (_, i) => h[(Math.floor(i / (k * n)) * c + channels[Math.floor(i / n) % k]) * n + (i % n)],
  );
  const ry = compareClose(gy, ref.y, TOLERANCE.scan),
    rh = compareClose(gh, ref.hLast, TOLERANCE.scan);
  const nonFinite = y.reduce((bad, v) => bad + (Number.isFinite(v) ? 0 : 1), 0);
  const ok = ry.violations === 0 && rh.violations === 0 && nonFinite === 0;
  return `${ok ? 'ok' : 'FAIL'}: y max err ${ry.maxAbs.toExponential(1)}, hLast ${rh.maxAbs.toExponential(1)}, unwritten ${nonFinite}`;
}

type ScanTensors = {
  u: GpuTensor;
  delta: GpuTensor;
  aLog: GpuTensor;
  B: GpuTensor;
  C: GpuTensor;
  D: GpuTensor;
  y: GpuTensor;
  state: GpuTensor;
};

async function benchDevice(
  toggles: string,
  dev: WebGpuDevice,
  host: Inputs,
  configs: ChunkedScanConfig[],
  sample: number[],
  ref: ReturnType<typeof reference>,
): Promise<Row[]> {
  const rt = new GpuRuntime(dev);
  const rows: Row[] = [];
  const copyMiB = num('copy-mib', 1024);
  const vecs = Math.floor(Math.min(copyMiB * 2 ** 20, dev.device.limits.maxStorageBufferBindingSize) / 16);
  const src = rt.alloc([vecs * 4]),
    dst = rt.alloc([vecs * 4]);
  rt.device.queue.writeBuffer(src.buffer, 0, new Float32Array(Math.min(vecs * 4, 1 << 24)).fill(1.5));
  const copy = rt.prepare(
    COPY_WGSL,
    [src.buffer, dst.buffer],
    packUniforms(COPY_PARAMS, { n: vecs }),
    workgroupsFor(vecs),
  );
  rows.push({
    toggles,
    kernel: 'vec4 copy (roofline)',
    shape: `${((vecs * 16) / 2 ** 20).toFixed(0)} MiB`,
    check: '',
    copyBytes: 2 * vecs * 16,
    timing: await timeDispatch(dev, (p) => rt.encode(p, copy), reps, 10),
  });
  rt.release(copy);
  src.buffer.destroy();
  dst.buffer.destroy();

  const t: ScanTensors = {
    u: rt.upload(host.u, [b, l, c], 'f32'),
    delta: rt.upload(host.delta, [b, l, c], 'f32'),
    aLog: rt.upload(host.aLog, [c, n], 'f32'),
    B: rt.upload(host.B, [b, l, n], 'f32'),
    C: rt.upload(host.C, [b, l, n], 'f32'),
    D: rt.upload(host.D, [c], 'f32'),
    y: rt.alloc([b, l, c]),
    state: rt.alloc([b, c, n]),
  };
  const kernels: [ChunkedScanConfig | undefined, string][] = [
    [undefined, ''],
    ...configs.map((k): [ChunkedScanConfig, string] => [k, '']),
  ];
  if (flags.has('ablate')) for (const k of configs) for (const name of Object.keys(ABLATIONS)) kernels.push([k, name]);
  for (const [config, ablation] of kernels) {
    const name = config ? `chunked scan${ablation ? `, ablation: ${ablation}` : ''}` : 'naive scan (sequential WGSL)';
    const shape = config
      ? `${config.channels} ch x ${config.chunks} chunks (${Math.ceil(l / config.chunks)} steps), unroll ${config.unroll}, split ${config.split}`
      : '1 invocation per (b, c)';
    const rewrite = ablation ? ABLATIONS[ablation] : undefined;
    try {
      const check = await checkKernel(rt, t, config, sample, ref, rewrite);
      const kernel = prepareScanWebgpu(rt, t, config, rewrite);
      rows.push({
        toggles,
        kernel: name,
        shape,
        config: ablation ? undefined : config,
        check,
        timing: await timeDispatch(dev, (p) => rt.encode(p, kernel), reps, 10),
      });
      rt.release(kernel);
    } catch (err) {
      rows.push({
        toggles,
        kernel: name,
        shape,
        check: `error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
        timing: { wallMs: NaN },
      });
    }
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  return rows;
}

function table(rows: Row[], naiveMs: number, rooflineMs: number): string {
  const ms = (r: Row) => r.timing.gpuMedianMs ?? r.timing.wallMs;
  const lines = [
    '| Dawn toggles | kernel | shape | ms (GPU median) | ms (GPU min) | ms (wall) | GB/s | vs naive | vs roofline | check |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const isCopy = r.copyBytes !== undefined;
    const f = (x: number | undefined, d = 3) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(d));
    lines.push(
      `| ${r.toggles} | ${r.kernel} | ${r.shape} | ${f(r.timing.gpuMedianMs)} | ${f(r.timing.gpuMinMs)} | ${f(r.timing.wallMs)} | ${f((r.copyBytes ?? SCAN_BYTES) / ms(r) / 1e6, 0)} | ${isCopy ? '' : f(naiveMs / ms(r), 2) + 'x'} | ${isCopy ? '' : f(ms(r) / rooflineMs, 2) + 'x'} | ${r.check} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const configs: ChunkedScanConfig[] = [];
  for (const channels of list('channels', '4,8,16,32')) {
    for (const chunks of list('chunks', '8,16,32,64')) {
      for (const unroll of list('unroll', '1,4'))
        for (const split of list('split', '1,4')) configs.push({ channels, chunks, unroll, split });
    }
  }
  const host = randomInputs();
  const sample = [0, c - 1, ...Array.from({ length: num('check-channels', 30) }, () => Math.floor(Math.random() * c))];
  const ref = reference(host, sample);

  const gpu = await nodeGpu({ enable: ['allow_unsafe_apis'], disable: ['timestamp_quantization'] });
  const dev = await WebGpuDevice.acquire(gpu);
  console.log(
    `device: ${dev.description}; timestamp-query ${dev.hasTimestamps}; maxComputeInvocationsPerWorkgroup ${dev.device.limits.maxComputeInvocationsPerWorkgroup}, workgroup storage ${dev.device.limits.maxComputeWorkgroupStorageSize}`,
  );
  console.log(`scan b ${b}, c ${c}, n ${n}, l ${l}: minimal bytes ${(SCAN_BYTES / 1e6).toFixed(1)} MB`);
  const fits = (k: ChunkedScanConfig) =>
    k.split * k.channels * k.chunks <= dev.device.limits.maxComputeInvocationsPerWorkgroup &&
    k.channels * k.chunks * (n + 1) * 4 <= dev.device.limits.maxComputeWorkgroupStorageSize;
  const rows = await benchDevice('none (as a webview)', dev, host, configs.filter(fits), sample, ref);
  dev.destroy();

  const scanMs = (r: Row) => r.timing.gpuMedianMs ?? r.timing.wallMs;
  const copyRow = rows[0],
    naive = rows[1];
  const bandwidth = (copyRow.copyBytes ?? NaN) / scanMs(copyRow); // bytes per ms
  const rooflineMs = SCAN_BYTES / bandwidth;
  const chunked = rows.slice(2).filter((r) => r.config && r.check.startsWith('ok') && Number.isFinite(scanMs(r)));
  const best = chunked.reduce<Row | undefined>((a, r) => (!a || scanMs(r) < scanMs(a) ? r : a), undefined);
  let toggled: Row[] = [];
  if (flags.has('toggled') && best) {
    const gpuT = await nodeGpu({
      enable: ['allow_unsafe_apis', ...SPEED_TOGGLES],
      disable: ['timestamp_quantization'],
    });
    const devT = await WebGpuDevice.acquire(gpuT);
    toggled = await benchDevice(SPEED_TOGGLES.join(', '), devT, host, best.config ? [best.config] : [], sample, ref);
    devT.destroy();
  }
  console.log(
    `\ncopy bandwidth ${(bandwidth / 1e6).toFixed(0)} GB/s (read + written); roofline for the scan's minimal bytes ${rooflineMs.toFixed(3)} ms`,
  );
  console.log(table([...rows, ...toggled], scanMs(naive), rooflineMs));
  if (best)
    console.log(
      `\nbest chunked: ${best.shape}: ${scanMs(best).toFixed(3)} ms, ${(scanMs(naive) / scanMs(best)).toFixed(2)}x faster than naive ${scanMs(naive).toFixed(3)} ms, ${(scanMs(best) / rooflineMs).toFixed(2)}x the copy roofline ${rooflineMs.toFixed(3)} ms`,
    );
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify(
        { device: dev.description, b, c, n, l, scanBytes: SCAN_BYTES, bandwidth, rooflineMs, rows, toggled },
        null,
        1,
      ),
    );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exitCode = 1;
});
