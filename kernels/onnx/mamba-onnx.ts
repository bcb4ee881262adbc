// A MambaForCausalLM as a standard ONNX graph (opset 17, no custom ops), from a config and its
// HF-named float32 weights, in one of two modes:
//
//   full: input_ids int64 [batch, length] -> logits float32 [batch, length, vocab]; the state
//         starts at zero.
//   step: input_ids int64 [batch, length], conv_state [layers, batch, d_in, k-1] and
//         ssm_state [layers, batch, d_in, n] -> logits, conv_state_out, ssm_state_out (same
//         shapes as the inputs) and mean_delta [layers, batch, length] (mean Δ over channels).
//         length 1 is one recurrent step; a longer chunk carries the state across it, so a long
//         sequence streams in chunks (the conv window is the last k-1 conv inputs, oldest first).
//
// Both modes are one graph: the causal conv is a depthwise Conv over the conv window followed by
// the chunk, and the selective scan a Scan op over the time axis carrying h [batch, d_in, n]
// (exp(Δ·A) and Δ·B·x are computed for all positions before it, so the loop body is three ops);
// full mode starts both from zeros and returns only the logits. Initializers
// keep the HF names and shapes (linear weights [out, in] go through a Transpose, which runtimes
// fold at load); a tied head reads the embedding initializer. The config and mode are stored in
// the model's metadata, which onnx-model-info.ts checks when a file is read back.
import { onnx } from 'onnx-proto';
import type { HostTensor } from '../io/safetensors';
import { type MambaConfig, mambaConfigToJson } from '../model/config';
import type { MambaLayerParams, MambaParams } from '../model/weights';
import { GraphBuilder, tensorProto, valueInfo } from './graph-builder';

export type OnnxMode = 'full' | 'step';
export const ONNX_MODES: readonly OnnxMode[] = ['full', 'step'];

/** What the metadata of a SeqLab export says (metadata_props keys and the format's name). */
export const ONNX_FORMAT = { name: 'mamba-seqlab-onnx', version: '1' } as const;
export const ONNX_META = {
  format: 'seqlab.format',
  version: 'seqlab.format_version',
  mode: 'seqlab.mode',
  config: 'seqlab.config',
} as const;

/** The graph's input and output names. */
export const ONNX_IO = {
  inputIds: 'input_ids',
  convState: 'conv_state',
  ssmState: 'ssm_state',
  logits: 'logits',
  convStateOut: 'conv_state_out',
  ssmStateOut: 'ssm_state_out',
  meanDelta: 'mean_delta',
} as const;

export const ONNX_OPSET = 17;
const IR_VERSION = 8;
/** protobuf messages stop at 2 GiB; ONNX's external-data files are not written here. */
const MAX_PROTO_BYTES = 2 ** 31 - 1;

export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

/** The float32 bytes the weights take (a tied head once). */
function weightBytes(params: MambaParams<HostTensor>): number {
  const seen = new Set<HostTensor>();
  const all = [params.embedding, params.normF, params.lmHead, ...params.layers.flatMap((l) => Object.values(l))];
  let bytes = 0;
  for (const t of all as (HostTensor | undefined)[])
    if (t && !seen.has(t)) {
      seen.add(t);
      bytes += t.data.byteLength;
    }
  return bytes;
}

class MambaGraph {
  readonly g = new GraphBuilder();
  private readonly c: number;
  private readonly eps: string;

  constructor(
    private readonly config: MambaConfig,
    private readonly mode: OnnxMode,
  ) {
    this.c = config.intermediateSize;
    this.eps = this.g.floats('layer_norm_epsilon', Float32Array.of(config.layerNormEpsilon), []);
  }

  private weight(name: string, t: HostTensor, shape: readonly number[] = t.shape): string {
    return this.g.floats(name, t.data, shape);
  }

  /** x [.., in] @ W^T for an HF linear weight W [out, in] (+ bias). */
  private linear(x: string, w: string, bias?: string): string {
    const y = this.g.op1('MatMul', [x, this.g.op1('Transpose', [w], { perm: { ints: [1, 0] } })]);
    return bias ? this.g.op1('Add', [y, bias]) : y;
  }

  private silu(x: string): string {
    return this.g.op1('Mul', [x, this.g.op1('Sigmoid', [x])]);
  }

  /** HF MambaRMSNorm: weight * x / sqrt(mean(x^2) + eps) over the last axis. */
  private rmsNorm(x: string, weight: string): string {
    const g = this.g;
    const ms = g.op1('ReduceMean', [g.op1('Mul', [x, x])], { axes: { ints: [-1] }, keepdims: { int: 1 } });
    return g.op1('Mul', [g.op1('Div', [x, g.op1('Sqrt', [g.op1('Add', [ms, this.eps])])]), weight]);
  }

  /** The loop body: h = a*h + bu; y = h @ c, with a, bu [b, d_in, n] and c [b, n, 1]. */
  private scanBody(): onnx.IGraphProto {
    const body = new GraphBuilder('scan/');
    body.op('Add', [body.op1('Mul', ['a', 'h']), 'bu'], {}, ['h_next']);
    body.op('MatMul', ['h_next', 'c'], {}, ['y']);
    return body.graph(
      'selective_scan_step',
      ['h', 'a', 'bu', 'c'].map((n) => valueInfo(n, 'float32')),
      ['h_next', 'y'].map((n) => valueInfo(n, 'float32')),
    );
  }

  /**
   * One residual block on x [b, l, d] from the layer's conv window [b, d_in, k-1] and SSM state
   * h0 [b, d_in, n] (zeros in full mode). Returns the block's output and, in step mode, its new
   * conv window, SSM state and mean Δ [b, l].
   */
  private layer(
    i: number,
    p: MambaLayerParams<HostTensor>,
    x: string,
    convIn: string,
    h0: string,
  ): { x: string; conv: string; ssm: string; meanDelta: string } | { x: string } {
    const g = this.g,
      { convKernel: k, timeStepRank: r, stateSize: n } = this.config,
      c = this.c;
    const name = (s: string) => `backbone.layers.${i}.${s}`;
    const h = this.rmsNorm(x, this.weight(name('norm.weight'), p.norm));
    const xz = this.linear(
      h,
      this.weight(name('mixer.in_proj.weight'), p.inProj),
      p.inProjBias && this.weight(name('mixer.in_proj.bias'), p.inProjBias),
    );
    const [xs, z] = g.op('Split', [xz, g.ints([c, c])], { axis: { int: 2 } }, 2);
    // Conv over time on [b, d_in, l], depthwise (group d_in) with the HF weight [d_in, 1, k].
    const xsT = g.op1('Transpose', [xs], { perm: { ints: [0, 2, 1] } });
    const convW = this.weight(name('mixer.conv1d.weight'), p.convWeight, [c, 1, k]);
    const convB = p.convBias ? [this.weight(name('mixer.conv1d.bias'), p.convBias)] : [];
    const window = g.op1('Concat', [convIn, xsT], { axis: { int: 2 } }); // [b, d_in, k-1+l]
    const conv = g.op1('Conv', [window, convW, ...convB], { group: { int: c }, kernel_shape: { ints: [k] } });
    const u = g.op1('Transpose', [this.silu(conv)], { perm: { ints: [0, 2, 1] } }); // [b, l, d_in]
    const dbc = this.linear(u, this.weight(name('mixer.x_proj.weight'), p.xProj));
    const [dt, bm, cm] = g.op('Split', [dbc, g.ints([r, n, n])], { axis: { int: 2 } }, 3);
    const delta = g.op1('Softplus', [
      this.linear(
        dt,
        this.weight(name('mixer.dt_proj.weight'), p.dtProjWeight),
        this.weight(name('mixer.dt_proj.bias'), p.dtProjBias),
      ),
    ]);
    const a = g.op1('Neg', [g.op1('Exp', [this.weight(name('mixer.A_log'), p.aLog)])]); // [d_in, n]
    const axis3 = g.ints([3]);
    const dA = g.op1('Exp', [g.op1('Mul', [g.op1('Unsqueeze', [delta, axis3]), a])]); // [b, l, d_in, n]
    const dBu = g.op1('Mul', [
      g.op1('Unsqueeze', [g.op1('Mul', [delta, u]), axis3]),
      g.op1('Unsqueeze', [bm, g.ints([2])]),
    ]);
    const c4 = g.op1('Unsqueeze', [cm, axis3]); // [b, l, n, 1]
    const [hLast, y4] = g.op(
      'Scan',
      [h0, dA, dBu, c4],
      {
        body: { graph: this.scanBody() },
        num_scan_inputs: { int: 3 },
        scan_input_axes: { ints: [1, 1, 1] },
        scan_output_axes: { ints: [1] },
      },
      2,
    );
    const y = g.op1('Add', [
      g.op1('Squeeze', [y4, axis3]), // [b, l, d_in]
      g.op1('Mul', [u, this.weight(name('mixer.D'), p.D)]),
    ]);
    const out = this.linear(
      g.op1('Mul', [y, this.silu(z)]),
      this.weight(name('mixer.out_proj.weight'), p.outProj),
      p.outProjBias && this.weight(name('mixer.out_proj.bias'), p.outProjBias),
    );
    const next = g.op1('Add', [x, out]);
    if (this.mode === 'full') return { x: next };
    return {
      x: next,
      conv: g.op1('Slice', [window, g.ints([-(k - 1)]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([2])]),
      ssm: hLast,
      meanDelta: g.op1('ReduceMean', [delta], { axes: { ints: [2] }, keepdims: { int: 0 } }),
    };
  }

  build(params: MambaParams<HostTensor>): onnx.IModelProto {
    const g = this.g,
      cfg = this.config,
      { numLayers: layers, vocabSize: v, convKernel: k, stateSize: n } = cfg,
      c = this.c,
      step = this.mode === 'step';
    const embedding = this.weight('backbone.embeddings.weight', params.embedding);
    let x = g.op1('Gather', [embedding, ONNX_IO.inputIds], { axis: { int: 0 } });
    const zeros = step ? undefined : { conv: this.zeros([c, k - 1]), ssm: this.zeros([c, n]) };
    const convs: string[] = [],
      ssms: string[] = [],
      deltas: string[] = [];
    params.layers.forEach((p, i) => {
      const pick = (stacked: string) => g.op1('Gather', [stacked, g.scalarInt(i)], { axis: { int: 0 } });
      const r = this.layer(i, p, x, zeros?.conv ?? pick(ONNX_IO.convState), zeros?.ssm ?? pick(ONNX_IO.ssmState));
      x = r.x;
      if ('ssm' in r) {
        convs.push(r.conv);
        ssms.push(r.ssm);
        deltas.push(r.meanDelta);
      }
    });
    const head = cfg.tieWordEmbeddings ? embedding : this.weight('lm_head.weight', params.lmHead);
    const xf = this.rmsNorm(x, this.weight('backbone.norm_f.weight', params.normF));
    g.op('MatMul', [xf, g.op1('Transpose', [head], { perm: { ints: [1, 0] } })], {}, [ONNX_IO.logits]);
    const inputs = [valueInfo(ONNX_IO.inputIds, 'int64', ['batch', 'length'])];
    const outputs = [valueInfo(ONNX_IO.logits, 'float32', ['batch', 'length', v])];
    if (step) {
      const stack = (parts: string[], out: string) => {
        const axis0 = g.ints([0]);
        g.op(
          'Concat',
          parts.map((t) => g.op1('Unsqueeze', [t, axis0])),
          { axis: { int: 0 } },
          [out],
        );
      };
      stack(convs, ONNX_IO.convStateOut);
      stack(ssms, ONNX_IO.ssmStateOut);
      stack(deltas, ONNX_IO.meanDelta);
      const convDims = [layers, 'batch', c, k - 1],
        ssmDims = [layers, 'batch', c, n];
      inputs.push(valueInfo(ONNX_IO.convState, 'float32', convDims), valueInfo(ONNX_IO.ssmState, 'float32', ssmDims));
      outputs.push(
        valueInfo(ONNX_IO.convStateOut, 'float32', convDims),
        valueInfo(ONNX_IO.ssmStateOut, 'float32', ssmDims),
        valueInfo(ONNX_IO.meanDelta, 'float32', [layers, 'batch', 'length']),
      );
    }
    return {
      irVersion: IR_VERSION,
      producerName: 'mamba-seqlab',
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      graph: g.graph(`mamba_${this.mode}`, inputs, outputs),
      metadataProps: [
        { key: ONNX_META.format, value: ONNX_FORMAT.name },
        { key: ONNX_META.version, value: ONNX_FORMAT.version },
        { key: ONNX_META.mode, value: this.mode },
        { key: ONNX_META.config, value: JSON.stringify(mambaConfigToJson(cfg)) },
      ],
    };
  }

  /** Zeros [batch, ...dims], batch taken from input_ids. */
  private zeros(dims: number[]): string {
    const g = this.g;
    const batch = g.op1('Slice', [g.op1('Shape', [ONNX_IO.inputIds]), g.ints([0]), g.ints([1])]);
    return g.op1('ConstantOfShape', [g.op1('Concat', [batch, g.ints(dims)], { axis: { int: 0 } })], {
      value: { tensor: tensorProto('zero', Float32Array.of(0), [1]) },
    });
  }
}

/** The encoded ONNX model (a .onnx file's bytes) of a model in `mode`. */
export function mambaOnnxModel(config: MambaConfig, params: MambaParams<HostTensor>, mode: OnnxMode): Uint8Array {
  if (config.convKernel < 2)
    throw new OnnxExportError(
      `conv_kernel ${config.convKernel}: the ONNX export needs a conv window (conv_kernel >= 2)`,
    );
  const bytes = weightBytes(params);
  if (bytes > MAX_PROTO_BYTES)
    throw new OnnxExportError(
      `the weights take ${bytes} bytes, more than the 2 GiB an ONNX file without external data can hold`,
    );
  return onnx.ModelProto.encode(new MambaGraph(config, mode).build(params)).finish();
}
