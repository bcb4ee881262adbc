// A SeqLab ONNX export (mamba-onnx.ts) as a session of onnxruntime: the module is the caller's
// (onnxruntime-web loaded for Node or for a page), so this file has no loading of its own. Runs
// token ids [batch, length], from the zero state (either mode) or from a carried state (step
// mode), and gives the logits, the next state and the per-layer mean Δ on host arrays.
import type * as Ort from 'onnxruntime-web';
import type { MambaConfig } from '../model/config';
import { ONNX_IO, type OnnxMode } from './mamba-onnx';
import { OnnxFormatError, readOnnxModelInfo } from './onnx-model-info';

export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>;
export type OrtSessionOptions = Ort.InferenceSession.SessionOptions;

/** The recurrent state of every layer: conv [layers, batch, d_in, k-1], ssm [layers, batch, d_in, n]. */
export interface OnnxState {
  readonly batch: number;
  readonly conv: Float32Array;
  readonly ssm: Float32Array;
}

export interface OnnxRunResult {
  /** [batch, length, vocab] */
  readonly logits: Float32Array;
  /** The state after the last token (step mode). */
  readonly state?: OnnxState;
  /** [layers, batch, length]: mean Δ over channels (step mode). */
  readonly meanDelta?: Float32Array;
}

export class OnnxMamba {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly mode: OnnxMode,
    readonly config: MambaConfig,
  ) {}

  /** Checks that `bytes` are a SeqLab export (errors name `source`) and opens a session on them. */
  static async create(
    ort: OrtModule,
    bytes: Uint8Array,
    source: string,
    options: OrtSessionOptions = {},
  ): Promise<OnnxMamba> {
    const { mode, config } = readOnnxModelInfo(bytes, source);
    const session = await ort.InferenceSession.create(bytes, options);
    const missing = [ONNX_IO.inputIds, ...(mode === 'step' ? [ONNX_IO.convState, ONNX_IO.ssmState] : [])].filter(
      (name) => !session.inputNames.includes(name),
    );
    if (missing.length > 0) {
      await session.release();
      throw new OnnxFormatError(`${source}: its graph has no input ${missing.join(', ')}`);
    }
    return new OnnxMamba(ort, session, mode, config);
  }

  zeroState(batch: number): OnnxState {
    const { numLayers: layers, intermediateSize: c, convKernel: k, stateSize: n } = this.config;
    return {
      batch,
      conv: new Float32Array(layers * batch * c * (k - 1)),
      ssm: new Float32Array(layers * batch * c * n),
    };
  }

  /**
   * Runs ids [batch, length] (row-major). A full-mode graph always starts from zeros and takes no
   * state; a step-mode graph starts from `state` (zeros when absent) and returns the next one.
   */
  async run(ids: Int32Array, batch: number, length: number, state?: OnnxState): Promise<OnnxRunResult> {
    if (ids.length !== batch * length || length < 1)
      throw new RangeError(`${ids.length} token ids for [${batch}, ${length}]`);
    const { numLayers: layers, intermediateSize: c, convKernel: k, stateSize: n } = this.config;
    const T = this.ort.Tensor;
    const feeds: Record<string, Ort.Tensor> = {
      [ONNX_IO.inputIds]: new T('int64', BigInt64Array.from(ids, BigInt), [batch, length]),
    };
    if (this.mode === 'full') {
      if (state) throw new Error('a full-mode ONNX graph starts from the zero state: export with --mode step');
      const out = await this.session.run(feeds);
      return { logits: out[ONNX_IO.logits].data as Float32Array };
    }
    const from = state ?? this.zeroState(batch);
    if (from.batch !== batch) throw new RangeError(`a state of batch ${from.batch} for ids of batch ${batch}`);
    feeds[ONNX_IO.convState] = new T('float32', from.conv, [layers, batch, c, k - 1]);
    feeds[ONNX_IO.ssmState] = new T('float32', from.ssm, [layers, batch, c, n]);
    const out = await this.session.run(feeds);
    return {
      logits: out[ONNX_IO.logits].data as Float32Array,
      state: {
        batch,
        conv: out[ONNX_IO.convStateOut].data as Float32Array,
        ssm: out[ONNX_IO.ssmStateOut].data as Float32Array,
      },
      meanDelta: out[ONNX_IO.meanDelta].data as Float32Array,
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
