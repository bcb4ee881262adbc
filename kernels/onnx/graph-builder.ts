// A small writer of ONNX graphs over onnx-proto's generated protobuf types: nodes with generated
// output names, float32 / int64 initializers, typed attributes, graph inputs and outputs. The
// Mamba graph (mamba-onnx.ts) is written with it; protobuf encoding is onnx-proto's.
import { onnx } from 'onnx-proto';

const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

export type ElemType = 'float32' | 'int64';
const ELEM: Record<ElemType, number> = { float32: DataType.FLOAT, int64: DataType.INT64 };

/** A dimension of a graph input or output: a fixed size, or a named dynamic one. */
export type Dim = number | string;

export type Attribute =
  { int: number } | { ints: readonly number[] } | { tensor: onnx.ITensorProto } | { graph: onnx.IGraphProto };

function attribute(name: string, a: Attribute): onnx.IAttributeProto {
  if ('int' in a) return { name, type: AttributeType.INT, i: a.int };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: [...a.ints] };
  if ('tensor' in a) return { name, type: AttributeType.TENSOR, t: a.tensor };
  return { name, type: AttributeType.GRAPH, g: a.graph };
}

/** A tensor value with its bytes as little-endian raw data (the platform order of typed arrays here). */
export function tensorProto(
  name: string,
  data: Float32Array | BigInt64Array,
  dims: readonly number[],
): onnx.ITensorProto {
  return {
    name,
    dims: [...dims],
    dataType: data instanceof Float32Array ? DataType.FLOAT : DataType.INT64,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

export function valueInfo(name: string, elem: ElemType, dims?: readonly Dim[]): onnx.IValueInfoProto {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: { elemType: ELEM[elem], ...(shape ? { shape } : {}) } } };
}

export class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private count = 0;

  /** `prefix` keeps the generated names of a subgraph apart from its parent's. */
  constructor(private readonly prefix = '') {}

  /** Adds a node; its outputs get fresh names (a count) or the given ones, which it returns. */
  op(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, Attribute> = {},
    outputs: number | readonly string[] = 1,
  ): string[] {
    const id = `${this.prefix}${opType}_${this.count++}`;
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${id}:${i}`) : [...outputs];
    this.nodes.push({
      name: id,
      opType,
      input: [...inputs],
      output: names,
      attribute: Object.entries(attrs).map(([n, a]) => attribute(n, a)),
    });
    return names;
  }

  /** `op` with exactly one output. */
  op1(opType: string, inputs: readonly string[], attrs: Record<string, Attribute> = {}): string {
    return this.op(opType, inputs, attrs)[0];
  }

  /** A named float32 initializer. */
  floats(name: string, data: Float32Array, dims: readonly number[]): string {
    this.initializers.push(tensorProto(name, data, dims));
    return name;
  }

  /** An int64 vector initializer (axes, shapes, split sizes, indices) under a generated name. */
  ints(values: readonly number[]): string {
    const name = `${this.prefix}const_${this.count++}`;
    this.initializers.push(tensorProto(name, BigInt64Array.from(values, BigInt), [values.length]));
    return name;
  }

  /** An int64 scalar initializer. */
  scalarInt(value: number): string {
    const name = `${this.prefix}const_${this.count++}`;
    this.initializers.push(tensorProto(name, BigInt64Array.of(BigInt(value)), []));
    return name;
  }

  graph(name: string, inputs: onnx.IValueInfoProto[], outputs: onnx.IValueInfoProto[]): onnx.IGraphProto {
    return { name, node: this.nodes, initializer: this.initializers, input: inputs, output: outputs };
  }
}
