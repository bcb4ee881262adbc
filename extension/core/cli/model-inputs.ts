// What `seqlab logits` and `seqlab generate` share: the backend choice, the model directory
// loaded onto that backend (or, for onnx, a .onnx file or the folder exported in memory), and
// the token ids file checked against the model's vocabulary.
import type { BackendChoice } from '../../../kernels/backend';
import { type ChosenBackend, createBackend } from '../../../kernels/create-backend';
import type { OnnxMode } from '../../../kernels/onnx/mamba-onnx';
import { type TokenBatch, tokenBatch } from '../../../kernels/model/token-ids';
import { type MambaModel, uploadMambaModel } from '../../../kernels/model/weights';
import { loadModelDir, readJsonFile } from '../models/load-model';
import { openOnnxModel, type OpenedOnnx } from '../onnx/open-onnx-model';
import { CliError } from './command';

export type CliBackend = BackendChoice | 'onnx';
const BACKENDS: readonly CliBackend[] = ['auto', 'cpu', 'webgpu', 'onnx'];

/** The options every model-running command takes beside its own. */
export const MODEL_OPTIONS = { model: 'value', ids: 'value', backend: 'value', threads: 'value' } as const;

export const BACKEND_HELP = `--backend defaults to cpu. With --backend onnx the model runs as an ONNX graph in
  onnxruntime-web (wasm, --threads N, default 1): --model is a model folder (exported in memory)
  or a .onnx file from seqlab export-onnx.`;

export interface ModelInputs extends ChosenBackend {
  readonly model: MambaModel;
  readonly prompt: TokenBatch;
}

export interface OnnxInputs extends OpenedOnnx {
  readonly prompt: TokenBatch;
}

/** --backend, checked (default cpu). */
export function backendOption(values: Record<string, string>): CliBackend {
  const kind = (values.backend ?? 'cpu') as CliBackend;
  if (!BACKENDS.includes(kind)) throw new CliError(`--backend must be one of ${BACKENDS.join(', ')}, got "${kind}"`);
  if (values.threads !== undefined && kind !== 'onnx') throw new CliError('--threads is for --backend onnx');
  return kind;
}

/** --threads of the onnx backend's wasm (default 1). */
export function threadsOption(values: Record<string, string>): number {
  const threads = Number(values.threads ?? 1);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 64))
    throw new CliError(`--threads must be an integer from 1 to 64, got "${values.threads}"`);
  return threads;
}

function required(values: Record<string, string>): { path: string; idsPath: string } {
  if (!values.model) throw new CliError('--model DIR is required');
  if (!values.ids) throw new CliError('--ids FILE.json is required');
  return { path: values.model, idsPath: values.ids };
}

/** Reads --model and --ids, and loads the model onto a kernels backend. */
export async function loadModelInputs(values: Record<string, string>, kind: BackendChoice): Promise<ModelInputs> {
  const { path, idsPath } = required(values);
  const loaded = await loadModelDir(path);
  const prompt = tokenBatch(await readJsonFile(idsPath), loaded.config.vocabSize, idsPath);
  const chosen = await createBackend(kind);
  return { ...chosen, model: uploadMambaModel(chosen.backend, loaded.config, loaded.params), prompt };
}

/** Reads --model (folder or .onnx file), --ids and --threads, and opens the ONNX graph `needs` asks for. */
export async function loadOnnxInputs(values: Record<string, string>, needs: OnnxMode): Promise<OnnxInputs> {
  const { path, idsPath } = required(values);
  const threads = threadsOption(values);
  const ids = await readJsonFile(idsPath);
  const opened = await openOnnxModel(path, needs, threads);
  try {
    return { ...opened, prompt: tokenBatch(ids, opened.model.config.vocabSize, idsPath) };
  } catch (err) {
    await opened.model.release();
    throw err;
  }
}
