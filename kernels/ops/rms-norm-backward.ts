// Backward of RMSNorm y = w * x * rstd with rstd = 1/sqrt(mean(x^2) + eps), per row of width d;
// rstd is recomputed from x, so the forward keeps only x:
//   dw += sum_rows dy * x * rstd
//   dx += rstd * (g - xhat * mean(g * xhat)),  g = dy * w, xhat = x * rstd
import type { FloatArray } from '../backend';
import { columnSumWebgpu } from './column-sum';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, WORKGROUP_REDUCE_WGSL, workgroupsFor } from '../webgpu/wgsl-common';

/** CPU twin: accumulates into dx and dw. */
export function rmsNormBackwardCpu(
  dy: FloatArray,
  x: FloatArray,
  rows: number,
  d: number,
  w: FloatArray,
  eps: number,
  dx: FloatArray,
  dw: FloatArray,
): void {
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    let ss = 0;
    for (let j = 0; j < d; j++) ss += x[o + j] * x[o + j];
    const r = 1 / Math.sqrt(ss / d + eps);
    let dot = 0;
    for (let j = 0; j < d; j++) {
      const g = dy[o + j] * w[j];
      dot += g * x[o + j] * r;
      dw[j] += dy[o + j] * x[o + j] * r;
    }
    const mean = dot / d;
    for (let j = 0; j < d; j++) dx[o + j] += r * (dy[o + j] * w[j] - x[o + j] * r * mean);
  }
}

// ---- WebGPU twin: one workgroup per row for dx (+=) and rstd, then dw (+=) as the column sum of dy*x*rstd.
const RMS_PARAMS = { rows: 'u32', d: 'u32', eps: 'f32' } as const;

const RMS_DX_WGSL = `${GRID_WGSL}${WORKGROUP_REDUCE_WGSL}
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;
${uniformDeclaration(RMS_PARAMS, 5)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let row = flatWorkgroup(wid, nwg);
  let live = row < p.rows;
  let o = min(row, p.rows - 1u) * p.d;
  var ss = 0.0; var gx = 0.0;
  for (var j = lid; j < p.d; j = j + WG) { let xv = x[o + j]; ss = ss + xv * xv; gx = gx + dy[o + j] * w[j] * xv; }
  ss = workgroupSum(ss, lid);
  gx = workgroupSum(gx, lid);
  let r = 1.0 / sqrt(ss / f32(p.d) + p.eps);
  let mean = gx * r / f32(p.d);
  if (!live) { return; }
  if (lid == 0u) { rstd[row] = r; }
  for (var j = lid; j < p.d; j = j + WG) { dx[o + j] = dx[o + j] + r * (dy[o + j] * w[j] - x[o + j] * r * mean); }
}
`;

const RMS_PROD_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read_write> prod: array<f32>;
${uniformDeclaration(RMS_PARAMS, 4)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.rows * p.d) { return; }
  prod[i] = dy[i] * x[i] * rstd[i / p.d];
}
`;

/** dx += and dw += for y = rmsnorm(x) * w; `rstd` is a [rows] scratch buffer. */
export function rmsNormBackwardWebgpu(
  rt: GpuRuntime,
  dy: GPUBuffer,
  x: GPUBuffer,
  rows: number,
  d: number,
  w: GPUBuffer,
  eps: number,
  dx: GPUBuffer,
  dw: GPUBuffer,
  rstd: GPUBuffer,
): void {
  const u = packUniforms(RMS_PARAMS, { rows, d, eps });
  rt.run(RMS_DX_WGSL, [dy, x, w, dx, rstd], u, rows);
  const prod = rt.alloc([rows * d]);
  rt.run(RMS_PROD_WGSL, [dy, x, rstd, prod.buffer], u, workgroupsFor(rows * d));
  columnSumWebgpu(rt, prod.buffer, rows, d, dw);
  rt.recycle(prod);
}
