// dst[off + j] += sum over rows of src[r, j] on WebGPU, in stages so that long columns (a batch
// of 65k positions) are summed by many invocations: blocks of BLOCK rows into partials, the
// partials likewise until at most BLOCK remain, then those. The weight-gradient reductions of the
// WebGPU trainer go through here.
// CPU twin: the plain loop, as in linearBackwardCpu's bias gradient.
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

const BLOCK = 64;
const PARAMS = { rows: 'u32', cols: 'u32', blocks: 'u32', off: 'u32' } as const;

const PARTIAL_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> partial: array<f32>;
${uniformDeclaration(PARAMS, 2)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.blocks * p.cols) { return; }
  let blk = i / p.cols; let j = i % p.cols;
  let end = min(p.rows, (blk + 1u) * ${BLOCK}u);
  var s = 0.0;
  for (var r = blk * ${BLOCK}u; r < end; r = r + 1u) { s = s + src[r * p.cols + j]; }
  partial[i] = s;
}
`;

const FINAL_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
${uniformDeclaration(PARAMS, 2)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let j = flatWorkgroup(wid, nwg) * WG + lid;
  if (j >= p.cols) { return; }
  var s = 0.0;
  for (var b = 0u; b < p.blocks; b = b + 1u) { s = s + partial[b * p.cols + j]; }
  dst[p.off + j] = dst[p.off + j] + s;
}
`;

export function columnSumCpu(src: Float32Array, rows: number, cols: number, dst: Float32Array, off = 0): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) dst[off + j] += src[r * cols + j];
}

export function columnSumWebgpu(
  rt: GpuRuntime,
  src: GPUBuffer,
  rows: number,
  cols: number,
  dst: GPUBuffer,
  off = 0,
): void {
  // Blocks of BLOCK rows into partials, again while more than BLOCK remain, then the last few.
  const partials: GpuTensor[] = [];
  while (rows > BLOCK) {
    const blocks = Math.ceil(rows / BLOCK);
    const partial = rt.alloc([blocks * cols]);
    rt.run(
      PARTIAL_WGSL,
      [src, partial.buffer],
      packUniforms(PARAMS, { rows, cols, blocks, off }),
      workgroupsFor(blocks * cols),
    );
    partials.push(partial);
    src = partial.buffer;
    rows = blocks;
  }
  rt.run(FINAL_WGSL, [src, dst], packUniforms(PARAMS, { rows, cols, blocks: rows, off }), workgroupsFor(cols));
  for (const p of partials) rt.recycle(p);
}
