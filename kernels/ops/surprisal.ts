// Surprisal in bits: logits [rows, v], targets [rows] int32 ->
// out[r] = -log2 softmax(logits[r, :])[targets[r]] = (logsumexp(logits[r, :]) - logits[r, t]) / ln 2.
// A target outside [0, v) is an error naming its row.
import { shapeText, type FloatArray } from '../backend';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, nanWgsl, WORKGROUP_REDUCE_WGSL } from '../webgpu/wgsl-common';

/** CPU twin (max-shifted log-sum-exp in float64). */
export function surprisalBitsCpu(logits: FloatArray, rows: number, v: number, targets: Int32Array): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (!(t >= 0 && t < v)) throw new RangeError(`target id ${t} at row ${r} is outside the vocabulary [0, ${v})`);
    const o = r * v;
    let max = -Infinity;
    for (let i = 0; i < v; i++) if (logits[o + i] > max) max = logits[o + i];
    let sum = 0;
    for (let i = 0; i < v; i++) sum += Math.exp(logits[o + i] - max);
    out[r] = (max + Math.log(sum) - logits[o + t]) / Math.LN2;
  }
  return out;
}

const SURPRISAL_PARAMS = { rows: 'u32', v: 'u32' } as const;

/** WGSL twin: one workgroup per row; max, then the sum of exp(logit - max), as two reductions. */
const SURPRISAL_WGSL = `${GRID_WGSL}${WORKGROUP_REDUCE_WGSL}
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${uniformDeclaration(SURPRISAL_PARAMS, 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let row = flatWorkgroup(wid, nwg);
  if (row >= p.rows) { return; }
  let o = row * p.v;
  var m = -0x1.fffffep+127f;
  for (var i = lid; i < p.v; i += WG) { m = max(m, logits[o + i]); }
  let rowMax = workgroupMax(m, lid);
  var s = 0.0;
  for (var i = lid; i < p.v; i += WG) { s += exp(logits[o + i] - rowMax); }
  let total = workgroupSum(s, lid);
  if (lid == 0u) {
    let t = targets[row];
    if (t < 0 || u32(t) >= p.v) { out[row] = ${nanWgsl('p.rows')}; return; }
    out[row] = (rowMax + log(total) - logits[o + u32(t)]) / log(2.0);
  }
}
`;

/** WebGPU twin: logits [.., v], targets [..] int32 -> [..]. */
export function surprisalBitsWebgpu(rt: GpuRuntime, logits: GpuTensor, targets: GpuTensor): GpuTensor {
  const v = logits.shape[logits.shape.length - 1];
  const rows = v > 0 ? logits.size / v : 0;
  if (targets.size !== rows)
    throw new RangeError(
      `surprisalBits: ${targets.size} targets ${shapeText(targets.shape)} for ${rows} rows of logits ${shapeText(logits.shape)}`,
    );
  targets.hostIds?.forEach((t, r) => {
    if (!(t >= 0 && t < v)) throw new RangeError(`target id ${t} at row ${r} is outside the vocabulary [0, ${v})`);
  });
  const out = rt.alloc(targets.shape);
  if (rows > 0)
    rt.run(
      SURPRISAL_WGSL,
      [logits.buffer, targets.buffer, out.buffer],
      packUniforms(SURPRISAL_PARAMS, { rows, v }),
      rows,
    );
  return out;
}
