// Cross-entropy of next-token logits, the training loss. For logits [rows, v] and targets [rows]
// (a target < 0 marks a position that does not count), returns the summed loss in nats and the
// number of counted rows, and writes dlogits = (softmax - onehot) * scale (scale = 1/count for a
// mean loss). Bits per token = nats / ln 2.
import type { FloatArray } from '../backend';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

export interface CrossEntropyResult {
  nats: number;
  count: number;
}

export function crossEntropy(
  logits: FloatArray,
  targets: Int32Array,
  rows: number,
  v: number,
  dlogits: FloatArray | undefined,
  scaleByCount: boolean,
): CrossEntropyResult {
  let count = 0;
  for (let i = 0; i < rows; i++) if (targets[i] >= 0) count++;
  const scale = scaleByCount ? 1 / Math.max(1, count) : 1;
  let nats = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * v,
      t = targets[i];
    if (t >= v) throw new Error(`target id ${t} at position ${i} is outside the vocabulary [0, ${v})`);
    if (t < 0) {
      if (dlogits) dlogits.fill(0, o, o + v);
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < v; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < v; j++) sum += Math.exp(logits[o + j] - max);
    const logZ = max + Math.log(sum);
    nats += logZ - logits[o + t];
    if (dlogits) {
      for (let j = 0; j < v; j++) dlogits[o + j] = Math.exp(logits[o + j] - logZ) * scale;
      dlogits[o + t] -= scale;
    }
  }
  return { nats, count };
}

// ---- WebGPU twin: one invocation per row writes its loss (nats; 0 when not counted) and its dlogits row.
const CE_PARAMS = { rows: 'u32', v: 'u32', scale: 'f32' } as const;
const CE_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
${uniformDeclaration(CE_PARAMS, 4)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let r = flatWorkgroup(wid, nwg) * WG + lid;
  if (r >= p.rows) { return; }
  let o = r * p.v; let t = targets[r];
  if (t < 0) {
    loss[r] = 0.0;
    for (var j = 0u; j < p.v; j = j + 1u) { dlogits[o + j] = 0.0; }
    return;
  }
  var mx = logits[o];
  for (var j = 1u; j < p.v; j = j + 1u) { mx = max(mx, logits[o + j]); }
  var sum = 0.0;
  for (var j = 0u; j < p.v; j = j + 1u) { sum = sum + exp(logits[o + j] - mx); }
  let logZ = mx + log(sum);
  loss[r] = logZ - logits[o + u32(t)];
  for (var j = 0u; j < p.v; j = j + 1u) { dlogits[o + j] = exp(logits[o + j] - logZ) * p.scale; }
  dlogits[o + u32(t)] = dlogits[o + u32(t)] - p.scale;
}
`;

/** Per-row loss (nats) and dlogits = (softmax - onehot) * scale; targets < 0 count nothing. */
export function crossEntropyWebgpu(
  rt: GpuRuntime,
  logits: GPUBuffer,
  targets: GPUBuffer,
  rows: number,
  v: number,
  scale: number,
  loss: GPUBuffer,
  dlogits: GPUBuffer,
): void {
  rt.run(CE_WGSL, [logits, targets, loss, dlogits], packUniforms(CE_PARAMS, { rows, v, scale }), workgroupsFor(rows));
}
