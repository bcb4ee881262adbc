// Embedding lookup: ids [b, l] int32, table [v, d] -> out [b, l, d], out[i, :] = table[ids[i], :].
// An id outside [0, v) is an error naming its position.
import { shapeText, type FloatArray } from '../backend';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, nanWgsl, workgroupsFor } from '../webgpu/wgsl-common';

/** CPU twin: writes out [ids.length, d] and returns it. */
export function embeddingCpu<A extends FloatArray>(
  table: FloatArray,
  v: number,
  d: number,
  ids: Int32Array,
  out: A,
): A {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < v))
      throw new RangeError(`token id ${id} at position ${i} is outside the vocabulary [0, ${v})`);
    out.set(table.subarray(id * d, id * d + d), i * d);
  }
  return out;
}

const EMBEDDING_PARAMS = { n: 'u32', v: 'u32', d: 'u32' } as const;

/** WGSL twin: one invocation per output element; a bad id (checked on the host first) gives NaN. */
const EMBEDDING_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${uniformDeclaration(EMBEDDING_PARAMS, 3)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.n) { return; }
  let row = i / p.d;
  let id = ids[row];
  if (id < 0 || u32(id) >= p.v) { out[i] = ${nanWgsl('p.n')}; return; }
  out[i] = table[u32(id) * p.d + (i - row * p.d)];
}
`;

/** WebGPU twin: table [v, d], ids [..] -> [.., d]. */
export function embeddingWebgpu(rt: GpuRuntime, table: GpuTensor, ids: GpuTensor): GpuTensor {
  if (table.shape.length !== 2) throw new RangeError(`embedding: table must be [v, d], got ${shapeText(table.shape)}`);
  const [v, d] = table.shape;
  ids.hostIds?.forEach((id, i) => {
    if (!(id >= 0 && id < v))
      throw new RangeError(`token id ${id} at position ${i} is outside the vocabulary [0, ${v})`);
  });
  const out = rt.alloc([...ids.shape, d]);
  if (out.size > 0) {
    rt.run(
      EMBEDDING_WGSL,
      [table.buffer, ids.buffer, out.buffer],
      packUniforms(EMBEDDING_PARAMS, { n: out.size, v, d }),
      workgroupsFor(out.size),
    );
  }
  return out;
}
