// Linear layer: x [rows, k], weight [m, k] (PyTorch layout), bias [m]? ->
// out [rows, m] = act(x @ weight^T + bias), act none | silu | softplus.
// Used for in_proj, x_proj, dt_proj (+ softplus), out_proj and lm_head.
import { shapeText, type Activation } from '../backend';
import { activate, activationWgsl } from './activation';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

/** Weight rows per tile: a tile of W (TILE_M * k floats) stays in cache while all x rows pass. */
const TILE_M = 32;

/** One row of out: out[r, j] for j in [j0, j1), four weight rows at a time (independent sums). */
function dotRow(x: Float32Array, r: number, k: number, weight: Float32Array, m: number, j0: number, j1: number, out: Float32Array): void {
  const x0 = r * k;
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const w0 = j * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < k; i++) {
      const xi = x[x0 + i];
      s0 += xi * weight[w0 + i]; s1 += xi * weight[w1 + i]; s2 += xi * weight[w2 + i]; s3 += xi * weight[w3 + i];
    }
    const o = r * m + j;
    out[o] = s0; out[o + 1] = s1; out[o + 2] = s2; out[o + 3] = s3;
  }
  for (; j < j1; j++) {
    const w = j * k;
    let s = 0;
    for (let i = 0; i < k; i++) s += x[x0 + i] * weight[w + i];
    out[r * m + j] = s;
  }
}

/**
 * CPU twin. Both operands are read along k (row-major x and W) in register blocks of four x rows
 * by two weight rows, so each loaded value serves several dot products (measured 1.4x faster than
 * four by one); W is tiled so its tile stays in cache. Sums accumulate in float64.
 */
export function linearCpu(x: Float32Array, rows: number, k: number, weight: Float32Array, m: number, bias: Float32Array | undefined, act: Activation): Float32Array {
  const out = new Float32Array(rows * m);
  for (let j0 = 0; j0 < m; j0 += TILE_M) {
    const j1 = Math.min(m, j0 + TILE_M);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const x0 = r * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
      let j = j0;
      for (; j + 2 <= j1; j += 2) {
        const wa = j * k, wb = wa + k;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let i = 0; i < k; i++) {
          const p = weight[wa + i], q = weight[wb + i];
          const y0 = x[x0 + i], y1 = x[x1 + i], y2 = x[x2 + i], y3 = x[x3 + i];
          a0 += y0 * p; a1 += y1 * p; a2 += y2 * p; a3 += y3 * p;
          b0 += y0 * q; b1 += y1 * q; b2 += y2 * q; b3 += y3 * q;
        }
        const o = r * m + j;
        out[o] = a0; out[o + m] = a1; out[o + 2 * m] = a2; out[o + 3 * m] = a3;
        out[o + 1] = b0; out[o + m + 1] = b1; out[o + 2 * m + 1] = b2; out[o + 3 * m + 1] = b3;
      }
      if (j < j1) for (let q = r; q < r + 4; q++) dotRow(x, q, k, weight, m, j, j1, out);
    }
    for (; r < rows; r++) dotRow(x, r, k, weight, m, j0, j1, out);
  }
  if (bias || act !== 'none') {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) out[r * m + j] = activate(out[r * m + j] + (bias ? bias[j] : 0), act);
    }
  }
  return out;
}

/** WebGPU tiling: a workgroup of 16 x 16 invocations computes a 64 x 64 output tile, 4 x 4 each. */
const MATMUL_TILE = 64;
/** The k-slice of x and W staged in workgroup memory per step. */
const MATMUL_TILE_K = 16;
const MATMUL_PARAMS = { rows: 'u32', k: 'u32', m: 'u32', tilesM: 'u32', tiles: 'u32' } as const;

/**
 * WGSL twin: tiled matmul. Each step stages a 64 x 16 slice of x and of W in workgroup memory
 * (k-major, so the inner loop reads 4 consecutive rows and 4 consecutive columns), then every
 * invocation accumulates its 4 x 4 outputs. Bias and activation are fused into the store.
 */
function linearWgsl(hasBias: boolean, act: Activation): string {
  return `
const TILE: u32 = ${MATMUL_TILE}u;
const TK: u32 = ${MATMUL_TILE_K}u;
const SIDE: u32 = ${MATMUL_TILE / 4}u; // invocations per tile side, 4 outputs each
const WG: u32 = SIDE * SIDE;
${activationWgsl(act)}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
${hasBias ? '@group(0) @binding(2) var<storage, read> bias: array<f32>;' : ''}
@group(0) @binding(${hasBias ? 3 : 2}) var<storage, read_write> out: array<f32>;
${uniformDeclaration(MATMUL_PARAMS, hasBias ? 4 : 3)}
var<workgroup> xs: array<f32, TILE * TK>;
var<workgroup> ws: array<f32, TILE * TK>;
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let tile = wid.x + wid.y * nwg.x;
  if (tile >= p.tiles) { return; }
  let row0 = (tile / p.tilesM) * TILE;
  let col0 = (tile % p.tilesM) * TILE;
  let tx = lid % SIDE;
  let ty = lid / SIDE;
  // acc[i] holds output row ty*4+i, columns tx*4 .. tx*4+3 (vec4s, no dynamically indexed arrays).
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < p.k; k0 += TK) {
    for (var q = 0u; q < TILE * TK / WG; q++) {
      let e = lid + q * WG;
      let r = e / TK;
      let kk = k0 + e % TK;
      let inK = kk < p.k;
      xs[(e % TK) * TILE + r] = select(0.0, x[min(row0 + r, p.rows - 1u) * p.k + min(kk, p.k - 1u)], inK && row0 + r < p.rows);
      ws[(e % TK) * TILE + r] = select(0.0, w[min(col0 + r, p.m - 1u) * p.k + min(kk, p.k - 1u)], inK && col0 + r < p.m);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let xo = kk * TILE + ty * 4u;
      let wo = kk * TILE + tx * 4u;
      let b = vec4<f32>(ws[wo], ws[wo + 1u], ws[wo + 2u], ws[wo + 3u]);
      acc0 += xs[xo] * b;
      acc1 += xs[xo + 1u] * b;
      acc2 += xs[xo + 2u] * b;
      acc3 += xs[xo + 3u] * b;
    }
    workgroupBarrier();
  }
  store(row0 + ty * 4u, col0 + tx * 4u, acc0);
  store(row0 + ty * 4u + 1u, col0 + tx * 4u, acc1);
  store(row0 + ty * 4u + 2u, col0 + tx * 4u, acc2);
  store(row0 + ty * 4u + 3u, col0 + tx * 4u, acc3);
}

/** Four outputs of one row, from column col, with bias and activation; those past the edge are dropped. */
fn store(row: u32, col: u32, v: vec4<f32>) {
  if (row >= p.rows) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (col + j < p.m) { out[row * p.m + col + j] = activate(v[j]${hasBias ? ' + bias[col + j]' : ''}); }
  }
}
`;
}

/** Rows up to which one invocation per output beats the tiled kernel (the recurrent step has b rows). */
const FEW_ROWS = 8;
const GEMV_PARAMS = { n: 'u32', k: 'u32', m: 'u32' } as const;

/** WGSL for few rows: one invocation per output, a plain dot product over k (no barriers). */
function fewRowsWgsl(hasBias: boolean, act: Activation): string {
  return `${GRID_WGSL}${activationWgsl(act)}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
${hasBias ? '@group(0) @binding(2) var<storage, read> bias: array<f32>;' : ''}
@group(0) @binding(${hasBias ? 3 : 2}) var<storage, read_write> out: array<f32>;
${uniformDeclaration(GEMV_PARAMS, hasBias ? 4 : 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.n) { return; }
  let row = i / p.m;
  let col = i - row * p.m;
  var acc = 0.0;
  for (var kk = 0u; kk < p.k; kk++) { acc += x[row * p.k + kk] * w[col * p.k + kk]; }
  out[i] = activate(acc${hasBias ? ' + bias[col]' : ''});
}
`;
}

/** WebGPU twin: x [.., k], weight [m, k], bias [m]? -> [.., m]; tiled, or one invocation per output for few rows. */
export function linearWebgpu(rt: GpuRuntime, x: GpuTensor, weight: GpuTensor, bias: GpuTensor | undefined, act: Activation): GpuTensor {
  const k = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 2 || weight.shape[1] !== k) throw new RangeError(`linear: weight ${shapeText(weight.shape)} does not fit x ${shapeText(x.shape)}`);
  const m = weight.shape[0];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== m)) throw new RangeError(`linear: bias ${shapeText(bias.shape)} does not fit weight ${shapeText(weight.shape)}`);
  const rows = k > 0 ? x.size / k : 0;
  const out = rt.alloc([...x.shape.slice(0, -1), m]);
  if (out.size === 0) return out;
  if (k === 0) throw new RangeError(`linear: x ${shapeText(x.shape)} has an empty inner dimension`);
  const buffers = bias ? [x.buffer, weight.buffer, bias.buffer, out.buffer] : [x.buffer, weight.buffer, out.buffer];
  if (rows <= FEW_ROWS) {
    rt.run(fewRowsWgsl(bias !== undefined, act), buffers, packUniforms(GEMV_PARAMS, { n: out.size, k, m }), workgroupsFor(out.size));
    return out;
  }
  const tilesM = Math.ceil(m / MATMUL_TILE);
  const tiles = tilesM * Math.ceil(rows / MATMUL_TILE);
  rt.run(linearWgsl(bias !== undefined, act), buffers, packUniforms(MATMUL_PARAMS, { rows, k, m, tilesM, tiles }), tiles);
  return out;
}
