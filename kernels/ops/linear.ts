// Linear layer: x [rows, k], weight [m, k] (PyTorch layout), bias [m]? ->
// out [rows, m] = act(x @ weight^T + bias), act none | silu | softplus.
// Used for in_proj, x_proj, dt_proj (+ softplus), out_proj and lm_head.
import { shapeText, type Activation, type FloatArray } from '../backend';
import { activate, activationWgsl } from './activation';
import { matmulABt } from './matmul';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

/** CPU twin: the register-tiled matmulABt (W is already [m, k]), then bias and activation; writes out [rows, m] and returns it. */
export function linearCpu<A extends FloatArray>(
  x: FloatArray,
  rows: number,
  k: number,
  weight: FloatArray,
  m: number,
  bias: FloatArray | undefined,
  act: Activation,
  out: A,
): A {
  matmulABt(x, rows, k, weight, m, out, false);
  if (act !== 'none') {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) out[r * m + j] = activate(out[r * m + j] + (bias ? bias[j] : 0), act);
    }
  } else if (bias) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) out[r * m + j] += bias[j];
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
export function linearWebgpu(
  rt: GpuRuntime,
  x: GpuTensor,
  weight: GpuTensor,
  bias: GpuTensor | undefined,
  act: Activation,
): GpuTensor {
  const k = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 2 || weight.shape[1] !== k)
    throw new RangeError(`linear: weight ${shapeText(weight.shape)} does not fit x ${shapeText(x.shape)}`);
  const m = weight.shape[0];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== m))
    throw new RangeError(`linear: bias ${shapeText(bias.shape)} does not fit weight ${shapeText(weight.shape)}`);
  const rows = k > 0 ? x.size / k : 0;
  const out = rt.alloc([...x.shape.slice(0, -1), m]);
  if (out.size === 0) return out;
  if (k === 0) throw new RangeError(`linear: x ${shapeText(x.shape)} has an empty inner dimension`);
  const buffers = bias ? [x.buffer, weight.buffer, bias.buffer, out.buffer] : [x.buffer, weight.buffer, out.buffer];
  if (rows <= FEW_ROWS) {
    rt.run(
      fewRowsWgsl(bias !== undefined, act),
      buffers,
      packUniforms(GEMV_PARAMS, { n: out.size, k, m }),
      workgroupsFor(out.size),
    );
    return out;
  }
  const tilesM = Math.ceil(m / MATMUL_TILE);
  const tiles = tilesM * Math.ceil(rows / MATMUL_TILE);
  rt.run(
    linearWgsl(bias !== undefined, act),
    buffers,
    packUniforms(MATMUL_PARAMS, { rows, k, m, tilesM, tiles }),
    tiles,
  );
  return out;
}
