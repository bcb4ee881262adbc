// `seqlab export-onnx`: writes a model folder as a standard ONNX graph (kernels/onnx/mamba-onnx.ts)
// for any ONNX runtime. The output file is created only when absent (or replaced with --force);
// nothing else is written.
import { writeFile } from 'node:fs/promises';
import { mambaOnnxModel, ONNX_IO, ONNX_MODES, ONNX_OPSET, type OnnxMode } from '../../../kernels/onnx/mamba-onnx';
import { loadModelDir } from '../models/load-model';
import { CliError, type Command, parseOptions } from './command';

const help = `seqlab export-onnx --model DIR --out FILE.onnx [--mode full|step] [--force]
  Writes the Hugging Face MambaForCausalLM in DIR (config.json + model.safetensors) as an ONNX
  model (opset ${ONNX_OPSET}, standard ops only, float32 weights as initializers; a tied head shares
  the embedding). --mode full (the default): ${ONNX_IO.inputIds} int64 [batch, length] ->
  ${ONNX_IO.logits} float32 [batch, length, vocab]. --mode step: also ${ONNX_IO.convState}
  [layers, batch, d_in, conv_kernel-1] and ${ONNX_IO.ssmState} [layers, batch, d_in, state_size] in, and
  ${ONNX_IO.convStateOut}, ${ONNX_IO.ssmStateOut} (the state after the last token) and ${ONNX_IO.meanDelta}
  [layers, batch, length] out; length 1 is one recurrent step, longer chunks carry the state.
  An existing FILE.onnx is replaced only with --force.`;

export const exportOnnxCommand: Command = {
  help,
  async run(args) {
    const { values, flags } = parseOptions(args, { model: 'value', out: 'value', mode: 'value', force: 'flag' });
    if (!values.model) throw new CliError('--model DIR is required');
    if (!values.out) throw new CliError('--out FILE.onnx is required');
    const mode = (values.mode ?? 'full') as OnnxMode;
    if (!ONNX_MODES.includes(mode)) throw new CliError(`--mode must be full or step, got "${values.mode}"`);
    const loaded = await loadModelDir(values.model);
    const bytes = mambaOnnxModel(loaded.config, loaded.params, mode);
    // 'wx' creates the file or fails when it exists: no window between a check and the write.
    await writeFile(values.out, bytes, { flag: flags.has('force') ? 'w' : 'wx' }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') throw new CliError(`${values.out} exists; --force replaces it`);
        throw new CliError(`${values.out}: cannot write (${err.code ?? err.message})`);
      },
    );
    const { numLayers, hiddenSize, vocabSize } = loaded.config;
    console.log(
      `${mode}-mode ONNX (opset ${ONNX_OPSET}) of ${values.model} (${numLayers} layers, d_model ${hiddenSize}, vocab ${vocabSize}): ${bytes.length} bytes -> ${values.out}`,
    );
    return 0;
  },
};
