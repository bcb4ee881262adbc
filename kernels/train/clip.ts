// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_): when the norm exceeds
// maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6). Returns the norm before clipping.
import type { FloatArray } from './params';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, WORKGROUP_REDUCE_WGSL } from '../webgpu/wgsl-common';

export function clipGradNorm(grad: FloatArray, maxNorm: number): number {
  let ss = 0;
  for (let i = 0; i < grad.length; i++) ss += grad[i] * grad[i];
  const norm = Math.sqrt(ss), scale = clipScale(norm, maxNorm);
  if (scale !== 1) for (let i = 0; i < grad.length; i++) grad[i] *= scale;
  return norm;
}

/** The factor clipGradNorm would scale by, for a global norm. */
export function clipScale(norm: number, maxNorm: number): number {
  if (!Number.isFinite(norm)) throw new Error(`gradient norm is ${norm}: the loss diverged`);
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

// ---- WebGPU twin: one workgroup per gradient tensor writes its sum of squares into sums[slot].
const SUMSQ_PARAMS = { n: 'u32', slot: 'u32' } as const;
const SUMSQ_WGSL = `${GRID_WGSL}${WORKGROUP_REDUCE_WGSL}
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> sums: array<f32>;
${uniformDeclaration(SUMSQ_PARAMS, 2)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  var s = 0.0;
  for (var i = lid; i < p.n; i = i + WG) { s = s + grad[i] * grad[i]; }
  s = workgroupSum(s, lid);
  if (lid == 0u) { sums[p.slot] = s; }
}
`;

/** Writes each tensor's sum of squares into sums[i]; the host adds them and takes the root. */
export function gradSquaresWebgpu(rt: GpuRuntime, grads: readonly { buffer: GPUBuffer; size: number }[], sums: GPUBuffer): void {
  grads.forEach((g, slot) => rt.run(SUMSQ_WGSL, [g.buffer, sums], packUniforms(SUMSQ_PARAMS, { n: g.size, slot }), 1));
}
