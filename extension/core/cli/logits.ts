// `seqlab logits`: runs the full forward on a batch of token ids and writes the logits
// [b, l, vocab] as raw little-endian float32.
import { writeFile } from 'node:fs/promises';
import { checkFiniteLogits } from '../../../kernels/model/finite';
import { mambaForward } from '../../../kernels/model/forward';
import { CliError, type Command, parseOptions } from './command';
import { BACKEND_HELP, backendOption, loadModelInputs, loadOnnxInputs, MODEL_OPTIONS } from './model-inputs';

const help = `seqlab logits --model DIR --ids FILE.json --out FILE.bin [--backend cpu|webgpu|auto|onnx] [--threads N]
  Runs a Hugging Face MambaForCausalLM directory (config.json + model.safetensors) on the token
  ids in FILE.json (a JSON array of arrays [batch][length]) and writes the logits
  [batch, length, vocab] to FILE.bin as little-endian float32. ${BACKEND_HELP}`;

async function writeLogits(path: string, data: Float32Array): Promise<void> {
  const bytes = new Uint8Array(data.length * 4),
    view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  await writeFile(path, bytes).catch((err: unknown) => {
    throw new CliError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  });
}

/** Runs the forward; gives the logits, their shape and the backend's reason. */
async function forward(
  values: Record<string, string>,
): Promise<{ data: Float32Array; shape: readonly number[]; reason: string }> {
  const kind = backendOption(values);
  if (kind === 'onnx') {
    const { model, reason, prompt } = await loadOnnxInputs(values, 'full');
    try {
      const { logits } = await model.run(prompt.ids, prompt.batch, prompt.length);
      return { data: logits, shape: [prompt.batch, prompt.length, model.config.vocabSize], reason };
    } finally {
      await model.release();
    }
  }
  const { backend, reason, model, prompt } = await loadModelInputs(values, kind);
  try {
    const ids = backend.uploadIds(prompt.ids, [prompt.batch, prompt.length]);
    const { logits } = mambaForward(backend, model, ids);
    return { data: await backend.read(logits), shape: logits.shape, reason };
  } finally {
    backend.dispose();
  }
}

export const logitsCommand: Command = {
  help,
  async run(args) {
    const { values } = parseOptions(args, { ...MODEL_OPTIONS, out: 'value' });
    if (!values.out) throw new CliError('--out FILE.bin is required');
    const { data, shape, reason } = await forward(values);
    checkFiniteLogits(data, shape, values.model);
    await writeLogits(values.out, data);
    console.log(`logits [${shape.join(', ')}] float32 little-endian -> ${values.out}`);
    console.log(`backend ${reason}`);
    return 0;
  },
};
