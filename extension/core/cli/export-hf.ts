// `seqlab export-hf`: a SeqLab model folder, checkpoint or run folder as a folder transformers'
// MambaForCausalLM.from_pretrained loads (extension/core/models/export-hf.ts). Nothing is written
// outside --out, and an existing --out is replaced only with --force.
import { exportHfModel } from '../models/export-hf';
import { CliError, type Command, parseOptions } from './command';

const help = `seqlab export-hf --model DIR --out DIR2 [--force]
  Writes the model in DIR (a model folder, a checkpoint, or a run folder: its latest checkpoint)
  to DIR2 for Hugging Face transformers: config.json (MambaForCausalLM, every MambaConfig field),
  model.safetensors (float32), generation_config.json, for a DNA model tokenizer.json,
  tokenizer_config.json and special_tokens_map.json (PreTrainedTokenizerFast, one token per base),
  seqlab_tokenizer.json and a README.md model card. An existing DIR2 (a model folder) is replaced
  only with --force.`;

export const exportHfCommand: Command = {
  help,
  async run(args) {
    const { values, flags } = parseOptions(args, { model: 'value', out: 'value', force: 'flag' });
    if (!values.model) throw new CliError('--model DIR is required');
    if (!values.out) throw new CliError('--out DIR2 is required');
    const { origin, files } = await exportHfModel(values.model, values.out, flags.has('force'));
    const what = origin.run
      ? `run ${origin.run.name}, ${origin.run.checkpoint} (step ${origin.run.step})`
      : origin.modelDir;
    console.log(`exported ${what} -> ${values.out}: ${files.join(', ')}`);
    return 0;
  },
};
