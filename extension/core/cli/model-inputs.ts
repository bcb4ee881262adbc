// What `seqlab logits` and `seqlab generate` share: the backend choice, the model directory
// loaded onto that backend, and the token ids file checked against the model's vocabulary.
import type { BackendChoice } from '../../../kernels/backend';
import { type ChosenBackend, createBackend } from '../../../kernels/create-backend';
import { type TokenBatch, tokenBatch } from '../../../kernels/model/token-ids';
import { type MambaModel, uploadMambaModel } from '../../../kernels/model/weights';
import { loadModelDir, readJsonFile } from '../models/load-model';
import { CliError } from './command';

const BACKENDS: readonly BackendChoice[] = ['auto', 'cpu', 'webgpu'];

export interface ModelInputs extends ChosenBackend {
  readonly model: MambaModel;
  readonly prompt: TokenBatch;
}

/** Reads --model, --ids and --backend (default cpu), and loads the model onto the backend. */
export async function loadModelInputs(values: Record<string, string>): Promise<ModelInputs> {
  const dir = values.model,
    idsPath = values.ids,
    kind = (values.backend ?? 'cpu') as BackendChoice;
  if (!dir) throw new CliError('--model DIR is required');
  if (!idsPath) throw new CliError('--ids FILE.json is required');
  if (!BACKENDS.includes(kind)) throw new CliError(`--backend must be one of ${BACKENDS.join(', ')}, got "${kind}"`);
  const loaded = await loadModelDir(dir);
  const prompt = tokenBatch(await readJsonFile(idsPath), loaded.config.vocabSize, idsPath);
  const chosen = await createBackend(kind);
  return { ...chosen, model: uploadMambaModel(chosen.backend, loaded.config, loaded.params), prompt };
}
