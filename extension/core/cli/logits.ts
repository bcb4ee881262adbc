// `seqlab logits`: runs the full forward on a batch of token ids and writes the logits
// [b, l, vocab] as raw little-endian float32.
import { writeFile } from 'node:fs/promises';
import { mambaForward } from '../../../kernels/model/forward';
import { CliError, type Command, parseOptions } from './command';
import { loadModelInputs } from './model-inputs';

const help = `seqlab logits --model DIR --ids FILE.json --out FILE.bin [--backend cpu|webgpu|auto]
  Runs a Hugging Face MambaForCausalLM directory (config.json + model.safetensors) on the token
  ids in FILE.json (a JSON array of arrays [batch][length]) and writes the logits
  [batch, length, vocab] to FILE.bin as little-endian float32. --backend defaults to cpu.`;

export const logitsCommand: Command = {
  help,
  async run(args) {
    const { values } = parseOptions(args, { model: 'value', ids: 'value', out: 'value', backend: 'value' });
    if (!values.out) throw new CliError('--out FILE.bin is required');
    const { backend, reason, model, prompt } = await loadModelInputs(values);
    try {
      const ids = backend.uploadIds(prompt.ids, [prompt.batch, prompt.length]);
      const { logits } = mambaForward(backend, model, ids);
      const data = await backend.read(logits);
      const bytes = new Uint8Array(data.length * 4),
        view = new DataView(bytes.buffer);
      for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
      await writeFile(values.out, bytes).catch((err: unknown) => {
        throw new CliError(`${values.out}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      });
      console.log(`logits [${logits.shape.join(', ')}] float32 little-endian -> ${values.out}`);
      console.log(`backend ${reason}`);
    } finally {
      backend.dispose();
    }
    return 0;
  },
};
