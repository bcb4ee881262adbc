// WGSL pieces shared by the op kernels: the workgroup size, the flat index of an invocation
// in a grid that splitWorkgroups may have folded into two dimensions, and row reductions.

/** Invocations per workgroup for elementwise and row-reduction kernels (a power of two). */
export const WORKGROUP_SIZE = 256;

/** Builtins every kernel's main takes. */
export const MAIN_ARGS = `@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32`;

/** `WG` and flatWorkgroup(); the flat invocation index is flatWorkgroup(wid, nwg) * WG + lid. */
export const GRID_WGSL = `
const WG: u32 = ${WORKGROUP_SIZE}u;
fn flatWorkgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.x + wid.y * nwg.x; }
`;

/**
 * Sum and max of one value per invocation over the workgroup, through workgroup memory. Call from
 * uniform control flow (they hold barriers); the result reaches every invocation.
 */
export const WORKGROUP_REDUCE_WGSL = `
var<workgroup> reduceScratch: array<f32, WG>;
fn workgroupSum(v: f32, lid: u32) -> f32 {
  reduceScratch[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { reduceScratch[lid] = reduceScratch[lid] + reduceScratch[lid + s]; }
    workgroupBarrier();
  }
  let r = reduceScratch[0];
  workgroupBarrier(); // everyone has read the result before the scratch is reused
  return r;
}
fn workgroupMax(v: f32, lid: u32) -> f32 {
  reduceScratch[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { reduceScratch[lid] = max(reduceScratch[lid], reduceScratch[lid + s]); }
    workgroupBarrier();
  }
  let r = reduceScratch[0];
  workgroupBarrier();
  return r;
}
`;

/**
 * A quiet NaN, what a kernel writes for an input it cannot use (checked on the host first).
 * WGSL rejects NaN constants, so the bits pass through a run-time u32 (any uniform field).
 */
export function nanWgsl(runtimeU32: string): string {
  return `bitcast<f32>(0x7fc00000u | (${runtimeU32} & 0u))`;
}

/** Workgroups needed for `count` invocations of WORKGROUP_SIZE (at least one). */
export function workgroupsFor(count: number): number {
  return Math.max(1, Math.ceil(count / WORKGROUP_SIZE));
}
