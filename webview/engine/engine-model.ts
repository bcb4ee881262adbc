// A loaded model as the engine's jobs (engine-core.ts) use it, apart from what runs it: the
// kernels/ model on a backend (kernel-engine-model.ts) or an ONNX graph in onnxruntime-web
// (onnx-engine-model.ts). The recurrent state is the model's own, opaque to the jobs.
import type { HostTensor } from '../../kernels/io/safetensors';
import type { MambaConfig } from '../../kernels/model/config';
import type { GenerateOptions } from '../../kernels/model/generate';
import type { MambaParams } from '../../kernels/model/weights';
import type { EngineChoice, EngineName } from '../../protocol/engine-messages';

export interface ScoredRun<S> {
  /** Bits of each target given the tokens fed before it (one per fed token). */
  surprisal: Float32Array;
  /** Per layer, mean Δ over channels at each fed token (empty when not asked). */
  meanDelta: Float32Array[];
  state: S;
}

export interface EngineModel<S = unknown> {
  readonly config: MambaConfig;
  readonly backend: EngineName;
  /** Why this runtime (setting, adapter found or missing). */
  readonly reason: string;
  readonly device: string;
  /** The zero state of one row. */
  zeroState(): S;
  /** Feeds `fed` (one row) from `state`; `targets[i]` is the token fed row i predicts. Frees `state`. */
  score(state: S, fed: Int32Array, targets: Int32Array, collectDelta: boolean): Promise<ScoredRun<S>>;
  freeState(state: S): void;
  /** One row's prompt continued by options.tokens new tokens. */
  generate(prompt: Int32Array, options: GenerateOptions): Promise<number[]>;
  dispose(): void;
}

/** Puts a model's weights where `preference` says, or says why it cannot. */
export type ModelMaker = (
  config: MambaConfig,
  params: MambaParams<HostTensor>,
  preference: EngineChoice,
) => Promise<EngineModel>;
