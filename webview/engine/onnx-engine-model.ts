// A model as a step-mode ONNX graph (kernels/onnx) in onnxruntime-web, as an EngineModel: the
// weights exported in memory, scoring in chunks with the state carried (the graph's logits give
// the surprisal, its mean_delta output Δ), generation by kernels/onnx/onnx-generate.ts. No DOM:
// the runtime module and its execution providers are the caller's.
import type { GenerateOptions } from '../../kernels/model/generate';
import { tokenBatch } from '../../kernels/model/token-ids';
import { mambaOnnxModel } from '../../kernels/onnx/mamba-onnx';
import { generateOnnx } from '../../kernels/onnx/onnx-generate';
import { OnnxMamba, type OnnxState, type OrtModule, type OrtSessionOptions } from '../../kernels/onnx/onnx-session';
import { surprisalBitsCpu } from '../../kernels/ops/surprisal';
import type { EngineModel, ModelMaker, ScoredRun } from './engine-model';

export class OnnxEngineModel implements EngineModel<OnnxState> {
  readonly backend = 'onnx';

  constructor(
    private readonly onnx: OnnxMamba,
    readonly reason: string,
    readonly device: string,
  ) {}

  get config() {
    return this.onnx.config;
  }

  zeroState(): OnnxState {
    return this.onnx.zeroState(1);
  }

  async score(
    state: OnnxState,
    fed: Int32Array,
    targets: Int32Array,
    collectDelta: boolean,
  ): Promise<ScoredRun<OnnxState>> {
    const n = fed.length,
      r = await this.onnx.run(fed, 1, n, state);
    const meanDelta = collectDelta
      ? Array.from({ length: this.config.numLayers }, (_, l) => r.meanDelta!.slice(l * n, (l + 1) * n))
      : [];
    return {
      surprisal: surprisalBitsCpu(r.logits, n, this.config.vocabSize, targets),
      meanDelta,
      state: r.state!,
    };
  }

  freeState(): void {} // host arrays: nothing to free

  async generate(prompt: Int32Array, options: GenerateOptions): Promise<number[]> {
    const batch = tokenBatch([prompt], this.config.vocabSize, 'generate prompt');
    return (await generateOnnx(this.onnx, batch, options)).tokens[0];
  }

  dispose(): void {
    void this.onnx.release();
  }
}

/** Where sessions run: onnxruntime's execution providers, and the reason and device to report. */
export interface OnnxPlacement {
  options: OrtSessionOptions;
  reason: string;
  device: string;
}

/** Models exported to ONNX in memory and opened where `place` says. */
export function onnxModels(ort: OrtModule, place: () => Promise<OnnxPlacement>): ModelMaker {
  return async (config, params, preference) => {
    if (preference !== 'onnx') throw new Error(`a ${preference} model runs on a kernels backend, not in ONNX`);
    const { options, reason, device } = await place();
    const onnx = await OnnxMamba.create(ort, mambaOnnxModel(config, params, 'step'), 'model exported to ONNX', options);
    return new OnnxEngineModel(onnx, reason, device);
  };
}
