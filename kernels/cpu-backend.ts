// The CPU backend: the Backend contract over Float32Array/Int32Array with each op's CPU twin.
// Runs wherever JavaScript runs (extension host worker, webview worker, CLI); the path for users
// without WebGPU. Shapes are checked here so a caller's mistake names the op and the shapes.
import {
  type Activation,
  type Backend,
  type Conv1dOutputs,
  type ScanInputs,
  type ScanOutputs,
  type ScanVariant,
  type Tensor,
  numel,
  sameShape,
  shapeText,
} from './backend';
import { addCpu } from './ops/add';
import { conv1dCpu } from './ops/conv1d';
import { embeddingCpu } from './ops/embedding';
import { gateCpu } from './ops/gate';
import { linearCpu } from './ops/linear';
import { meanLastCpu } from './ops/mean-last';
import { rmsNormCpu } from './ops/rms-norm';
import { selectiveScanChunkedCpu, selectiveScanSequentialCpu } from './ops/selective-scan';
import { sliceLastCpu } from './ops/slice-last';
import { surprisalBitsCpu } from './ops/surprisal';

class CpuTensor implements Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: 'f32' | 'i32',
    readonly data: Float32Array | Int32Array,
  ) {}
}

function check(ok: boolean, op: string, what: string): void {
  if (!ok) throw new RangeError(`cpu ${op}: ${what}`);
}

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly description = 'cpu: TypeScript, 1 thread';
  private disposed = false;

  /** The array behind an f32 tensor of this backend (the fused forward reads it in place). */
  f32(t: Tensor, op: string): Float32Array {
    if (this.disposed) throw new Error(`cpu ${op}: backend is disposed`);
    if (!(t instanceof CpuTensor)) throw new TypeError(`cpu ${op}: tensor was not made by the cpu backend`);
    if (t.dtype !== 'f32') throw new TypeError(`cpu ${op}: expected an f32 tensor, got ${t.dtype}`);
    return t.data as Float32Array;
  }

  i32(t: Tensor, op: string): Int32Array {
    if (!(t instanceof CpuTensor) || t.dtype !== 'i32')
      throw new TypeError(`cpu ${op}: expected an i32 tensor made by the cpu backend`);
    return t.data as Int32Array;
  }

  /** A tensor over `data`, which the caller hands over. */
  wrap(shape: readonly number[], data: Float32Array): Tensor {
    check(data.length === numel(shape), 'wrap', `${data.length} values for shape ${shapeText(shape)}`);
    return new CpuTensor([...shape], 'f32', data);
  }

  private opt(t: Tensor | undefined, op: string): Float32Array | undefined {
    return t === undefined ? undefined : this.f32(t, op);
  }

  upload(data: Float32Array, shape: readonly number[]): Tensor {
    check(data.length === numel(shape), 'upload', `${data.length} values for shape ${shapeText(shape)}`);
    return new CpuTensor([...shape], 'f32', Float32Array.from(data));
  }

  uploadIds(ids: Int32Array, shape: readonly number[]): Tensor {
    check(ids.length === numel(shape), 'uploadIds', `${ids.length} ids for shape ${shapeText(shape)}`);
    return new CpuTensor([...shape], 'i32', Int32Array.from(ids));
  }

  zeros(shape: readonly number[]): Tensor {
    return new CpuTensor([...shape], 'f32', new Float32Array(numel(shape)));
  }

  async read(t: Tensor): Promise<Float32Array> {
    return Float32Array.from(this.f32(t, 'read'));
  }

  async readIds(t: Tensor): Promise<Int32Array> {
    return Int32Array.from(this.i32(t, 'readIds'));
  }

  free(_t: Tensor): void {
    // Arrays are garbage collected; nothing to release.
  }

  embedding(table: Tensor, ids: Tensor): Tensor {
    const [v, d] = table.shape;
    check(table.shape.length === 2, 'embedding', `table must be [v, d], got ${shapeText(table.shape)}`);
    return new CpuTensor(
      [...ids.shape, d],
      'f32',
      embeddingCpu(
        this.f32(table, 'embedding'),
        v,
        d,
        this.i32(ids, 'embedding'),
        new Float32Array(numel(ids.shape) * d),
      ),
    );
  }

  rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
    const d = x.shape[x.shape.length - 1];
    check(
      sameShape(weight.shape, [d]),
      'rmsNorm',
      `weight ${shapeText(weight.shape)} does not match x ${shapeText(x.shape)}`,
    );
    return new CpuTensor(
      x.shape,
      'f32',
      rmsNormCpu(
        this.f32(x, 'rmsNorm'),
        numel(x.shape) / d,
        d,
        this.f32(weight, 'rmsNorm'),
        eps,
        new Float32Array(numel(x.shape)),
      ),
    );
  }

  linear(x: Tensor, weight: Tensor, bias: Tensor | undefined, act: Activation): Tensor {
    const k = x.shape[x.shape.length - 1],
      [m, wk] = weight.shape;
    check(
      weight.shape.length === 2 && wk === k,
      'linear',
      `weight ${shapeText(weight.shape)} does not take x ${shapeText(x.shape)}`,
    );
    check(!bias || sameShape(bias.shape, [m]), 'linear', `bias ${bias ? shapeText(bias.shape) : ''} is not [${m}]`);
    const rows = numel(x.shape) / k;
    return new CpuTensor(
      [...x.shape.slice(0, -1), m],
      'f32',
      linearCpu(
        this.f32(x, 'linear'),
        rows,
        k,
        this.f32(weight, 'linear'),
        m,
        this.opt(bias, 'linear'),
        act,
        new Float32Array(rows * m),
      ),
    );
  }

  sliceLast(x: Tensor, start: number, width: number): Tensor {
    const w = x.shape[x.shape.length - 1],
      rows = numel(x.shape) / w;
    return new CpuTensor(
      [...x.shape.slice(0, -1), width],
      'f32',
      sliceLastCpu(this.f32(x, 'sliceLast'), rows, w, start, width, new Float32Array(rows * width)),
    );
  }

  conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | undefined,
    state: Tensor | undefined,
    act: Activation,
  ): Conv1dOutputs {
    const [b, l, c] = x.shape,
      k = weight.shape[1];
    check(
      x.shape.length === 3 && sameShape(weight.shape, [c, k]),
      'conv1d',
      `x ${shapeText(x.shape)} and weight ${shapeText(weight.shape)} must be [b, l, c] and [c, k]`,
    );
    check(!bias || sameShape(bias.shape, [c]), 'conv1d', `bias ${bias ? shapeText(bias.shape) : ''} is not [${c}]`);
    check(
      !state || sameShape(state.shape, [b, c, k - 1]),
      'conv1d',
      `state ${state ? shapeText(state.shape) : ''} is not [${b}, ${c}, ${k - 1}]`,
    );
    const r = conv1dCpu(
      this.f32(x, 'conv1d'),
      b,
      l,
      c,
      this.f32(weight, 'conv1d'),
      k,
      this.opt(bias, 'conv1d'),
      this.opt(state, 'conv1d'),
      act,
      { y: new Float32Array(b * l * c), state: new Float32Array(b * c * (k - 1)) },
    );
    return { y: new CpuTensor([b, l, c], 'f32', r.y), state: new CpuTensor([b, c, k - 1], 'f32', r.state) };
  }

  selectiveScan(inputs: ScanInputs, variant: ScanVariant): ScanOutputs {
    const [b, l, c] = inputs.u.shape,
      n = inputs.aLog.shape[1];
    const want: [string, Tensor | undefined, number[]][] = [
      ['u', inputs.u, [b, l, c]],
      ['delta', inputs.delta, [b, l, c]],
      ['aLog', inputs.aLog, [c, n]],
      ['B', inputs.B, [b, l, n]],
      ['C', inputs.C, [b, l, n]],
      ['D', inputs.D, [c]],
      ['h0', inputs.h0, [b, c, n]],
    ];
    for (const [name, t, shape] of want)
      check(
        !t || sameShape(t.shape, shape),
        'selectiveScan',
        `${name} ${t ? shapeText(t.shape) : ''} is not ${shapeText(shape)}`,
      );
    const arrays = {
      u: this.f32(inputs.u, 'selectiveScan'),
      delta: this.f32(inputs.delta, 'selectiveScan'),
      aLog: this.f32(inputs.aLog, 'selectiveScan'),
      B: this.f32(inputs.B, 'selectiveScan'),
      C: this.f32(inputs.C, 'selectiveScan'),
      D: this.f32(inputs.D, 'selectiveScan'),
      h0: this.opt(inputs.h0, 'selectiveScan'),
    };
    const dims = { b, l, c, n },
      out = { y: new Float32Array(b * l * c), hLast: new Float32Array(b * c * n) };
    const r =
      variant === 'sequential'
        ? selectiveScanSequentialCpu(arrays, dims, out)
        : selectiveScanChunkedCpu(arrays, dims, out);
    return { y: new CpuTensor([b, l, c], 'f32', r.y), hLast: new CpuTensor([b, c, n], 'f32', r.hLast) };
  }

  gate(y: Tensor, z: Tensor): Tensor {
    check(sameShape(y.shape, z.shape), 'gate', `y ${shapeText(y.shape)} and z ${shapeText(z.shape)} differ`);
    return new CpuTensor(
      y.shape,
      'f32',
      gateCpu(this.f32(y, 'gate'), this.f32(z, 'gate'), new Float32Array(numel(y.shape))),
    );
  }

  add(a: Tensor, b: Tensor): Tensor {
    check(sameShape(a.shape, b.shape), 'add', `a ${shapeText(a.shape)} and b ${shapeText(b.shape)} differ`);
    return new CpuTensor(
      a.shape,
      'f32',
      addCpu(this.f32(a, 'add'), this.f32(b, 'add'), new Float32Array(numel(a.shape))),
    );
  }

  meanLast(x: Tensor): Tensor {
    const w = x.shape[x.shape.length - 1];
    return new CpuTensor(x.shape.slice(0, -1), 'f32', meanLastCpu(this.f32(x, 'meanLast'), numel(x.shape) / w, w));
  }

  surprisalBits(logits: Tensor, targets: Tensor): Tensor {
    const v = logits.shape[logits.shape.length - 1],
      rows = numel(logits.shape) / v;
    check(
      numel(targets.shape) === rows,
      'surprisalBits',
      `targets ${shapeText(targets.shape)} do not match logits ${shapeText(logits.shape)}`,
    );
    return new CpuTensor(
      logits.shape.slice(0, -1),
      'f32',
      surprisalBitsCpu(this.f32(logits, 'surprisalBits'), rows, v, this.i32(targets, 'surprisalBits')),
    );
  }

  dispose(): void {
    this.disposed = true;
  }
}
