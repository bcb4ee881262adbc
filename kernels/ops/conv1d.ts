// Causal depthwise conv1d over l with optional bias and fused activation:
//   y[b, t, c] = act(bias[c] + sum_{j<k} weight[c, j] * x[b, t-(k-1)+j, c])
// x [b, l, c], weight [c, k] (HF's [c, 1, k] squeezed), bias [c]?, state [b, c, k-1]? holding the
// k-1 inputs before t = 0, oldest first (zeros when absent). Returns y and the new state: the
// last k-1 inputs of state ++ x. With l = 1 this is the recurrent one-step update.
import { shapeText, type Activation, type FloatArray } from '../backend';
import { activate, activationWgsl } from './activation';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

/** Input at time t (t < 0 reads the state, or zero without one) of batch bi, channel ci. */
function conv1dInput(
  x: FloatArray,
  state: FloatArray | undefined,
  l: number,
  c: number,
  w: number,
  bi: number,
  t: number,
  ci: number,
): number {
  return t >= 0 ? x[(bi * l + t) * c + ci] : state ? state[(bi * c + ci) * w + w + t] : 0;
}

/** What the CPU twin writes: y, the new state, and the pre-activation when asked for (the trainer's backward reads it). */
export interface Conv1dResult<A extends FloatArray> {
  y: A; // [b, l, c]
  state: A; // [b, c, k-1]
  pre?: A; // [b, l, c]
}

/** CPU twin: writes `out` and returns it. */
export function conv1dCpu<A extends FloatArray>(
  x: FloatArray,
  b: number,
  l: number,
  c: number,
  weight: FloatArray,
  k: number,
  bias: FloatArray | undefined,
  state: FloatArray | undefined,
  act: Activation,
  out: Conv1dResult<A>,
): Conv1dResult<A> {
  const w = k - 1,
    { y, pre } = out;
  for (let bi = 0; bi < b; bi++) {
    for (let t = 0; t < l; t++) {
      const o = (bi * l + t) * c;
      if (t >= w) {
        // Every tap inside x: the inner loop reads x directly (most of l).
        const first = o - w * c;
        for (let ci = 0; ci < c; ci++) {
          let s = bias ? bias[ci] : 0;
          for (let j = 0; j < k; j++) s += weight[ci * k + j] * x[first + j * c + ci];
          if (pre) pre[o + ci] = s;
          y[o + ci] = activate(s, act);
        }
      } else {
        for (let ci = 0; ci < c; ci++) {
          let s = bias ? bias[ci] : 0;
          for (let j = 0; j < k; j++) s += weight[ci * k + j] * conv1dInput(x, state, l, c, w, bi, t - w + j, ci);
          if (pre) pre[o + ci] = s;
          y[o + ci] = activate(s, act);
        }
      }
    }
    for (let ci = 0; ci < c; ci++) {
      for (let j = 0; j < w; j++) out.state[(bi * c + ci) * w + j] = conv1dInput(x, state, l, c, w, bi, l - w + j, ci);
    }
  }
  return out;
}

const CONV1D_PARAMS = { n: 'u32', b: 'u32', l: 'u32', c: 'u32', k: 'u32' } as const;

/** WGSL: the input at time t (negative t reads the carried state, or zero without one). */
function conv1dInputWgsl(hasState: boolean): string {
  return `
fn inputAt(bi: u32, t: i32, ci: u32) -> f32 {
  if (t >= 0) { return x[(bi * p.l + u32(t)) * p.c + ci]; }
  ${hasState ? 'return stateIn[(bi * p.c + ci) * (p.k - 1u) + u32(i32(p.k - 1u) + t)];' : 'return 0.0;'}
}
`;
}

/** WGSL twin of y: one invocation per output element (b, t, c). */
function conv1dWgsl(hasBias: boolean, hasState: boolean, act: Activation): string {
  const storage = ['x', 'weight', ...(hasBias ? ['bias'] : []), ...(hasState ? ['stateIn'] : [])];
  return `${GRID_WGSL}${activationWgsl(act)}
${storage.map((name, i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<f32>;`).join('\n')}
@group(0) @binding(${storage.length}) var<storage, read_write> y: array<f32>;
${uniformDeclaration(CONV1D_PARAMS, storage.length + 1)}${conv1dInputWgsl(hasState)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.n) { return; }
  let ci = i % p.c;
  let row = i / p.c;
  let t = i32(row % p.l) - i32(p.k - 1u);
  let bi = row / p.l;
  var s = ${hasBias ? 'bias[ci]' : '0.0'};
  for (var j = 0u; j < p.k; j++) { s += weight[ci * p.k + j] * inputAt(bi, t + i32(j), ci); }
  y[i] = activate(s);
}
`;
}

/** WGSL twin of the new state: the last k-1 inputs of state ++ x, per (b, c). */
function conv1dStateWgsl(hasState: boolean): string {
  const storage = ['x', ...(hasState ? ['stateIn'] : [])];
  return `${GRID_WGSL}
${storage.map((name, i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<f32>;`).join('\n')}
@group(0) @binding(${storage.length}) var<storage, read_write> stateOut: array<f32>;
${uniformDeclaration(CONV1D_PARAMS, storage.length + 1)}${conv1dInputWgsl(hasState)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.n) { return; }
  let w = p.k - 1u;
  let j = i % w;
  let ci = (i / w) % p.c;
  let bi = i / (w * p.c);
  stateOut[i] = inputAt(bi, i32(p.l) - i32(w) + i32(j), ci);
}
`;
}

/** WebGPU twin: x [b, l, c], weight [c, k], bias [c]?, state [b, c, k-1]? -> y [b, l, c], state [b, c, k-1]. */
export function conv1dWebgpu(
  rt: GpuRuntime,
  x: GpuTensor,
  weight: GpuTensor,
  bias: GpuTensor | undefined,
  state: GpuTensor | undefined,
  act: Activation,
): { y: GpuTensor; state: GpuTensor } {
  if (x.shape.length !== 3) throw new RangeError(`conv1d: x must be [b, l, c], got ${shapeText(x.shape)}`);
  const [b, l, c] = x.shape;
  if (weight.shape.length !== 2 || weight.shape[0] !== c || weight.shape[1] < 1)
    throw new RangeError(`conv1d: weight ${shapeText(weight.shape)} does not fit x ${shapeText(x.shape)}`);
  const k = weight.shape[1];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== c))
    throw new RangeError(`conv1d: bias ${shapeText(bias.shape)} does not fit ${c} channels`);
  if (state && (state.shape.length !== 3 || state.shape[0] !== b || state.shape[1] !== c || state.shape[2] !== k - 1)) {
    throw new RangeError(`conv1d: state ${shapeText(state.shape)} is not [${b}, ${c}, ${k - 1}]`);
  }
  const y = rt.alloc([b, l, c]);
  const next = rt.alloc([b, c, k - 1]);
  const stateIn = state ? [state.buffer] : [];
  if (y.size > 0) {
    rt.run(
      conv1dWgsl(bias !== undefined, state !== undefined, act),
      [x.buffer, weight.buffer, ...(bias ? [bias.buffer] : []), ...stateIn, y.buffer],
      packUniforms(CONV1D_PARAMS, { n: y.size, b, l, c, k }),
      workgroupsFor(y.size),
    );
  }
  if (next.size > 0) {
    rt.run(
      conv1dStateWgsl(state !== undefined),
      [x.buffer, ...stateIn, next.buffer],
      packUniforms(CONV1D_PARAMS, { n: next.size, b, l, c, k }),
      workgroupsFor(next.size),
    );
  }
  return { y, state: next };
}
