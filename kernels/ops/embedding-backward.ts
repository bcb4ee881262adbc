// Backward of the embedding lookup x[row] = table[ids[row]]: scatters dtable[ids[row]] += dx[row].
import type { FloatArray } from '../backend';
import { columnSumWebgpu } from './column-sum';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

/** CPU twin. */
export function embeddingBackwardCpu(
  dx: FloatArray,
  ids: Int32Array,
  rows: number,
  d: number,
  dtable: FloatArray,
): void {
  for (let i = 0; i < rows; i++) {
    const o = ids[i] * d,
      s = i * d;
    for (let j = 0; j < d; j++) dtable[o + j] += dx[s + j];
  }
}

// ---- WebGPU twin (no float atomics in WGSL): one invocation per (block of rows, table element)
// gathers the rows of its block that used the element, then the blocks are summed.
const EMB_BLOCK = 64;
const EMB_PARAMS = { rows: 'u32', v: 'u32', d: 'u32' } as const;
const EMB_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> dx: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;
${uniformDeclaration(EMB_PARAMS, 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  let vd = p.v * p.d;
  let blocks = (p.rows + ${EMB_BLOCK}u - 1u) / ${EMB_BLOCK}u;
  if (i >= blocks * vd) { return; }
  let blk = i / vd; let e = i % vd; let id = i32(e / p.d); let j = e % p.d;
  var s = 0.0;
  for (var r = blk * ${EMB_BLOCK}u; r < min(p.rows, (blk + 1u) * ${EMB_BLOCK}u); r = r + 1u) { if (ids[r] == id) { s = s + dx[r * p.d + j]; } }
  partial[i] = s;
}
`;

export function embeddingBackwardWebgpu(
  rt: GpuRuntime,
  dx: GPUBuffer,
  ids: GPUBuffer,
  rows: number,
  vocab: number,
  d: number,
  dtable: GPUBuffer,
): void {
  const blocks = Math.max(1, Math.ceil(rows / EMB_BLOCK));
  const partial = rt.alloc([blocks * vocab * d]);
  rt.run(
    EMB_WGSL,
    [dx, ids, partial.buffer],
    packUniforms(EMB_PARAMS, { rows, v: vocab, d }),
    workgroupsFor(blocks * vocab * d),
  );
  columnSumWebgpu(rt, partial.buffer, blocks, vocab * d, dtable);
  rt.recycle(partial);
}
