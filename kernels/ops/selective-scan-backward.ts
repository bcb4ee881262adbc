// Backward of the selective scan (selective-scan.ts) as a reverse scan that recomputes states
// chunk by chunk (as the Mamba paper's hardware-aware kernel does) instead of storing all l*n
// states per channel. Per batch row, channel c, state s, with A = -exp(aLog):
//   a_t = exp(delta_t * A[c,s]),   h_t = a_t * h_{t-1} + delta_t * B_t[s] * u_t,   h_{-1} = 0
//   y_t = sum_s C_t[s] * h_t + D[c] * u_t
// Shapes: u, delta, y [b, l, c]; B, C [b, l, n]; aLog [c, n]; D [c]. The forward keeps only the
// state entering each chunk of `chunk` steps (selectiveScanSequentialCpu's KeptChunkStates):
// [b, ceil(l/chunk), c, n]. The backward walks the chunks last to first, recomputes that chunk's
// states (and a_t) from the kept one, then runs the adjoint recurrence g_t = dh_t + C_t * dy_t,
// dh_{t-1} = g_t * a_t, collecting
//   ddelta += sum_s g*(A*a*h_{t-1} + B*u),  du += D*dy + sum_s g*delta*B,  dB += sum_c g*delta*u,
//   dC += sum_c dy*h_t,  dA_log += g*delta*A*a*h_{t-1},  dD += dy*u.
// Memory beyond the inputs: b*ceil(l/chunk)*c*n kept states plus 2*chunk*c*n scratch.
import type { FloatArray } from '../backend';
import { chunkCount, type ScanArrays } from './selective-scan';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

export interface ScanShape {
  b: number;
  l: number;
  c: number;
  n: number;
  chunk: number;
}

export interface ScanGrads<A extends FloatArray> {
  du: A;
  ddelta: A;
  daLog: A;
  dB: A;
  dC: A;
  dD: A;
}

/** Reusable buffers for one shape: A = -exp(aLog), the adjoint state and the chunk recompute. */
export class ScanWorkspace<A extends FloatArray> {
  readonly negA: A;
  readonly dh: A;
  readonly hs: A; // [chunk, c, n] recomputed states of one chunk
  readonly as: A; // [chunk, c, n] their decay factors a_t
  readonly dBt: A; // [n]
  readonly dCt: A; // [n]

  constructor(
    readonly shape: ScanShape,
    make: (size: number) => A,
  ) {
    const { c, n, chunk } = shape;
    if (!(chunk >= 1)) throw new Error(`scan chunk must be >= 1, got ${chunk}`);
    this.negA = make(c * n);
    this.dh = make(c * n);
    this.hs = make(chunk * c * n);
    this.as = make(chunk * c * n);
    this.dBt = make(n);
    this.dCt = make(n);
  }
}

/** Gradients of sum(dy * y) with respect to every input, accumulated into `g`. */
export function selectiveScanBackwardCpu<A extends FloatArray>(
  x: ScanArrays,
  dy: FloatArray,
  chunkStates: FloatArray,
  ws: ScanWorkspace<A>,
  g: ScanGrads<A>,
): void {
  const { b, l, c, n, chunk } = ws.shape;
  const { u, delta, B, C, D } = x;
  const { negA, dh, hs, as, dBt, dCt } = ws;
  for (let i = 0; i < negA.length; i++) negA[i] = -Math.exp(x.aLog[i]);
  const cn = c * n,
    chunks = chunkCount(l, chunk);
  for (let bi = 0; bi < b; bi++) {
    dh.fill(0);
    for (let k = chunks - 1; k >= 0; k--) {
      const t0 = k * chunk,
        len = Math.min(l, t0 + chunk) - t0,
        start = (bi * chunks + k) * cn;
      // Recompute this chunk's states from the one kept at its start.
      for (let tau = 0; tau < len; tau++) {
        const row = bi * l + t0 + tau,
          ro = row * c,
          bo = row * n,
          so = tau * cn;
        const prev = tau === 0 ? chunkStates : hs,
          po = tau === 0 ? start : so - cn;
        for (let ch = 0; ch < c; ch++) {
          const dl = delta[ro + ch],
            du = dl * u[ro + ch],
            ho = ch * n;
          for (let s = 0; s < n; s++) {
            const a = Math.exp(dl * negA[ho + s]);
            as[so + ho + s] = a;
            hs[so + ho + s] = a * prev[po + ho + s] + du * B[bo + s];
          }
        }
      }
      // Reverse through the chunk.
      for (let tau = len - 1; tau >= 0; tau--) {
        const row = bi * l + t0 + tau,
          ro = row * c,
          bo = row * n,
          so = tau * cn;
        const prev = tau === 0 ? chunkStates : hs,
          po = tau === 0 ? start : so - cn;
        dBt.fill(0);
        dCt.fill(0);
        for (let ch = 0; ch < c; ch++) {
          const dyv = dy[ro + ch],
            dl = delta[ro + ch],
            uu = u[ro + ch],
            ho = ch * n;
          let dDelta = 0,
            dU = D[ch] * dyv;
          g.dD[ch] += dyv * uu;
          for (let s = 0; s < n; s++) {
            const i = ho + s,
              a = as[so + i],
              hPrev = prev[po + i],
              bs = B[bo + s];
            dCt[s] += dyv * hs[so + i];
            const gs = dh[i] + C[bo + s] * dyv;
            const decay = negA[i] * a * hPrev;
            dDelta += gs * (decay + bs * uu);
            g.daLog[i] += gs * dl * decay;
            dBt[s] += gs * dl * uu;
            dU += gs * dl * bs;
            dh[i] = gs * a;
          }
          g.ddelta[ro + ch] += dDelta;
          g.du[ro + ch] += dU;
        }
        for (let s = 0; s < n; s++) {
          g.dB[bo + s] += dBt[s];
          g.dC[bo + s] += dCt[s];
        }
      }
    }
  }
}

// ---- WebGPU twin: parallel over time as well as over (batch row, channel), as in the Mamba
// paper's backward kernel. A workgroup takes `channels` channels of one batch row and walks l in
// chunks of slots*items steps; invocation (channel, slot) holds `items` consecutive steps in
// registers (by default 4 channels, 32 slots, 8 steps). The states are the outer loop: for each
// state s the recurrence h_t = a_t h_{t-1} + x_t is an affine map per step, so each slot composes
// its items into one map (product of a, state from zero), a workgroup scan over the slots gives
// every slot its entering state, and the slot recomputes its items' states from it. The adjoint dh_{t-1} = a_t (dh_t + C_t dy_t) is the same
// kind of map run backwards, so a reverse scan gives every slot the adjoint entering from later
// steps. Chunks are chained by the state entering each chunk (a first sweep, forward, keeps them:
// b*c*chunks*n floats) and the adjoint leaving each chunk (carried in registers by the reverse
// sweep). Nothing of size l*n per channel is stored.
// Sums over channels (dB, dC) are reduced over the workgroup's channels in workgroup memory and
// written per channel group; sums over batch rows and time (dA_log, dD) per (batch row, channel);
// two small kernels finish both (WGSL has no float atomics).
// Buffers: du, ddelta [b, l, c] (overwritten); dBC [2, groups, b, l, n] (partials);
// work = [n+1, b, c] (dA_log, dD partials) ++ [b, c, chunks, n] (states entering each chunk).

/** Channels per workgroup, slots per channel (a power of two), consecutive steps per slot. */
export interface ScanBackwardTiling {
  channels: number;
  slots: number;
  items: number;
}
/**
 * 128 invocations and 9 KiB of workgroup memory: inside WebGPU's default limits, so any device runs
 * it. The fastest of seven tilings swept on the H200 (bench/TRAINING.md): 21-22% less scan-backward
 * time than 4 channels x 64 slots x 4 items at three training shapes.
 */
export const SCAN_BACKWARD_TILING: ScanBackwardTiling = { channels: 4, slots: 32, items: 8 };

const BWD_PARAMS = { b: 'u32', l: 'u32', c: 'u32', groups: 'u32', chunks: 'u32' } as const;

// One scratch buffer holds the dBC partials [2, groups, b, l, n], then work, then copies of aLog
// and D, so the kernel binds 8 storage buffers: WebGPU's default limit, all that browsers promise
// (Chromium's adapters, the engine webview's included, offer 10 at most).
const WORK_AT_WGSL = 'fn workAt() -> u32 { return 2u * p.groups * p.b * p.l * N; }';
const PARAMS_AT_WGSL = 'fn paramsAt() -> u32 { return workAt() + (N + 1u) * p.b * p.c + p.b * p.c * p.chunks * N; }';

function scanBackwardWgsl(n: number, t: ScanBackwardTiling): string {
  return `const N: u32 = ${n}u;
const G: u32 = ${t.channels}u;
const S: u32 = ${t.slots}u;
const I: u32 = ${t.items}u;
const WGS: u32 = G * S;
const T: u32 = S * I;
@group(0) @binding(0) var<storage, read> u: array<f32>;
@group(0) @binding(1) var<storage, read> delta: array<f32>;
@group(0) @binding(2) var<storage, read> Bm: array<f32>;
@group(0) @binding(3) var<storage, read> Cm: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> du: array<f32>;
@group(0) @binding(6) var<storage, read_write> ddelta: array<f32>;
@group(0) @binding(7) var<storage, read_write> scratch: array<f32>;
${uniformDeclaration(BWD_PARAMS, 8)}
${WORK_AT_WGSL}
${PARAMS_AT_WGSL}
var<workgroup> sP: array<f32, WGS>;
var<workgroup> sH: array<f32, WGS>;
var<workgroup> exB: array<f32, WGS * I>;
var<workgroup> exC: array<f32, WGS * I>;

// Inclusive scan of affine maps (p, h) over positions 0..S-1 of channel g: position j ends with
// the composition of maps 0..j (earlier first: (p1, h1) then (p2, h2) is (p1 p2, p2 h1 + h2)).
// Afterwards sP/sH hold every position's inclusive map until the next call.
fn scanMaps(g: u32, pos: u32, p0: f32, h0: f32) {
  var p = p0; var h = h0;
  let at = g * S + pos;
  workgroupBarrier(); // everyone has read the previous scan's results
  sP[at] = p; sH[at] = h;
  workgroupBarrier();
  for (var off = 1u; off < S; off = off << 1u) {
    var pe = 1.0; var he = 0.0;
    if (pos >= off) { pe = sP[at - off]; he = sH[at - off]; }
    workgroupBarrier();
    h = p * he + h; p = pe * p;
    sP[at] = p; sH[at] = h;
    workgroupBarrier();
  }
}
/** The composition of positions before pos (identity for pos 0). */
fn mapsBefore(g: u32, pos: u32) -> vec2<f32> {
  if (pos == 0u) { return vec2<f32>(1.0, 0.0); }
  return vec2<f32>(sP[g * S + pos - 1u], sH[g * S + pos - 1u]);
}
fn mapsAll(g: u32) -> vec2<f32> { return vec2<f32>(sP[g * S + S - 1u], sH[g * S + S - 1u]); }

@compute @workgroup_size(WGS)
fn main(${MAIN_ARGS}) {
  let wg = wid.x + wid.y * nwg.x;
  if (wg >= p.b * p.groups) { return; }
  let bi = wg / p.groups; let grp = wg % p.groups;
  let g = lid % G; let slot = lid / G;
  let ch = grp * G + g; let live = ch < p.c; let chc = min(ch, p.c - 1u);
  let BC = p.b * p.c;
  let starts = (N + 1u) * BC + (bi * p.c + chc) * p.chunks * N;
  var A: array<f32, ${n}>;
  var h: array<f32, ${n}>;
  for (var s = 0u; s < N; s++) { A[s] = -exp(scratch[paramsAt() + chc * N + s]); h[s] = 0.0; }
  var dl: array<f32, ${t.items}>; var uu: array<f32, ${t.items}>; var dyv: array<f32, ${t.items}>;
  var a: array<f32, ${t.items}>; var bs: array<f32, ${t.items}>; var cs: array<f32, ${t.items}>;
  var hp: array<f32, ${t.items}>; var hv: array<f32, ${t.items}>; var dU: array<f32, ${t.items}>; var dDl: array<f32, ${t.items}>;

  // Sweep 1, forward: the state entering each chunk. Steps past l (and channels past c) are identity maps.
  for (var k = 0u; k < p.chunks; k++) {
    if (slot == 0u && live) { for (var s = 0u; s < N; s++) { scratch[workAt() + starts + k * N + s] = h[s]; } }
    if (k + 1u == p.chunks) { break; }
    for (var i = 0u; i < I; i++) {
      let t = k * T + slot * I + i; let ok = live && t < p.l;
      let rc = (bi * p.l + min(t, p.l - 1u)) * p.c + chc;
      dl[i] = select(0.0, delta[rc], ok); uu[i] = select(0.0, u[rc], ok);
    }
    for (var s = 0u; s < N; s++) {
      var pp = 1.0; var hz = 0.0;
      for (var i = 0u; i < I; i++) {
        let t = min(k * T + slot * I + i, p.l - 1u);
        let ai = exp(dl[i] * A[s]);
        hz = ai * hz + dl[i] * uu[i] * Bm[(bi * p.l + t) * N + s]; pp = pp * ai;
      }
      scanMaps(g, slot, pp, hz);
      let whole = mapsAll(g);
      h[s] = whole.x * h[s] + whole.y;
    }
  }
  storageBarrier();

  // Sweep 2, backward: chunks last to first, the adjoint entering from later chunks in h.
  for (var s = 0u; s < N; s++) { h[s] = 0.0; }
  var dA: array<f32, ${n}>;
  for (var s = 0u; s < N; s++) { dA[s] = 0.0; }
  var dDsum = 0.0;
  let Dc = scratch[paramsAt() + p.c * N + chc];
  for (var kk = 0u; kk < p.chunks; kk++) {
    let k = p.chunks - 1u - kk;
    for (var i = 0u; i < I; i++) {
      let t = k * T + slot * I + i; let ok = live && t < p.l;
      let rc = (bi * p.l + min(t, p.l - 1u)) * p.c + chc;
      dl[i] = select(0.0, delta[rc], ok); uu[i] = select(0.0, u[rc], ok); dyv[i] = select(0.0, dy[rc], ok);
      dU[i] = Dc * dyv[i]; dDl[i] = 0.0; dDsum += dyv[i] * uu[i];
    }
    for (var s = 0u; s < N; s++) {
      let As = A[s];
      var pp = 1.0; var hz = 0.0;
      for (var i = 0u; i < I; i++) {
        let t = k * T + slot * I + i; let ok = t < p.l;
        let bn = (bi * p.l + min(t, p.l - 1u)) * N + s;
        a[i] = exp(dl[i] * As); bs[i] = select(0.0, Bm[bn], ok); cs[i] = select(0.0, Cm[bn], ok);
        hz = a[i] * hz + dl[i] * bs[i] * uu[i]; pp = pp * a[i];
      }
      scanMaps(g, slot, pp, hz);
      let before = mapsBefore(g, slot);
      var hh = before.x * scratch[workAt() + starts + k * N + s] + before.y;
      var gz = 0.0;
      for (var i = 0u; i < I; i++) { hp[i] = hh; hh = a[i] * hh + dl[i] * bs[i] * uu[i]; hv[i] = hh; }
      for (var j = 0u; j < I; j++) { let i = I - 1u - j; gz = a[i] * (gz + cs[i] * dyv[i]); }
      let rpos = S - 1u - slot;
      scanMaps(g, rpos, pp, gz);
      let later = mapsBefore(g, rpos);
      var carry = later.x * h[s] + later.y;
      for (var j = 0u; j < I; j++) {
        let i = I - 1u - j;
        let gs = carry + cs[i] * dyv[i];
        let decay = As * a[i] * hp[i];
        dDl[i] += gs * (decay + bs[i] * uu[i]);
        dA[s] += gs * dl[i] * decay;
        dU[i] += gs * dl[i] * bs[i];
        exB[lid * I + i] = gs * dl[i] * uu[i];
        exC[lid * I + i] = dyv[i] * hv[i];
        carry = a[i] * gs;
      }
      let whole = mapsAll(g);
      h[s] = whole.x * h[s] + whole.y;
      workgroupBarrier();
      // Sum the channel group's dB, dC contributions per step: entry (slot, i) of channel g sits at (slot*G + g)*I + i.
      for (var e = lid; e < T; e += WGS) {
        let t = k * T + e;
        let sl = e / I; let i = e % I;
        var sb = 0.0; var sc = 0.0;
        for (var q = 0u; q < G; q++) { sb += exB[(sl * G + q) * I + i]; sc += exC[(sl * G + q) * I + i]; }
        if (t < p.l) {
          let o = ((grp * p.b + bi) * p.l + t) * N + s;
          scratch[o] = sb;
          scratch[p.groups * p.b * p.l * N + o] = sc;
        }
      }
    }
    for (var i = 0u; i < I; i++) {
      let t = k * T + slot * I + i;
      if (live && t < p.l) { let rc = (bi * p.l + t) * p.c + ch; du[rc] = dU[i]; ddelta[rc] = dDl[i]; }
    }
  }
  // dA_log (s < N) and dD (s = N) of this (batch row, channel): the sum over slots.
  for (var s = 0u; s <= N; s++) {
    workgroupBarrier();
    exB[lid] = select(dDsum, dA[min(s, N - 1u)], s < N);
    workgroupBarrier();
    if (slot == 0u && live) {
      var sum = 0.0;
      for (var q = 0u; q < S; q++) { sum += exB[q * G + g]; }
      scratch[workAt() + s * BC + bi * p.c + ch] = sum;
    }
  }
}
`;
}

const REDUCE_PARAMS = { b: 'u32', l: 'u32', c: 'u32', groups: 'u32' } as const;

const REDUCE_BC_WGSL = (n: number) => `${GRID_WGSL}
const N: u32 = ${n}u;
@group(0) @binding(0) var<storage, read> dBC: array<f32>; // the scratch buffer: dBC partials come first
@group(0) @binding(1) var<storage, read_write> dB: array<f32>;
@group(0) @binding(2) var<storage, read_write> dC: array<f32>;
${uniformDeclaration(REDUCE_PARAMS, 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  let bln = p.b * p.l * N;
  if (i >= 2u * bln) { return; }
  let which = i / bln; let rest = i % bln;
  var sum = 0.0;
  for (var q = 0u; q < p.groups; q++) { sum += dBC[(which * p.groups + q) * bln + rest]; }
  if (which == 0u) { dB[rest] = dB[rest] + sum; } else { dC[rest] = dC[rest] + sum; }
}
`;

const REDUCE_AD_WGSL = (n: number) => `${GRID_WGSL}
const N: u32 = ${n}u;
@group(0) @binding(0) var<storage, read> scratch: array<f32>;
@group(0) @binding(1) var<storage, read_write> daLog: array<f32>;
@group(0) @binding(2) var<storage, read_write> dD: array<f32>;
${uniformDeclaration(REDUCE_PARAMS, 3)}
${WORK_AT_WGSL}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.c * (N + 1u)) { return; }
  let ch = i / (N + 1u); let s = i % (N + 1u);
  var sum = 0.0;
  for (var bi = 0u; bi < p.b; bi++) { sum += scratch[workAt() + s * p.b * p.c + bi * p.c + ch]; }
  if (s == N) { dD[ch] = dD[ch] + sum; } else { daLog[ch * N + s] = daLog[ch * N + s] + sum; }
}
`;

/** Bytes of workgroup memory the kernel declares: the scan's two arrays and the two exchange arrays. */
function workgroupBytes(t: ScanBackwardTiling): number {
  return 4 * (2 * t.channels * t.slots + 2 * t.channels * t.slots * t.items);
}

function checkTiling(t: ScanBackwardTiling, limits: GPUSupportedLimits): void {
  const pow2 = (x: number) => Number.isInteger(x) && x >= 1 && (x & (x - 1)) === 0;
  if (
    !pow2(t.slots) ||
    !(t.channels >= 1) ||
    !(t.items >= 1) ||
    !Number.isInteger(t.channels) ||
    !Number.isInteger(t.items)
  ) {
    throw new RangeError(
      `scan backward tiling needs whole channels and items and a power-of-two slot count, got ${JSON.stringify(t)}`,
    );
  }
  const invocations = t.channels * t.slots,
    bytes = workgroupBytes(t);
  if (
    invocations > Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX) ||
    bytes > limits.maxComputeWorkgroupStorageSize
  ) {
    throw new RangeError(
      `scan backward tiling ${JSON.stringify(t)} needs ${invocations} invocations and ${bytes} bytes of workgroup memory per workgroup; ` +
        `this device allows ${Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX)} and ${limits.maxComputeWorkgroupStorageSize}`,
    );
  }
}

/** f32 elements of the scratch buffer selectiveScanBackwardWebgpu uses: dBC partials, work, aLog and D. */
export function scanBackwardScratchSize(
  s: { b: number; l: number; c: number; n: number },
  t: ScanBackwardTiling = SCAN_BACKWARD_TILING,
): number {
  const { b, l, c, n } = s;
  const groups = Math.ceil(c / t.channels),
    chunks = chunkCount(l, t.slots * t.items);
  return 2 * groups * b * l * n + (n + 1) * b * c + b * c * chunks * n + c * n + c;
}

/**
 * Backward of the scan on WebGPU. Writes du and ddelta [b, l, c], and adds into dB, dC [b, l, n],
 * daLog [c, n] and dD [c]. The scan's A = -exp(aLog) is applied inside: daLog here is
 * d/d(aLog) like the CPU twin's.
 */
export function selectiveScanBackwardWebgpu(
  rt: GpuRuntime,
  shape: { b: number; l: number; c: number; n: number },
  x: { u: GPUBuffer; delta: GPUBuffer; aLog: GPUBuffer; B: GPUBuffer; C: GPUBuffer; D: GPUBuffer },
  dy: GPUBuffer,
  out: { du: GPUBuffer; ddelta: GPUBuffer },
  scratch: GPUBuffer,
  g: { dB: GPUBuffer; dC: GPUBuffer; daLog: GPUBuffer; dD: GPUBuffer },
  tiling: ScanBackwardTiling = SCAN_BACKWARD_TILING,
): void {
  checkTiling(tiling, rt.device.limits);
  const { b, l, c, n } = shape;
  if (b * l * c === 0) return;
  const groups = Math.ceil(c / tiling.channels),
    chunks = chunkCount(l, tiling.slots * tiling.items);
  const paramsAt = 4 * (scanBackwardScratchSize(shape, tiling) - c * n - c);
  rt.copyBytes(x.aLog, 0, scratch, paramsAt, 4 * c * n);
  rt.copyBytes(x.D, 0, scratch, paramsAt + 4 * c * n, 4 * c);
  rt.run(
    scanBackwardWgsl(n, tiling),
    [x.u, x.delta, x.B, x.C, dy, out.du, out.ddelta, scratch],
    packUniforms(BWD_PARAMS, { b, l, c, groups, chunks }),
    b * groups,
  );
  const u = packUniforms(REDUCE_PARAMS, { b, l, c, groups });
  rt.run(REDUCE_BC_WGSL(n), [scratch, g.dB, g.dC], u, workgroupsFor(2 * b * l * n));
  rt.run(REDUCE_AD_WGSL(n), [scratch, g.daLog, g.dD], u, workgroupsFor(c * (n + 1)));
}
