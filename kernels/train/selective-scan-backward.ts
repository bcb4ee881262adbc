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
