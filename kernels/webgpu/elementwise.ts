// Elementwise kernels over equal-shaped f32 tensors: out[i] = expr(in0[i], in1[i], …).
// add and gate are one line each on top of this.
import { sameShape, shapeText } from '../backend';
import type { GpuRuntime } from './runtime';
import type { GpuTensor } from './tensor';
import { packUniforms, uniformDeclaration } from './uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from './wgsl-common';

const PARAMS = { n: 'u32' } as const;

/** WGSL for `out[i] = expr`, where expr reads `a` (and `b`) at element i; `prelude` adds functions. */
export function elementwiseWgsl(inputs: number, expr: string, prelude = ''): string {
  const names = ['a', 'b', 'c'].slice(0, inputs);
  return `${GRID_WGSL}${prelude}
${names.map((name, i) => `@group(0) @binding(${i}) var<storage, read> ${name}In: array<f32>;`).join('\n')}
@group(0) @binding(${inputs}) var<storage, read_write> out: array<f32>;
${uniformDeclaration(PARAMS, inputs + 1)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.n) { return; }
${names.map((name) => `  let ${name} = ${name}In[i];`).join('\n')}
  out[i] = ${expr};
}
`;
}

export function runElementwise(
  rt: GpuRuntime,
  what: string,
  inputs: readonly GpuTensor[],
  expr: string,
  prelude = '',
): GpuTensor {
  for (const t of inputs.slice(1)) {
    if (!sameShape(t.shape, inputs[0].shape))
      throw new RangeError(`${what}: shapes ${inputs.map((x) => shapeText(x.shape)).join(' and ')} differ`);
  }
  const out = rt.alloc(inputs[0].shape);
  if (out.size > 0) {
    rt.run(
      elementwiseWgsl(inputs.length, expr, prelude),
      [...inputs.map((t) => t.buffer), out.buffer],
      packUniforms(PARAMS, { n: out.size }),
      workgroupsFor(out.size),
    );
  }
  return out;
}
