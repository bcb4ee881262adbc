// Backward of the causal depthwise conv1d with SiLU, per sequence of the batch (no carried state:
// inputs before t = 0 are zeros):
//   pre[t, c] = bias[c] + sum_j w[c, j] * x[t - (k-1) + j, c],   u = silu(pre)
// x, pre, u are [b, l, c]; w is [c, k] (HF's [c, 1, k]). The CPU forward keeps pre (conv1dCpu's
// out.pre), the WGSL twin recomputes it from x. With dpre = du * silu'(pre):  dbias[c] += dpre,
// dw[c, j] += dpre[t, c] * x[t-(k-1)+j, c],  dx[t-(k-1)+j, c] += w[c, j] * dpre[t, c].
import type { FloatArray } from '../backend';
import { siluGrad } from './activation';
import { columnSumWebgpu } from './column-sum';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

/** CPU twin: accumulates into dx, dw and dbias. */
export function conv1dSiluBackwardCpu(
  du: FloatArray,
  x: FloatArray,
  pre: FloatArray,
  b: number,
  l: number,
  c: number,
  w: FloatArray,
  k: number,
  dx: FloatArray,
  dw: FloatArray,
  dbias: FloatArray | undefined,
): void {
  for (let bi = 0; bi < b; bi++) {
    for (let t = 0; t < l; t++) {
      const o = (bi * l + t) * c,
        j0 = Math.max(0, k - 1 - t),
        first = o - (k - 1) * c; // x's row for tap 0 (taps before j0 fall before t = 0)
      for (let ch = 0; ch < c; ch++) {
        const g = du[o + ch] * siluGrad(pre[o + ch]);
        if (dbias) dbias[ch] += g;
        for (let j = j0; j < k; j++) {
          const xi = first + j * c + ch;
          dw[ch * k + j] += g * x[xi];
          dx[xi] += w[ch * k + j] * g;
        }
      }
    }
  }
}

// ---- WebGPU twin: dpre (pre recomputed from x), then dx (+=) by gathering, then dw and dbias
// (+=) as column sums over every position of dpre * x (per channel and tap) and of dpre.
const CONV_PARAMS = { b: 'u32', l: 'u32', c: 'u32', k: 'u32', hasBias: 'u32' } as const;
/** Shared head; the uniform binding follows the kernel's `buffers` storage bindings. */
const convHead = (buffers: number) => `${GRID_WGSL}
${uniformDeclaration(CONV_PARAMS, buffers)}
fn sig(v: f32) -> f32 { return 1.0 / (1.0 + exp(-v)); }
`;

const CONV_DPRE_WGSL = `${convHead(5)}
@group(0) @binding(0) var<storage, read> du: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dpre: array<f32>;
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.b * p.l * p.c) { return; }
  let ch = i % p.c; let row = i / p.c; let t = row % p.l; let base = row - t;
  var s = select(0.0, bias[ch], p.hasBias == 1u);
  for (var j = 0u; j < p.k; j = j + 1u) {
    if (t + j + 1u >= p.k) { s = s + w[ch * p.k + j] * x[(base + t + j + 1u - p.k) * p.c + ch]; }
  }
  let sg = sig(s);
  dpre[i] = du[i] * sg * (1.0 + s * (1.0 - sg));
}
`;

const CONV_DX_WGSL = `${convHead(3)}
@group(0) @binding(0) var<storage, read> dpre: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.b * p.l * p.c) { return; }
  let ch = i % p.c; let row = i / p.c; let t = row % p.l; let base = row - t;
  var s = 0.0;
  for (var j = 0u; j < p.k; j = j + 1u) {
    let tt = t + p.k - 1u - j; // the output position whose tap j reads x[t]
    if (tt < p.l) { s = s + w[ch * p.k + j] * dpre[(base + tt) * p.c + ch]; }
  }
  dx[i] = dx[i] + s;
}
`;

const CONV_DW_PROD_WGSL = `${convHead(3)}
@group(0) @binding(0) var<storage, read> dpre: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> prod: array<f32>;
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.b * p.l * p.c * p.k) { return; }
  let j = i % p.k; let ch = (i / p.k) % p.c; let row = i / (p.k * p.c); let t = row % p.l;
  var v = 0.0;
  if (t + j + 1u >= p.k) { v = dpre[row * p.c + ch] * x[(row + j + 1u - p.k) * p.c + ch]; }
  prod[i] = v;
}
`;

/** dx += , dw += , dbias += for u = silu(conv(x)); `dpre` is a [b, l, c] scratch buffer. `bias` may be any buffer when hasBias is false. */
export function conv1dSiluBackwardWebgpu(
  rt: GpuRuntime,
  du: GPUBuffer,
  x: GPUBuffer,
  b: number,
  l: number,
  c: number,
  w: GPUBuffer,
  k: number,
  bias: GPUBuffer | undefined,
  dx: GPUBuffer,
  dw: GPUBuffer,
  dbias: GPUBuffer | undefined,
  dpre: GPUBuffer,
): void {
  const u = packUniforms(CONV_PARAMS, { b, l, c, k, hasBias: bias ? 1 : 0 });
  const n = b * l * c;
  rt.run(CONV_DPRE_WGSL, [du, x, w, bias ?? w, dpre], u, workgroupsFor(n));
  rt.run(CONV_DX_WGSL, [dpre, w, dx], u, workgroupsFor(n));
  const prod = rt.alloc([n * k]);
  rt.run(CONV_DW_PROD_WGSL, [dpre, x, prod.buffer], u, workgroupsFor(n * k));
  columnSumWebgpu(rt, prod.buffer, b * l, c * k, dw);
  rt.recycle(prod);
  if (dbias) columnSumWebgpu(rt, dpre, b * l, c, dbias);
}
