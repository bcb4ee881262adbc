// The kernels/ model as an EngineModel: weights uploaded to the backend a chooser gives (WebGPU on
// the page, the CPU backend in the worker and the unit tests), scoring by mambaForward with the
// state carried, generation by kernels/model/generate.ts.
import type { Backend, BackendChoice, BackendName } from '../../kernels/backend';
import { mambaForward } from '../../kernels/model/forward';
import { generate, type GenerateOptions } from '../../kernels/model/generate';
import { type MambaState, freeMambaState, zeroMambaState } from '../../kernels/model/state';
import { tokenBatch } from '../../kernels/model/token-ids';
import { freeMambaModel, uploadMambaModel, type MambaModel } from '../../kernels/model/weights';
import type { EngineModel, ModelMaker, ScoredRun } from './engine-model';

export interface ChosenEngineBackend {
  backend: Backend;
  name: BackendName;
  reason: string;
}

/** Gives the backend for a preference, and why that one (the page decides WebGPU or CPU). */
export type BackendChooser = (preference: BackendChoice) => Promise<ChosenEngineBackend>;

export class KernelEngineModel implements EngineModel<MambaState> {
  constructor(
    readonly chosen: ChosenEngineBackend,
    readonly model: MambaModel,
  ) {}

  get config() {
    return this.model.config;
  }
  get backend() {
    return this.chosen.name;
  }
  get reason() {
    return this.chosen.reason;
  }
  get device() {
    return this.chosen.backend.description;
  }

  zeroState(): MambaState {
    return zeroMambaState(this.chosen.backend, this.model.config, 1);
  }

  async score(
    state: MambaState,
    fed: Int32Array,
    targets: Int32Array,
    collectDelta: boolean,
  ): Promise<ScoredRun<MambaState>> {
    const backend = this.chosen.backend;
    const idsT = backend.uploadIds(fed, [1, fed.length]),
      targetsT = backend.uploadIds(targets.slice(), [1, fed.length]);
    const r = mambaForward(backend, this.model, idsT, {
      state,
      returnState: true,
      targets: targetsT,
      meanDelta: collectDelta,
    });
    backend.free(idsT);
    backend.free(targetsT);
    backend.free(r.logits);
    freeMambaState(backend, state);
    const surprisal = await backend.read(r.surprisal!);
    backend.free(r.surprisal!);
    const meanDelta: Float32Array[] = [];
    for (const t of r.meanDelta ?? []) {
      meanDelta.push(await backend.read(t));
      backend.free(t);
    }
    return { surprisal, meanDelta, state: r.state as MambaState };
  }

  freeState(state: MambaState): void {
    freeMambaState(this.chosen.backend, state);
  }

  async generate(prompt: Int32Array, options: GenerateOptions): Promise<number[]> {
    const batch = tokenBatch([prompt], this.model.config.vocabSize, 'generate prompt');
    return (await generate(this.chosen.backend, this.model, batch, options)).tokens[0];
  }

  dispose(): void {
    freeMambaModel(this.chosen.backend, this.model);
  }
}

/** Models on the kernels backend `choose` gives; 'onnx' is another runtime's. */
export function kernelModels(choose: BackendChooser): ModelMaker {
  return async (config, params, preference) => {
    if (preference === 'onnx') throw new Error('an onnx model runs in the ONNX worker, not on a kernels backend');
    const chosen = await choose(preference);
    return new KernelEngineModel(chosen, uploadMambaModel(chosen.backend, config, params));
  };
}
