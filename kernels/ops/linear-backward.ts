// Backward of the linear layer y[rows, m] = x[rows, k] @ w[m, k]^T + bias[m] (PyTorch layout;
// an activation fused into the forward has its own backward). Gradients accumulate into dx, dw, db:
//   dx[rows, k] += dy @ w            (as dy @ (w^T)^T)
//   dw[m, k]    += dy^T @ x          (as (dy^T) @ (x^T)^T)
//   db[m]       += sum_rows dy
// `scratch` supplies the transposes so the product is always matmulABt's contiguous form.
import type { FloatArray } from '../backend';
import { columnSumWebgpu } from './column-sum';
import { matmulABt, transpose } from './matmul';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS } from '../webgpu/wgsl-common';

/** Grows on demand; holds the transposed operands of the backward products. */
export class TransposeScratch<A extends FloatArray> {
  private buffers: A[] = [];
  constructor(private readonly make: (n: number) => A) {}
  get(slot: number, size: number): A {
    const cur = this.buffers[slot];
    if (cur && cur.length >= size) return cur.subarray(0, size) as A;
    this.buffers[slot] = this.make(size);
    return this.buffers[slot];
  }
}

/** CPU twin. */
export function linearBackwardCpu<A extends FloatArray>(
  dy: A,
  x: A,
  rows: number,
  k: number,
  w: A,
  m: number,
  dx: A | undefined,
  dw: A,
  db: A | undefined,
  scratch: TransposeScratch<A>,
): void {
  if (dx) {
    const wT = scratch.get(0, m * k);
    transpose(w, m, k, wT);
    matmulABt(dy, rows, m, wT, k, dx, true);
  }
  const dyT = scratch.get(1, rows * m),
    xT = scratch.get(2, rows * k);
  transpose(dy, rows, m, dyT);
  transpose(x, rows, k, xT);
  matmulABt(dyT, m, rows, xT, k, dw, true);
  if (db) {
    for (let i = 0; i < rows; i++) {
      const o = i * m;
      for (let j = 0; j < m; j++) db[j] += dy[o + j];
    }
  }
}

// ---- WebGPU twin ----------------------------------------------------------------------------
// One strided product covers every linear-layer gradient (and the forward if wanted):
//   C[offC + i*N + j] (+)= sum_k A[offA + i*sAi + k*sAk] * B[offB + k*sBk + j*sBj],  i < M, j < N
// dx = dy @ w: A = dy (sAi = m, sAk = 1), B = w (sBk = k, sBj = 1). dw += dy^T @ x: A = dy read
// transposed (sAi = 1, sAk = m), B = x. Offsets select row blocks (in_proj's x and z halves,
// x_proj's dt, B and C). 16x16 output tiles, K in steps of 16 through workgroup memory. A long
// reduction (a weight gradient sums over every position) is split into `splits` slices of K, one
// workgroup per (slice, tile) in the same dispatch, each writing its own partial product.

const MATMUL_TILE = 16;
const MATMUL_PARAMS = {
  M: 'u32',
  N: 'u32',
  K: 'u32',
  offA: 'u32',
  sAi: 'u32',
  sAk: 'u32',
  offB: 'u32',
  sBk: 'u32',
  sBj: 'u32',
  offC: 'u32',
  accumulate: 'u32',
  tilesN: 'u32',
  tiles: 'u32',
  splits: 'u32',
  kPerSplit: 'u32',
} as const;

export const STRIDED_MATMUL_WGSL = `${GRID_WGSL}
const T: u32 = ${MATMUL_TILE}u;
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
${uniformDeclaration(MATMUL_PARAMS, 3)}
var<workgroup> tileA: array<f32, ${MATMUL_TILE * MATMUL_TILE}>;
var<workgroup> tileB: array<f32, ${MATMUL_TILE * MATMUL_TILE}>;
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let wg = flatWorkgroup(wid, nwg);
  if (wg >= p.tiles * p.splits) { return; }
  let tile = wg % p.tiles; let split = wg / p.tiles;
  let kBegin = split * p.kPerSplit; let kEnd = min(p.K, kBegin + p.kPerSplit);
  let ty = lid / T; let tx = lid % T;
  let i = (tile / p.tilesN) * T + ty;
  let j = (tile % p.tilesN) * T + tx;
  var acc = 0.0;
  for (var k0 = kBegin; k0 < kEnd; k0 = k0 + T) {
    let ka = k0 + tx; let kb = k0 + ty;
    tileA[ty * T + tx] = select(0.0, A[p.offA + i * p.sAi + ka * p.sAk], i < p.M && ka < kEnd);
    tileB[ty * T + tx] = select(0.0, B[p.offB + kb * p.sBk + j * p.sBj], j < p.N && kb < kEnd);
    workgroupBarrier();
    for (var q = 0u; q < T; q = q + 1u) { acc = acc + tileA[ty * T + q] * tileB[q * T + tx]; }
    workgroupBarrier();
  }
  if (i < p.M && j < p.N) {
    let o = p.offC + split * p.M * p.N + i * p.N + j;
    if (p.accumulate == 1u) { C[o] = C[o] + acc; } else { C[o] = acc; }
  }
}
`;

export interface StridedOperand {
  buffer: GPUBuffer;
  offset: number;
  strideRow: number;
  strideK: number;
}

/** Workgroups a split product aims for (an H200 holds about 1000 of 256 invocations at once). */
const SPLIT_TARGET_WORKGROUPS = 2048;
/** The shortest slice of K worth a workgroup of its own. */
const MIN_K_PER_SPLIT = 64;

/**
 * C (+)= A @ B with the strides above; A is read as [M, K], B as [K, N]. An accumulating product
 * with a long K (weight gradients: K = positions) and few output tiles is split over K so that
 * the whole GPU works on it; columnSumWebgpu adds the partial products into C.
 */
export function stridedMatmulWebgpu(
  rt: GpuRuntime,
  M: number,
  N: number,
  K: number,
  A: StridedOperand,
  B: StridedOperand,
  C: { buffer: GPUBuffer; offset: number },
  accumulate: boolean,
): void {
  if (M === 0 || N === 0) return;
  const tilesN = Math.ceil(N / MATMUL_TILE),
    tiles = Math.ceil(M / MATMUL_TILE) * tilesN;
  const splits = accumulate
    ? Math.max(1, Math.min(Math.ceil(K / MIN_K_PER_SPLIT), Math.ceil(SPLIT_TARGET_WORKGROUPS / tiles)))
    : 1;
  const kPerSplit = Math.ceil(Math.ceil(K / splits) / MATMUL_TILE) * MATMUL_TILE;
  const used = Math.max(1, Math.ceil(K / kPerSplit));
  const partial = used > 1 ? rt.alloc([used * M * N]) : undefined;
  const out = partial ? { buffer: partial.buffer, offset: 0 } : C;
  rt.run(
    STRIDED_MATMUL_WGSL,
    [A.buffer, B.buffer, out.buffer],
    packUniforms(MATMUL_PARAMS, {
      M,
      N,
      K,
      offA: A.offset,
      sAi: A.strideRow,
      sAk: A.strideK,
      offB: B.offset,
      sBk: B.strideK,
      sBj: B.strideRow,
      offC: out.offset,
      accumulate: accumulate && !partial ? 1 : 0,
      tilesN,
      tiles,
      splits: used,
      kPerSplit,
    }),
    tiles * used,
  );
  if (!partial) return;
  columnSumWebgpu(rt, partial.buffer, used, M * N, C.buffer, C.offset);
  rt.recycle(partial);
}
