// Slice of the last dimension: x [rows, w] -> out [rows, width] = x[:, start:start+width].
// Splits in_proj's output into x and z, and x_proj's into dt, B and C.
import { shapeText, type FloatArray } from '../backend';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

/** CPU twin: writes out [rows, width] and returns it. */
export function sliceLastCpu<A extends FloatArray>(
  x: FloatArray,
  rows: number,
  w: number,
  start: number,
  width: number,
  out: A,
): A {
  if (start < 0 || width < 0 || start + width > w)
    throw new RangeError(`slice [${start}, ${start + width}) is outside the last dimension ${w}`);
  // A plain loop: the trainer's slices are a few columns wide, where a subarray per row costs more than the copy.
  for (let r = 0; r < rows; r++) {
    const src = r * w + start,
      dst = r * width;
    for (let j = 0; j < width; j++) out[dst + j] = x[src + j];
  }
  return out;
}

const SLICE_LAST_PARAMS = { n: 'u32', w: 'u32', start: 'u32', width: 'u32' } as const;

/** WGSL twin: one invocation per output element. */
const SLICE_LAST_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${uniformDeclaration(SLICE_LAST_PARAMS, 2)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.n) { return; }
  let row = i / p.width;
  out[i] = x[row * p.w + p.start + (i - row * p.width)];
}
`;

/** WebGPU twin: x [.., w] -> [.., width]. */
export function sliceLastWebgpu(rt: GpuRuntime, x: GpuTensor, start: number, width: number): GpuTensor {
  const w = x.shape[x.shape.length - 1];
  if (!Number.isInteger(start) || !Number.isInteger(width) || start < 0 || width < 0 || start + width > w) {
    throw new RangeError(
      `sliceLast: [${start}, ${start + width}) is outside the last dimension of ${shapeText(x.shape)}`,
    );
  }
  const out = rt.alloc([...x.shape.slice(0, -1), width]);
  if (out.size > 0)
    rt.run(
      SLICE_LAST_WGSL,
      [x.buffer, out.buffer],
      packUniforms(SLICE_LAST_PARAMS, { n: out.size, w, start, width }),
      workgroupsFor(out.size),
    );
  return out;
}
