// The selective scan for training, and its backward as a reverse scan that recomputes states
// chunk by chunk (as the Mamba paper's hardware-aware kernel does) instead of storing all l*n
// states per channel. Per batch row, channel c, state s, with A = -exp(aLog):
//   a_t = exp(delta_t * A[c,s]),   h_t = a_t * h_{t-1} + delta_t * B_t[s] * u_t,   h_{-1} = 0
//   y_t = sum_s C_t[s] * h_t + D[c] * u_t
// Shapes: u, delta, y [b, l, c]; B, C [b, l, n]; aLog [c, n]; D [c]. The forward keeps only the
// state entering each chunk of `chunk` steps: [b, ceil(l/chunk), c, n]. The backward walks the
// chunks last to first, recomputes that chunk's states (and a_t) from the kept one, then runs the
// adjoint recurrence g_t = dh_t + C_t * dy_t,  dh_{t-1} = g_t * a_t, collecting
//   ddelta += sum_s g*(A*a*h_{t-1} + B*u),  du += D*dy + sum_s g*delta*B,  dB += sum_c g*delta*u,
//   dC += sum_c dy*h_t,  dA_log += g*delta*A*a*h_{t-1},  dD += dy*u.
// Memory beyond the inputs: b*ceil(l/chunk)*c*n kept states plus 2*chunk*c*n scratch.
import type { FloatArray } from './params';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

export const SCAN_CHUNK = 64;

export interface ScanShape { b: number; l: number; c: number; n: number; chunk: number }

export function chunkCount(l: number, chunk: number): number {
  return Math.ceil(l / chunk);
}

export interface ScanTensors<A extends FloatArray> { u: A; delta: A; aLog: A; B: A; C: A; D: A }
export interface ScanGrads<A extends FloatArray> { du: A; ddelta: A; daLog: A; dB: A; dC: A; dD: A }

/** Reusable buffers for one shape: A = -exp(aLog), the running state and the chunk recompute. */
export class ScanWorkspace<A extends FloatArray> {
  readonly negA: A;
  readonly h: A;
  readonly dh: A;
  readonly hs: A; // [chunk, c, n] recomputed states of one chunk
  readonly as: A; // [chunk, c, n] their decay factors a_t
  readonly dBt: A; // [n]
  readonly dCt: A; // [n]

  constructor(readonly shape: ScanShape, make: (size: number) => A) {
    const { c, n, chunk } = shape;
    if (!(chunk >= 1)) throw new Error(`scan chunk must be >= 1, got ${chunk}`);
    this.negA = make(c * n); this.h = make(c * n); this.dh = make(c * n);
    this.hs = make(chunk * c * n); this.as = make(chunk * c * n);
    this.dBt = make(n); this.dCt = make(n);
  }
}

function computeNegA<A extends FloatArray>(aLog: A, ws: ScanWorkspace<A>): void {
  for (let i = 0; i < ws.negA.length; i++) ws.negA[i] = -Math.exp(aLog[i]);
}

/** y = scan(...); keeps the state entering each chunk in `chunkStates` [b, chunks, c, n]. */
export function selectiveScanForward<A extends FloatArray>(x: ScanTensors<A>, ws: ScanWorkspace<A>, y: A, chunkStates: A): void {
  const { b, l, c, n, chunk } = ws.shape;
  const { u, delta, B, C, D } = x;
  computeNegA(x.aLog, ws);
  const negA = ws.negA, h = ws.h, cn = c * n, chunks = chunkCount(l, chunk);
  for (let bi = 0; bi < b; bi++) {
    h.fill(0);
    for (let t = 0; t < l; t++) {
      if (t % chunk === 0) chunkStates.set(h, (bi * chunks + t / chunk) * cn);
      const row = bi * l + t, ro = row * c, bo = row * n;
      for (let ch = 0; ch < c; ch++) {
        const dl = delta[ro + ch], uu = u[ro + ch], du = dl * uu, ho = ch * n;
        let acc = D[ch] * uu;
        for (let s = 0; s < n; s++) {
          const hv = Math.exp(dl * negA[ho + s]) * h[ho + s] + du * B[bo + s];
          h[ho + s] = hv;
          acc += C[bo + s] * hv;
        }
        y[ro + ch] = acc;
      }
    }
  }
}

/** Gradients of sum(dy * y) with respect to every input, accumulated into `g`. */
export function selectiveScanBackward<A extends FloatArray>(x: ScanTensors<A>, dy: A, chunkStates: A, ws: ScanWorkspace<A>, g: ScanGrads<A>): void {
  const { b, l, c, n, chunk } = ws.shape;
  const { u, delta, B, C, D } = x;
  computeNegA(x.aLog, ws);
  const { negA, dh, hs, as, dBt, dCt } = ws;
  const cn = c * n, chunks = chunkCount(l, chunk);
  for (let bi = 0; bi < b; bi++) {
    dh.fill(0);
    for (let k = chunks - 1; k >= 0; k--) {
      const t0 = k * chunk, len = Math.min(l, t0 + chunk) - t0, start = (bi * chunks + k) * cn;
      // Recompute this chunk's states from the one kept at its start.
      for (let tau = 0; tau < len; tau++) {
        const row = bi * l + t0 + tau, ro = row * c, bo = row * n, so = tau * cn;
        const prev = tau === 0 ? chunkStates : hs, po = tau === 0 ? start : so - cn;
        for (let ch = 0; ch < c; ch++) {
          const dl = delta[ro + ch], du = dl * u[ro + ch], ho = ch * n;
          for (let s = 0; s < n; s++) {
            const a = Math.exp(dl * negA[ho + s]);
            as[so + ho + s] = a;
            hs[so + ho + s] = a * prev[po + ho + s] + du * B[bo + s];
          }
        }
      }
      // Reverse through the chunk.
      for (let tau = len - 1; tau >= 0; tau--) {
        const row = bi * l + t0 + tau, ro = row * c, bo = row * n, so = tau * cn;
        const prev = tau === 0 ? chunkStates : hs, po = tau === 0 ? start : so - cn;
        dBt.fill(0); dCt.fill(0);
        for (let ch = 0; ch < c; ch++) {
          const dyv = dy[ro + ch], dl = delta[ro + ch], uu = u[ro + ch], ho = ch * n;
          let dDelta = 0, dU = D[ch] * dyv;
          g.dD[ch] += dyv * uu;
          for (let s = 0; s < n; s++) {
            const i = ho + s, a = as[so + i], hPrev = prev[po + i], bs = B[bo + s];
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
        for (let s = 0; s < n; s++) { g.dB[bo + s] += dBt[s]; g.dC[bo + s] += dCt[s]; }
      }
    }
  }
}

// ---- WebGPU twin: one invocation per (batch row, channel) keeps its n states in registers. It
// runs the forward once to keep each chunk's entering state, then walks the chunks last to first,
// recomputing the chunk's states into its own scratch and running the adjoint recurrence.
// Quantities summed over channels (dB, dC) or batch rows (dA_log, dD) are written per invocation
// and reduced by two small kernels (WGSL has no float atomics).
// Buffers: dUDelta [2, b, l, c] (du then ddelta, overwritten); dBC [2, b, l, n, c] (partials);
// work = [n+1, b, c] (dA_log, dD partials) ++ [chunks, n, b, c] (kept states) ++ [chunk, n, b, c].
// The invocation index (b, c) is the fastest in every scratch layout, so neighbouring
// invocations touch neighbouring words (coalesced on a GPU).
const SCAN_PARAMS = { b: 'u32', l: 'u32', c: 'u32', chunk: 'u32', chunks: 'u32' } as const;

function scanBackwardWgsl(n: number): string {
  return `${GRID_WGSL}
const N: u32 = ${n}u;
@group(0) @binding(0) var<storage, read> u: array<f32>;
@group(0) @binding(1) var<storage, read> delta: array<f32>;
@group(0) @binding(2) var<storage, read> aLog: array<f32>;
@group(0) @binding(3) var<storage, read> Bm: array<f32>;
@group(0) @binding(4) var<storage, read> Cm: array<f32>;
@group(0) @binding(5) var<storage, read> D: array<f32>;
@group(0) @binding(6) var<storage, read> dy: array<f32>;
@group(0) @binding(7) var<storage, read_write> dUDelta: array<f32>;
@group(0) @binding(8) var<storage, read_write> dBC: array<f32>;
@group(0) @binding(9) var<storage, read_write> work: array<f32>;
${uniformDeclaration(SCAN_PARAMS, 10)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let id = flatWorkgroup(wid, nwg) * WG + lid;
  if (id >= p.b * p.c) { return; }
  let bi = id / p.c; let ch = id % p.c;
  let blc = p.b * p.l * p.c;
  let BC = p.b * p.c;
  let statesAt = BC * (N + 1u);
  let hsAt = statesAt + p.chunks * N * BC;
  var A: array<f32, ${n}>; var h: array<f32, ${n}>; var dh: array<f32, ${n}>; var dA: array<f32, ${n}>;
  for (var s = 0u; s < N; s = s + 1u) { A[s] = -exp(aLog[ch * N + s]); h[s] = 0.0; dh[s] = 0.0; dA[s] = 0.0; }
  for (var t = 0u; t < p.l; t = t + 1u) {
    if (t % p.chunk == 0u) {
      let so = statesAt + (t / p.chunk) * N * BC + id;
      for (var s = 0u; s < N; s = s + 1u) { work[so + s * BC] = h[s]; }
    }
    let row = bi * p.l + t; let dl = delta[row * p.c + ch]; let du = dl * u[row * p.c + ch];
    for (var s = 0u; s < N; s = s + 1u) { h[s] = exp(dl * A[s]) * h[s] + du * Bm[row * N + s]; }
  }
  var dDsum = 0.0;
  for (var kk = 0u; kk < p.chunks; kk = kk + 1u) {
    let k = p.chunks - 1u - kk;
    let t0 = k * p.chunk; let len = min(p.l, t0 + p.chunk) - t0;
    let so = statesAt + k * N * BC + id;
    for (var s = 0u; s < N; s = s + 1u) { h[s] = work[so + s * BC]; }
    for (var tau = 0u; tau < len; tau = tau + 1u) {
      let row = bi * p.l + t0 + tau; let dl = delta[row * p.c + ch]; let du = dl * u[row * p.c + ch];
      for (var s = 0u; s < N; s = s + 1u) { h[s] = exp(dl * A[s]) * h[s] + du * Bm[row * N + s]; work[hsAt + (tau * N + s) * BC + id] = h[s]; }
    }
    for (var tt = 0u; tt < len; tt = tt + 1u) {
      let tau = len - 1u - tt;
      let row = bi * p.l + t0 + tau; let rc = row * p.c + ch;
      let dyv = dy[rc]; let dl = delta[rc]; let uu = u[rc];
      var dDelta = 0.0; var dU = D[ch] * dyv;
      dDsum = dDsum + dyv * uu;
      for (var s = 0u; s < N; s = s + 1u) {
        let a = exp(dl * A[s]);
        let hPrev = select(work[hsAt + ((tau - 1u) * N + s) * BC + id], work[so + s * BC], tau == 0u);
        let hNow = work[hsAt + (tau * N + s) * BC + id];
        let bs = Bm[row * N + s];
        let gs = dh[s] + Cm[row * N + s] * dyv;
        let decay = A[s] * a * hPrev;
        dDelta = dDelta + gs * (decay + bs * uu);
        dA[s] = dA[s] + gs * dl * decay;
        dU = dU + gs * dl * bs;
        dBC[(row * N + s) * p.c + ch] = gs * dl * uu;
        dBC[blc * N + (row * N + s) * p.c + ch] = dyv * hNow;
        dh[s] = gs * a;
      }
      dUDelta[rc] = dU;
      dUDelta[blc + rc] = dDelta;
    }
  }
  for (var s = 0u; s < N; s = s + 1u) { work[s * BC + id] = dA[s]; }
  work[N * BC + id] = dDsum;
}
`;
}

const REDUCE_BC_WGSL = (n: number) => `${GRID_WGSL}
const N: u32 = ${n}u;
@group(0) @binding(0) var<storage, read> dBC: array<f32>;
@group(0) @binding(1) var<storage, read_write> dB: array<f32>;
@group(0) @binding(2) var<storage, read_write> dC: array<f32>;
${uniformDeclaration(SCAN_PARAMS, 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  let bl = p.b * p.l;
  if (i >= 2u * bl * N) { return; }
  let which = i / (bl * N); let rest = i % (bl * N); let row = rest / N; let s = rest % N;
  var sum = 0.0;
  let base = which * bl * p.c * N + (row * N + s) * p.c;
  for (var ch = 0u; ch < p.c; ch = ch + 1u) { sum = sum + dBC[base + ch]; }
  if (which == 0u) { dB[rest] = dB[rest] + sum; } else { dC[rest] = dC[rest] + sum; }
}
`;

const REDUCE_AD_WGSL = (n: number) => `${GRID_WGSL}
const N: u32 = ${n}u;
@group(0) @binding(0) var<storage, read> work: array<f32>;
@group(0) @binding(1) var<storage, read_write> daLog: array<f32>;
@group(0) @binding(2) var<storage, read_write> dD: array<f32>;
${uniformDeclaration(SCAN_PARAMS, 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.c * (N + 1u)) { return; }
  let ch = i / (N + 1u); let s = i % (N + 1u);
  var sum = 0.0;
  for (var bi = 0u; bi < p.b; bi = bi + 1u) { sum = sum + work[s * p.b * p.c + bi * p.c + ch]; }
  if (s == N) { dD[ch] = dD[ch] + sum; } else { daLog[ch * N + s] = daLog[ch * N + s] + sum; }
}
`;

export interface ScanBackwardBuffers { dUDelta: GPUBuffer; dBC: GPUBuffer; work: GPUBuffer }

/** Sizes (in f32 elements) of the three buffers scanBackwardWebgpu writes. */
export function scanBackwardBufferSizes(s: ScanShape): { dUDelta: number; dBC: number; work: number } {
  const { b, l, c, n, chunk } = s;
  return { dUDelta: 2 * b * l * c, dBC: 2 * b * l * c * n, work: b * c * (n + 1) + b * chunkCount(l, chunk) * c * n + b * c * chunk * n };
}

/**
 * Backward of the scan on WebGPU. Writes du (first b*l*c of dUDelta) and ddelta (the rest), and
 * adds into dB, dC [b, l, n], daLog [c, n] and dD [c]. The scan's A = -exp(aLog) is applied
 * inside: daLog here is d/d(aLog) like the CPU twin's.
 */
export function selectiveScanBackwardWebgpu(rt: GpuRuntime, shape: ScanShape, x: { u: GPUBuffer; delta: GPUBuffer; aLog: GPUBuffer; B: GPUBuffer; C: GPUBuffer; D: GPUBuffer },
  dy: GPUBuffer, out: ScanBackwardBuffers, g: { dB: GPUBuffer; dC: GPUBuffer; daLog: GPUBuffer; dD: GPUBuffer }): void {
  const { b, l, c, n, chunk } = shape;
  const u = packUniforms(SCAN_PARAMS, { b, l, c, chunk, chunks: chunkCount(l, chunk) });
  rt.run(scanBackwardWgsl(n), [x.u, x.delta, x.aLog, x.B, x.C, x.D, dy, out.dUDelta, out.dBC, out.work], u, workgroupsFor(b * c));
  rt.run(REDUCE_BC_WGSL(n), [out.dBC, g.dB, g.dC], u, workgroupsFor(2 * b * l * n));
  rt.run(REDUCE_AD_WGSL(n), [out.work, g.daLog, g.dD], u, workgroupsFor(c * (n + 1)));
}
