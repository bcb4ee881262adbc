// `seqlab export-run`: a run folder as a folder that continues it with transformers + accelerate
// on one GPU or many (extension/core/runs/export-run.ts). Nothing is written outside --out, and an
// existing --out is replaced only with --force.
import { exportRun } from '../runs/export-run';
import { CliError, type Command, parseOptions } from './command';

const help = `seqlab export-run --run RUN_DIR --out DIR [--force]
  Writes the run's latest checkpoint and everything needed to continue it with PyTorch to DIR:
  model/ (a transformers MambaForCausalLM folder with its tokenizer), optimizer.safetensors (AdamW's
  moments per parameter, as torch's AdamW keeps them), data/ (the training and validation token runs
  with their SHA-256 and the source files' hashes and range), handoff.json (objective, schedule and
  where the run stands), metrics.jsonl, train.py and a README with the accelerate launch commands for
  1, 8 and many GPUs. \`seqlab import-run\` brings the result back. An existing DIR (an exported run)
  is replaced only with --force.`;

export const exportRunCommand: Command = {
  help,
  async run(args) {
    const { values, flags } = parseOptions(args, { run: 'value', out: 'value', force: 'flag' });
    if (!values.run) throw new CliError('--run RUN_DIR is required');
    if (!values.out) throw new CliError('--out DIR is required');
    const r = await exportRun(values.run, values.out, flags.has('force'));
    console.log(
      `exported run ${r.run} at ${r.checkpoint} (step ${r.step}) -> ${values.out}: ${r.trainTokens} training and ${r.valTokens} validation tokens; ` +
        `continue it with: cd ${values.out} && accelerate launch train.py`,
    );
    return 0;
  },
};
