// Embedding lookup for training: x[row] = table[ids[row]]; backward scatters dtable[ids[row]] += dx[row].
import type { FloatArray } from './params';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

export function embeddingForward(table: FloatArray, vocab: number, d: number, ids: Int32Array, rows: number, x: FloatArray): void {
  for (let i = 0; i < rows; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < vocab)) throw new Error(`token id ${id} at position ${i} is outside the vocabulary [0, ${vocab})`);
    x.set(table.subarray(id * d, id * d + d), i * d);
  }
}

export function embeddingBackward(dx: FloatArray, ids: Int32Array, rows: number, d: number, dtable: FloatArray): void {
  for (let i = 0; i < rows; i++) {
    const o = ids[i] * d, s = i * d;
    for (let j = 0; j < d; j++) dtable[o + j] += dx[s + j];
  }
}

// ---- WebGPU twin: one invocation per table element gathers the rows that used it (no float atomics in WGSL).
const EMB_PARAMS = { rows: 'u32', v: 'u32', d: 'u32' } as const;
const EMB_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> dx: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> dtable: array<f32>;
${uniformDeclaration(EMB_PARAMS, 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.v * p.d) { return; }
  let id = i32(i / p.d); let j = i % p.d;
  var s = 0.0;
  for (var r = 0u; r < p.rows; r = r + 1u) { if (ids[r] == id) { s = s + dx[r * p.d + j]; } }
  dtable[i] = dtable[i] + s;
}
`;

export function embeddingBackwardWebgpu(rt: GpuRuntime, dx: GPUBuffer, ids: GPUBuffer, rows: number, vocab: number, d: number, dtable: GPUBuffer): void {
  rt.run(EMB_WGSL, [dx, ids, dtable], packUniforms(EMB_PARAMS, { rows, v: vocab, d }), workgroupsFor(vocab * d));
}
