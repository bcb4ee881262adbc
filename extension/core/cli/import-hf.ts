// `seqlab import-hf`: a Hugging Face Mamba-1 model folder as a SeqLab model folder
// (extension/core/models/import-hf.ts). Nothing is written outside --out, and an existing --out
// is replaced only with --force.
import { importHfModel } from '../models/import-hf';
import { CliError, type Command, parseOptions } from './command';

const help = `seqlab import-hf SRC --out DIR [--force]
  Imports the Hugging Face MambaForCausalLM folder SRC (config.json of transformers or mamba_ssm;
  model.safetensors or shards listed by model.safetensors.index.json; F32, F16 or BF16 weights)
  into DIR as a SeqLab model folder with float32 weights. A tokenizer.json, vocab.json, vocab.txt
  or character tokenizer_config.json of single-base tokens is mapped onto SeqLab's DNA tokenizer
  over the model's own ids; a k-mer or subword vocabulary is refused, naming the token. Without a
  tokenizer the model is imported with raw ids. An existing DIR (a model folder) is replaced only
  with --force.`;

export const importHfCommand: Command = {
  help,
  async run(args) {
    const { values, flags, positional } = parseOptions(args, { out: 'value', force: 'flag' });
    if (positional.length !== 1) throw new CliError('give one source folder: seqlab import-hf SRC --out DIR');
    if (!values.out) throw new CliError('--out DIR is required');
    const [src] = positional;
    const r = await importHfModel(src, values.out, flags.has('force'));
    const c = r.config;
    console.log(
      `imported ${src} (${r.configLayout} config, ${r.parameterNames} parameter names; ${c.numLayers} layers, d_model ${c.hiddenSize}, vocab ${c.vocabSize}) -> ${values.out}`,
    );
    console.log(`weights: ${r.tensors} tensors from ${r.weightFiles} file(s), written as float32`);
    const t = r.tokenizer;
    console.log(t.from ? `tokenizer: ${t.from}: ${t.summary}` : `tokenizer: none, a raw-id model: ${r.rawIds}`);
    for (const note of r.notes) console.log(`note: ${note}`);
    return 0;
  },
};
