// The selective scan (Mamba S6) with the discretization fused, per batch b, channel c, state s:
//   h[s] <- exp(delta[t,c] * A[c,s]) * h[s] + delta[t,c] * B[t,s] * u[t,c],   A = -exp(aLog)
//   y[t,c] = sum_s C[t,s] * h[s] + D[c] * u[t,c]
// u, delta [b, l, c]; aLog [c, n]; B, C [b, l, n]; D [c]; h0 [b, c, n]? (zeros when absent).
// Returns y [b, l, c] (not gated) and the state after the last step hLast [b, c, n].
// Two variants with one signature: the sequential reference, and the chunked parallel scan
// (l split into chunks whose state transitions are computed independently, then combined).
// Neither writes an l x n tensor; the chunked scan holds one [c, n] state per chunk.
import { shapeText, type FloatArray } from '../backend';
import type { WebGpuDevice } from '../webgpu/device';
import type { GpuRuntime, PreparedKernel } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';

export interface ScanArrays {
  u: FloatArray;
  delta: FloatArray;
  aLog: FloatArray;
  B: FloatArray;
  C: FloatArray;
  D: FloatArray;
  h0?: FloatArray;
}

export interface ScanDims {
  b: number;
  l: number;
  c: number;
  n: number;
}

/** What a CPU scan writes: y [b, l, c] and hLast [b, c, n]. */
export interface ScanResult<A extends FloatArray> {
  y: A;
  hLast: A;
}

/** Time steps per chunk of the chunked scan, and of the states the training forward keeps. */
export const SCAN_CHUNK = 64;

export function chunkCount(l: number, chunk: number): number {
  return Math.ceil(l / chunk);
}

/** The state entering each chunk of `chunk` steps, [b, chunkCount(l, chunk), c, n]: what the backward recomputes from. */
export interface KeptChunkStates {
  chunk: number;
  states: FloatArray;
}

function negExp(aLog: FloatArray): Float64Array {
  return Float64Array.from(aLog, (a) => -Math.exp(a));
}

/**
 * Runs the recurrence over t in [t0, t1) of batch bi, updating h [c, n] in place; writes y for
 * those steps when given (a chunk's summary pass needs only the end state).
 */
function scanRange(
  inp: ScanArrays,
  dims: ScanDims,
  A: Float64Array,
  bi: number,
  t0: number,
  t1: number,
  h: Float64Array,
  y?: FloatArray,
): void {
  const { l, c, n } = dims;
  const { u, delta, B, C, D } = inp;
  for (let t = t0; t < t1; t++) {
    const row = (bi * l + t) * c,
      bn = (bi * l + t) * n;
    for (let ci = 0; ci < c; ci++) {
      const dt = delta[row + ci],
        uu = u[row + ci],
        du = dt * uu;
      const hs = ci * n;
      let acc = 0;
      for (let s = 0; s < n; s++) {
        const v = Math.exp(dt * A[hs + s]) * h[hs + s] + du * B[bn + s];
        h[hs + s] = v;
        acc += C[bn + s] * v;
      }
      if (y) y[row + ci] = acc + D[ci] * uu;
    }
  }
}

function initialState(inp: ScanArrays, dims: ScanDims, bi: number): Float64Array {
  const size = dims.c * dims.n;
  return inp.h0 ? Float64Array.from(inp.h0.subarray(bi * size, (bi + 1) * size)) : new Float64Array(size);
}

/**
 * Sequential reference: one pass over t, state carried in float64; writes `out` and returns it.
 * With `kept`, also stores the state entering each chunk (the training forward, for the backward).
 */
export function selectiveScanSequentialCpu<A extends FloatArray>(
  inp: ScanArrays,
  dims: ScanDims,
  out: ScanResult<A>,
  kept?: KeptChunkStates,
): ScanResult<A> {
  const { b, l, c, n } = dims;
  const A = negExp(inp.aLog);
  const step = kept ? kept.chunk : Math.max(l, 1);
  if (!(Number.isInteger(step) && step > 0))
    throw new RangeError(`scan chunk length ${step} is not a positive integer`);
  const chunks = chunkCount(l, step),
    size = c * n;
  for (let bi = 0; bi < b; bi++) {
    const h = initialState(inp, dims, bi);
    for (let k = 0; k < chunks; k++) {
      kept?.states.set(h, (bi * chunks + k) * size);
      scanRange(inp, dims, A, bi, k * step, Math.min(l, (k + 1) * step), h, out.y);
    }
    out.hLast.set(h, bi * size);
  }
  return out;
}

/**
 * Chunked scan in three passes. 1: per chunk, independently, the local end state from zero and
 * the chunk's decay exp(A * sum(delta)) (the product of its per-step decays). 2: combine across
 * chunks, start[k+1] = decay[k] * start[k] + local[k]. 3: per chunk, independently, rescan from
 * its start state and write y. Writes `out` and returns it.
 */
export function selectiveScanChunkedCpu<A extends FloatArray>(
  inp: ScanArrays,
  dims: ScanDims,
  out: ScanResult<A>,
  chunk: number = SCAN_CHUNK,
): ScanResult<A> {
  const { b, l, c, n } = dims;
  if (!(Number.isInteger(chunk) && chunk > 0))
    throw new RangeError(`scan chunk length ${chunk} is not a positive integer`);
  const A = negExp(inp.aLog);
  const chunks = chunkCount(l, chunk),
    size = c * n;
  const states = new Float64Array(chunks * size); // pass 1: local end states; after pass 2: start states
  const deltaSums = new Float64Array(chunks * c);
  for (let bi = 0; bi < b; bi++) {
    states.fill(0);
    deltaSums.fill(0);
    for (let k = 0; k < chunks; k++) {
      const t0 = k * chunk,
        t1 = Math.min(l, t0 + chunk);
      scanRange(inp, dims, A, bi, t0, t1, states.subarray(k * size, (k + 1) * size));
      for (let t = t0; t < t1; t++) {
        for (let ci = 0; ci < c; ci++) deltaSums[k * c + ci] += inp.delta[(bi * l + t) * c + ci];
      }
    }
    const carry = initialState(inp, dims, bi);
    for (let k = 0; k < chunks; k++) {
      for (let ci = 0; ci < c; ci++) {
        const sum = deltaSums[k * c + ci];
        for (let s = 0; s < n; s++) {
          const i = ci * n + s,
            local = states[k * size + i];
          states[k * size + i] = carry[i];
          carry[i] = Math.exp(sum * A[i]) * carry[i] + local;
        }
      }
    }
    for (let k = 0; k < chunks; k++) {
      scanRange(
        inp,
        dims,
        A,
        bi,
        k * chunk,
        Math.min(l, (k + 1) * chunk),
        states.subarray(k * size, (k + 1) * size),
        out.y,
      );
    }
    out.hLast.set(carry, bi * size);
  }
  return out;
}

// ---- WebGPU twins --------------------------------------------------------------------------
// Both kernels hold a channel's n states in registers (vec4 lanes when n % 4 == 0), use
// exp2 with A pre-scaled by log2(e), and read h0 from / write hLast to one state buffer
// [b, c, n] (8 storage bindings: WebGPU's default limit). n is written into the code.

const SCAN_PARAMS = { b: 'u32', l: 'u32', c: 'u32', chunk: 'u32', groups: 'u32' } as const;

/** Invocations per workgroup of the sequential WGSL scan (one invocation per (b, c)). */
const SEQUENTIAL_SCAN_WORKGROUP = 64;

/**
 * Shape of the chunked WGSL scan: a workgroup covers `channels` channels of one batch, whole l,
 * in `chunks` chunks; `split` invocations share one (channel, chunk), each holding 1/split of its
 * state lanes (y is summed over them by subgroup shuffles, so split > 1 needs the `subgroups`
 * feature); each invocation loads `unroll` steps before computing them.
 */
export interface ChunkedScanConfig {
  channels: number;
  chunks: number;
  unroll: number;
  split: number;
}

/** Fastest of the H200 sweep (0.367 ms at b 4, c 1536, n 16, l 4096; bench/RESULTS.md); chunkedScanConfigFor fits it to smaller devices and short l. */
export const CHUNKED_SCAN_DEFAULT: ChunkedScanConfig = { channels: 16, chunks: 32, unroll: 4, split: 1 };

function scanHeaderWgsl(n: number): string {
  const vec = n % 4 === 0;
  return `
const N: u32 = ${n}u;
const NV: u32 = ${vec ? n / 4 : n}u;
alias SV = ${vec ? 'vec4<f32>' : 'f32'};
fn sdot(a: SV, b: SV) -> f32 { return ${vec ? 'dot(a, b)' : 'a * b'}; }
const LOG2E: f32 = 1.4426950408889634;
@group(0) @binding(0) var<storage, read> u: array<f32>;
@group(0) @binding(1) var<storage, read> delta: array<f32>;
@group(0) @binding(2) var<storage, read> aLog: array<SV>;
@group(0) @binding(3) var<storage, read> Bm: array<SV>;
@group(0) @binding(4) var<storage, read> Cm: array<SV>;
@group(0) @binding(5) var<storage, read> Dv: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
@group(0) @binding(7) var<storage, read_write> state: array<SV>;
${uniformDeclaration(SCAN_PARAMS, 8)}
`;
}

/** WGSL sequential reference: one invocation per (b, c) walks all of l. */
export function sequentialScanWgsl(n: number): string {
  return `${scanHeaderWgsl(n)}
@compute @workgroup_size(${SEQUENTIAL_SCAN_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.x + wid.y * nwg.x) * ${SEQUENTIAL_SCAN_WORKGROUP}u + lid;
  if (idx >= p.b * p.c) { return; }
  let bi = idx / p.c;
  let ci = idx - bi * p.c;
  var a2: array<SV, NV>;
  var h: array<SV, NV>;
  for (var v = 0u; v < NV; v++) { a2[v] = -exp(aLog[ci * NV + v]) * LOG2E; h[v] = state[idx * NV + v]; }
  let dskip = Dv[ci];
  for (var t = 0u; t < p.l; t++) {
    let row = bi * p.l + t;
    let off = row * p.c + ci;
    let uu = u[off];
    let dt = delta[off];
    let du = dt * uu;
    var acc = 0.0;
    for (var v = 0u; v < NV; v++) {
      h[v] = exp2(dt * a2[v]) * h[v] + du * Bm[row * NV + v];
      acc += sdot(Cm[row * NV + v], h[v]);
    }
    y[off] = acc + dskip * uu;
  }
  for (var v = 0u; v < NV; v++) { state[idx * NV + v] = h[v]; }
}
`;
}

/**
 * WGSL for `unroll` consecutive steps from t of one chunk ending at t1, over this invocation's
 * `lanes` state lanes held in named registers h0.. (arrays indexed in loops were spilled to local
 * memory on the H200). Every load comes first (steps past t1 read the last step and get
 * delta = 0, which leaves h unchanged), then the updates, then (with `output`) the y stores, so
 * the loads of a block overlap instead of waiting one by one. With split > 1, y is summed over
 * the split invocations of the (channel, chunk) by shuffles and the first one stores it.
 */
function chunkStepsWgsl(lanes: number, unroll: number, split: number, output: boolean): string {
  const j = [...Array(unroll).keys()],
    v = [...Array(lanes).keys()];
  const loads = j
    .map(
      (i) => `    let r${i} = bi * p.l + min(t + ${i}u, t1 - 1u);
    let u${i} = u[r${i} * p.c + ci];
    let dt${i} = select(0.0, delta[r${i} * p.c + ci], t + ${i}u < t1);
    let du${i} = dt${i} * u${i};`,
    )
    .join('\n');
  const shuffles: number[] = [];
  for (let m = 1; m < split; m *= 2) shuffles.push(m);
  const updates = j
    .map((i) =>
      [
        ...v.map((k) => `    h${k} = exp2(dt${i} * a${k}) * h${k} + du${i} * Bm[r${i} * NV + lane0 + ${k}u];`),
        ...(output
          ? [
              `    var y${i} = ${v.map((k) => `sdot(Cm[r${i} * NV + lane0 + ${k}u], h${k})`).join(' + ')};`,
              ...shuffles.map((m) => `    y${i} += subgroupShuffleXor(y${i}, ${m}u);`),
            ]
          : [`    sum += dt${i};`]),
      ].join('\n'),
    )
    .join('\n');
  const stores = output
    ? j.map((i) => `    if (store && t + ${i}u < t1) { y[r${i} * p.c + ci] = y${i} + dskip * u${i}; }`).join('\n')
    : '';
  return `  for (var t = t0; t < t1; t += ${unroll}u) {\n${loads}\n${updates}\n${stores}\n  }`;
}

/**
 * WGSL chunked scan, one dispatch. A workgroup takes CH channels of one batch over all of l,
 * cut into K chunks of p.chunk steps; SPLIT invocations own one chunk of one channel, each
 * 1/SPLIT of its state lanes.
 * Phase 1: each scans its chunk from a zero state, keeping only the end state and sum(delta)
 * (the chunk's decay is exp(A * sum(delta))) in workgroup memory. Phase 2: one invocation per
 * (channel, state lane) chains the K chunks from h0, leaving each chunk's start state in place
 * and writing hLast. Phase 3: each rescans its chunk from its start state and writes y.
 * Parallelism is b * c * K * SPLIT invocations instead of b * c; nothing of size l x n reaches
 * memory.
 */
export function chunkedScanWgsl(n: number, config: ChunkedScanConfig): string {
  const { channels, chunks, unroll, split } = config;
  const lanes = n % 4 === 0 ? n / 4 : n;
  if (!Number.isInteger(lanes / split))
    throw new RangeError(`chunked scan: split ${split} does not divide ${lanes} state lanes (n ${n})`);
  const v = [...Array(lanes / split).keys()];
  const wgn = split * channels * chunks;
  return `${split > 1 ? 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);\n' : ''}${scanHeaderWgsl(n)}
const CH: u32 = ${channels}u;
const K: u32 = ${chunks}u;
const SPLIT: u32 = ${split}u;
const WGN: u32 = ${wgn}u;
var<workgroup> carry: array<SV, ${channels * chunks} * NV>;
var<workgroup> deltaSum: array<f32, ${channels * chunks}>;
@compute @workgroup_size(WGN)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= p.b * p.groups) { return; }
  let bi = g / p.groups;
  let c0 = (g - bi * p.groups) * CH;
  let slot = lid / SPLIT; // (chunk, channel) = (slot / CH, slot % CH)
  let lane0 = (lid % SPLIT) * ${lanes / split}u;
  let ch = slot % CH;
  let kc = slot / CH;
  let store = c0 + ch < p.c && lane0 == 0u;
  let ci = min(c0 + ch, p.c - 1u); // past the last channel: compute a copy, store nothing
  let t0 = min(kc * p.chunk, p.l);
  let t1 = min(t0 + p.chunk, p.l);
${v.map((k) => `  let a${k} = -exp(aLog[ci * NV + lane0 + ${k}u]) * LOG2E;\n  var h${k} = SV(0.0);`).join('\n')}
  var sum = 0.0;
${chunkStepsWgsl(v.length, unroll, split, false)}
${v.map((k) => `  carry[slot * NV + lane0 + ${k}u] = h${k};`).join('\n')}
  if (lane0 == 0u) { deltaSum[slot] = sum; }
  workgroupBarrier();
  for (var j = lid; j < CH * NV; j += WGN) {
    let cj = j / NV;
    let v = j - cj * NV;
    let cs = min(c0 + cj, p.c - 1u);
    let aj = -exp(aLog[cs * NV + v]) * LOG2E;
    let si = (bi * p.c + cs) * NV + v;
    var hc = state[si];
    for (var k = 0u; k < K; k++) {
      let at = (k * CH + cj) * NV + v;
      let local = carry[at];
      carry[at] = hc;
      hc = exp2(deltaSum[k * CH + cj] * aj) * hc + local;
    }
    if (c0 + cj < p.c) { state[si] = hc; }
  }
  workgroupBarrier();
${v.map((k) => `  h${k} = carry[slot * NV + lane0 + ${k}u];`).join('\n')}
  let dskip = Dv[ci];
${chunkStepsWgsl(v.length, unroll, split, true)}
}
`;
}

/** Fewest steps per chunk worth a chunk of its own: shorter chunks only add combining work. */
const MIN_CHUNK_STEPS = 8;

/**
 * The default chunked shape for length l: fewer chunks where l is short, or where the device's
 * workgroup limits are smaller than the H200's.
 */
export function chunkedScanConfigFor(gpu: WebGpuDevice, n: number, l: number): ChunkedScanConfig {
  const { channels, unroll } = CHUNKED_SCAN_DEFAULT;
  let { chunks, split } = CHUNKED_SCAN_DEFAULT;
  const lanes = n % 4 === 0 ? n / 4 : n;
  // The state split needs subgroup shuffles among `split` neighbours, and must divide the lanes.
  while (split > 1 && (!gpu.device.features.has('subgroups') || lanes % split !== 0 || split > gpu.subgroupMinSize))
    split /= 2;
  const lim = gpu.device.limits;
  const fits = (k: number): boolean =>
    split * channels * k <= lim.maxComputeInvocationsPerWorkgroup &&
    split * channels * k <= lim.maxComputeWorkgroupSizeX &&
    channels * k * (n + 1) * 4 <= lim.maxComputeWorkgroupStorageSize;
  while (chunks > 1 && (!fits(chunks) || l < chunks * MIN_CHUNK_STEPS)) chunks = Math.floor(chunks / 2);
  return { channels, chunks, unroll, split };
}

/** Tensors of one WebGPU scan; `state` holds h0 on entry (zeros for none) and hLast after. */
export interface ScanBuffers {
  u: GpuTensor;
  delta: GpuTensor;
  aLog: GpuTensor;
  B: GpuTensor;
  C: GpuTensor;
  D: GpuTensor;
  y: GpuTensor;
  state: GpuTensor;
}

/** Checks the scan's shapes against each other; returns its dimensions. */
export function scanDims(t: Omit<ScanBuffers, 'y' | 'state'>): ScanDims {
  if (t.u.shape.length !== 3) throw new RangeError(`selectiveScan: u must be [b, l, c], got ${shapeText(t.u.shape)}`);
  const [b, l, c] = t.u.shape;
  const n = t.aLog.shape[1];
  const expect = (what: string, got: readonly number[], want: number[]): void => {
    if (got.length !== want.length || got.some((s, i) => s !== want[i]))
      throw new RangeError(`selectiveScan: ${what} is ${shapeText(got)}, expected ${shapeText(want)}`);
  };
  expect('delta', t.delta.shape, [b, l, c]);
  expect('aLog', t.aLog.shape, [c, n]);
  expect('B', t.B.shape, [b, l, n]);
  expect('C', t.C.shape, [b, l, n]);
  expect('D', t.D.shape, [c]);
  return { b, l, c, n };
}

/**
 * Prepares one scan dispatch without submitting it (the benchmark encodes it many times).
 * `config` picks the chunked kernel's shape; without it the sequential reference runs.
 * `rewrite` edits the generated WGSL: the benchmark's ablations use it to time a kernel with one
 * part taken out.
 */
export function prepareScanWebgpu(
  rt: GpuRuntime,
  t: ScanBuffers,
  config?: ChunkedScanConfig,
  rewrite: (wgsl: string) => string = (w) => w,
): PreparedKernel {
  const { b, l, c, n } = scanDims(t);
  const buffers = [t.u, t.delta, t.aLog, t.B, t.C, t.D, t.y, t.state].map((x) => x.buffer);
  if (!config) {
    return rt.prepare(
      rewrite(sequentialScanWgsl(n)),
      buffers,
      packUniforms(SCAN_PARAMS, { b, l, c, chunk: l, groups: c }),
      Math.ceil((b * c) / SEQUENTIAL_SCAN_WORKGROUP),
    );
  }
  const groups = Math.ceil(c / config.channels);
  const chunk = Math.max(1, Math.ceil(l / config.chunks));
  return rt.prepare(
    rewrite(chunkedScanWgsl(n, config)),
    buffers,
    packUniforms(SCAN_PARAMS, { b, l, c, chunk, groups }),
    b * groups,
  );
}

/** WebGPU twin of both variants: returns y and hLast as new tensors. */
export function selectiveScanWebgpu(
  rt: GpuRuntime,
  inputs: Omit<ScanBuffers, 'y' | 'state'> & { h0?: GpuTensor },
  variant: 'sequential' | 'chunked',
): { y: GpuTensor; hLast: GpuTensor } {
  const { b, l, c, n } = scanDims(inputs);
  const state = rt.alloc([b, c, n]); // WebGPU zero-fills new buffers: h0 = 0 unless given
  if (inputs.h0) {
    if (
      inputs.h0.shape.length !== 3 ||
      inputs.h0.shape[0] !== b ||
      inputs.h0.shape[1] !== c ||
      inputs.h0.shape[2] !== n
    ) {
      throw new RangeError(`selectiveScan: h0 is ${shapeText(inputs.h0.shape)}, expected ${shapeText([b, c, n])}`);
    }
    rt.copy(inputs.h0, state);
  }
  const y = rt.alloc([b, l, c]);
  if (b * c === 0) return { y, hLast: state };
  const config = variant === 'chunked' ? chunkedScanConfigFor(rt.gpu, n, l) : undefined;
  rt.submit(prepareScanWebgpu(rt, { ...inputs, y, state }, config));
  return { y, hLast: state };
}
