// Linear layer: x [rows, k], weight [m, k] (PyTorch layout), bias [m]? ->
// out [rows, m] = act(x @ weight^T + bias), act none | silu | softplus.
// Used for in_proj, x_proj, dt_proj (+ softplus), out_proj and lm_head.
import { shapeText, type Activation } from '../backend';
import { activate, activationWgsl } from './activation';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';

/** Weight rows per tile: a tile of W (TILE_M * k floats) stays in cache while all x rows pass. */
const TILE_M = 32;

/**
 * CPU twin. Both operands are read along k (row-major x and W), four x rows at a time so each
 * weight value loaded serves four dot products; sums accumulate in float64.
 */
export function linearCpu(x: Float32Array, rows: number, k: number, weight: Float32Array, m: number, bias: Float32Array | undefined, act: Activation): Float32Array {
  const out = new Float32Array(rows * m);
  for (let j0 = 0; j0 < m; j0 += TILE_M) {
    const j1 = Math.min(m, j0 + TILE_M);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const x0 = r * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
      for (let j = j0; j < j1; j++) {
        const w = j * k;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let i = 0; i < k; i++) {
          const wi = weight[w + i];
          s0 += x[x0 + i] * wi;
          s1 += x[x1 + i] * wi;
          s2 += x[x2 + i] * wi;
          s3 += x[x3 + i] * wi;
        }
        out[r * m + j] = s0;
        out[(r + 1) * m + j] = s1;
        out[(r + 2) * m + j] = s2;
        out[(r + 3) * m + j] = s3;
      }
    }
    for (; r < rows; r++) {
      const x0 = r * k;
      for (let j = j0; j < j1; j++) {
        const w = j * k;
        let s = 0;
        for (let i = 0; i < k; i++) s += x[x0 + i] * weight[w + i];
        out[r * m + j] = s;
      }
    }
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
const WG: u32 = 256u;
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
  let tx = lid % 16u;
  let ty = lid / 16u;
  var acc: array<f32, 16>;
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
      let a = vec4<f32>(xs[kk * TILE + ty * 4u], xs[kk * TILE + ty * 4u + 1u], xs[kk * TILE + ty * 4u + 2u], xs[kk * TILE + ty * 4u + 3u]);
      let b = vec4<f32>(ws[kk * TILE + tx * 4u], ws[kk * TILE + tx * 4u + 1u], ws[kk * TILE + tx * 4u + 2u], ws[kk * TILE + tx * 4u + 3u]);
      for (var i = 0u; i < 4u; i++) {
        acc[i * 4u] += a[i] * b.x;
        acc[i * 4u + 1u] += a[i] * b.y;
        acc[i * 4u + 2u] += a[i] * b.z;
        acc[i * 4u + 3u] += a[i] * b.w;
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + ty * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + tx * 4u + j;
      if (row < p.rows && col < p.m) { out[row * p.m + col] = activate(acc[i * 4u + j]${hasBias ? ' + bias[col]' : ''}); }
    }
  }
}
`;
}

/** WebGPU twin: x [.., k], weight [m, k], bias [m]? -> [.., m]. */
export function linearWebgpu(rt: GpuRuntime, x: GpuTensor, weight: GpuTensor, bias: GpuTensor | undefined, act: Activation): GpuTensor {
  const k = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 2 || weight.shape[1] !== k) throw new RangeError(`linear: weight ${shapeText(weight.shape)} does not fit x ${shapeText(x.shape)}`);
  const m = weight.shape[0];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== m)) throw new RangeError(`linear: bias ${shapeText(bias.shape)} does not fit weight ${shapeText(weight.shape)}`);
  const rows = k > 0 ? x.size / k : 0;
  const out = rt.alloc([...x.shape.slice(0, -1), m]);
  if (out.size === 0) return out;
  if (k === 0) throw new RangeError(`linear: x ${shapeText(x.shape)} has an empty inner dimension`);
  const tilesM = Math.ceil(m / MATMUL_TILE);
  const tiles = tilesM * Math.ceil(rows / MATMUL_TILE);
  const buffers = bias ? [x.buffer, weight.buffer, bias.buffer, out.buffer] : [x.buffer, weight.buffer, out.buffer];
  rt.run(linearWgsl(bias !== undefined, act), buffers, packUniforms(MATMUL_PARAMS, { rows, k, m, tilesM, tiles }), tiles);
  return out;
}
