// A DNA model folder opened for scoring: its weights on a kernels backend (the CPU, or WebGPU
// through Dawn) and the tokenizer it reads bases with. An audio model is refused by name.
import type { Backend, BackendChoice } from '../../../kernels/backend';
import { createBackend } from '../../../kernels/create-backend';
import type { MambaModel } from '../../../kernels/model/weights';
import { freeMambaModel, uploadMambaModel } from '../../../kernels/model/weights';
import { describeModel } from '../analysis/model-source';
import type { DnaTokenizer } from '../datasets/dna-tokenizer';
import { loadModelDir } from '../models/load-model';

export interface DnaModel {
  readonly dir: string;
  readonly backend: Backend;
  /** Which backend runs and why (createBackend's reason). */
  readonly reason: string;
  readonly model: MambaModel;
  readonly tokenizer: DnaTokenizer;
  dispose(): void;
}

export async function openDnaModel(dir: string, choice: BackendChoice): Promise<DnaModel> {
  const description = await describeModel(dir);
  if (!description.tokenizer) throw new Error(`${dir}: an ${description.modality} model; this needs a DNA model`);
  const loaded = await loadModelDir(dir);
  const { backend, reason } = await createBackend(choice);
  const model = uploadMambaModel(backend, loaded.config, loaded.params);
  return {
    dir,
    backend,
    reason,
    model,
    tokenizer: description.tokenizer,
    dispose: () => {
      freeMambaModel(backend, model);
      backend.dispose();
    },
  };
}
