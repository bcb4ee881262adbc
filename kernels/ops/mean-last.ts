// Mean over the last dimension: x [rows, w] -> out [rows]. Applied to Δ [b, l, c] it gives the
// per-position selection track [b, l] the UI draws as a heatmap.
import { shapeText } from '../backend';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, WORKGROUP_REDUCE_WGSL } from '../webgpu/wgsl-common';

/** CPU twin (accumulates in float64). */
export function meanLastCpu(x: Float32Array, rows: number, w: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * w; i < (r + 1) * w; i++) s += x[i];
    out[r] = s / w;
  }
  return out;
}

const MEAN_LAST_PARAMS = { rows: 'u32', w: 'u32' } as const;

/** WGSL twin: one workgroup per row, a workgroup sum. */
const MEAN_LAST_WGSL = `${GRID_WGSL}${WORKGROUP_REDUCE_WGSL}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${uniformDeclaration(MEAN_LAST_PARAMS, 2)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let row = flatWorkgroup(wid, nwg);
  if (row >= p.rows) { return; }
  var s = 0.0;
  for (var i = lid; i < p.w; i += WG) { s += x[row * p.w + i]; }
  let total = workgroupSum(s, lid);
  if (lid == 0u) { out[row] = total / f32(p.w); }
}
`;

/** WebGPU twin: x [.., w] -> [..]. */
export function meanLastWebgpu(rt: GpuRuntime, x: GpuTensor): GpuTensor {
  const w = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || w === 0)
    throw new RangeError(`meanLast: x ${shapeText(x.shape)} has no last dimension to average`);
  const out = rt.alloc(x.shape.slice(0, -1));
  if (out.size > 0)
    rt.run(MEAN_LAST_WGSL, [x.buffer, out.buffer], packUniforms(MEAN_LAST_PARAMS, { rows: out.size, w }), out.size);
  return out;
}
