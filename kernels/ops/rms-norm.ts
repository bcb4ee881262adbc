// RMSNorm over the last dimension: x [rows, d], weight [d] ->
// out[r, i] = weight[i] * x[r, i] / sqrt(mean_i(x[r, :]^2) + eps)   (HF MambaRMSNorm).
import { shapeText, type FloatArray } from '../backend';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, WORKGROUP_REDUCE_WGSL } from '../webgpu/wgsl-common';

/** CPU twin (the mean of squares accumulates in float64): writes out [rows, d] and returns it. */
export function rmsNormCpu<A extends FloatArray>(
  x: FloatArray,
  rows: number,
  d: number,
  weight: FloatArray,
  eps: number,
  out: A,
): A {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[o + i] * x[o + i];
    const inv = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) out[o + i] = weight[i] * (x[o + i] * inv);
  }
  return out;
}

const RMS_NORM_PARAMS = { rows: 'u32', d: 'u32', eps: 'f32' } as const;

/** WGSL twin: one workgroup per row; the sum of squares is a workgroup reduction. */
const RMS_NORM_WGSL = `${GRID_WGSL}${WORKGROUP_REDUCE_WGSL}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${uniformDeclaration(RMS_NORM_PARAMS, 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let row = flatWorkgroup(wid, nwg);
  if (row >= p.rows) { return; }
  let o = row * p.d;
  var ss = 0.0;
  for (var i = lid; i < p.d; i += WG) { let v = x[o + i]; ss += v * v; }
  let inv = 1.0 / sqrt(workgroupSum(ss, lid) / f32(p.d) + p.eps);
  for (var i = lid; i < p.d; i += WG) { out[o + i] = weight[i] * (x[o + i] * inv); }
}
`;

/** WebGPU twin: x [.., d], weight [d]. */
export function rmsNormWebgpu(rt: GpuRuntime, x: GpuTensor, weight: GpuTensor, eps: number): GpuTensor {
  const d = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 1 || weight.shape[0] !== d)
    throw new RangeError(`rmsNorm: weight ${shapeText(weight.shape)} does not fit x ${shapeText(x.shape)}`);
  const out = rt.alloc(x.shape);
  const rows = d > 0 ? x.size / d : 0;
  if (rows > 0)
    rt.run(RMS_NORM_WGSL, [x.buffer, weight.buffer, out.buffer], packUniforms(RMS_NORM_PARAMS, { rows, d, eps }), rows);
  return out;
}
