// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_): when the norm exceeds
// maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6). Returns the norm before clipping.
import type { FloatArray } from '../backend';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, WORKGROUP_REDUCE_WGSL } from '../webgpu/wgsl-common';

export function clipGradNorm(grad: FloatArray, maxNorm: number): number {
  let ss = 0;
  for (let i = 0; i < grad.length; i++) ss += grad[i] * grad[i];
  const norm = Math.sqrt(ss),
    scale = clipScale(norm, maxNorm);
  if (scale !== 1) for (let i = 0; i < grad.length; i++) grad[i] *= scale;
  return norm;
}

/** The factor clipGradNorm would scale by, for a global norm. */
export function clipScale(norm: number, maxNorm: number): number {
  if (!Number.isFinite(norm)) throw new Error(`gradient norm is ${norm}: the loss diverged`);
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

// ---- WebGPU twin: one workgroup per gradient tensor writes its sum of squares into sums[slot];
// then one workgroup turns the sums into clip = [norm, scale, finite] on the device, so a training
// step needs no read-back (finite is 0 when the norm is NaN or infinite: AdamW then leaves
// everything as it was, and whoever reads the norm reports the divergence).
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

/** Writes each tensor's sum of squares into sums[i]. */
export function gradSquaresWebgpu(
  rt: GpuRuntime,
  grads: readonly { buffer: GPUBuffer; size: number }[],
  sums: GPUBuffer,
): void {
  grads.forEach((g, slot) => rt.run(SUMSQ_WGSL, [g.buffer, sums], packUniforms(SUMSQ_PARAMS, { n: g.size, slot }), 1));
}

const CLIP_PARAMS = { count: 'u32', maxNorm: 'f32' } as const;
const CLIP_WGSL = `${GRID_WGSL}${WORKGROUP_REDUCE_WGSL}
@group(0) @binding(0) var<storage, read> sums: array<f32>;
@group(0) @binding(1) var<storage, read_write> clip: array<f32>;
${uniformDeclaration(CLIP_PARAMS, 2)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  var s = 0.0;
  for (var i = lid; i < p.count; i = i + WG) { s = s + sums[i]; }
  s = workgroupSum(s, lid);
  if (lid == 0u) {
    let norm = sqrt(s);
    // NaN and infinity tested on the bits: WGSL lets compilers assume float compares never see them.
    let finite = (bitcast<u32>(norm) & 0x7f800000u) != 0x7f800000u;
    clip[0] = norm;
    clip[1] = select(1.0, p.maxNorm / (norm + 1e-6), finite && norm > p.maxNorm);
    clip[2] = select(0.0, 1.0, finite);
  }
}
`;

/** clip = [norm, scale, finite] from the per-tensor sums of squares, as clipScale computes them. */
export function clipFromSquaresWebgpu(
  rt: GpuRuntime,
  sums: GPUBuffer,
  count: number,
  maxNorm: number,
  clip: GPUBuffer,
): void {
  rt.run(CLIP_WGSL, [sums, clip], packUniforms(CLIP_PARAMS, { count, maxNorm: Math.min(maxNorm, 3.4e38) }), 1); // no clipping: the largest f32
}
