// `seqlab import-run`: what an exported run's train.py trained, back into its SeqLab run folder as
// the next checkpoint (extension/core/runs/import-run.ts).
import { importRun } from '../runs/import-run';
import { CliError, type Command, parseOptions } from './command';

const help = `seqlab import-run --from DIR --run RUN_DIR [--steps N | --minutes M]
  Writes the latest checkpoint train.py left in DIR/checkpoints (an exported run, see
  \`seqlab export-run\`) into RUN_DIR as its next checkpoint: weights, AdamW moments, step, tokens and
  training time, with the metrics train.py recorded. The run must still be at the checkpoint it was
  exported from. --steps N or --minutes M sets the run's budget to a new total, so that
  \`seqlab train --out RUN_DIR --resume\` goes on training in SeqLab.`;

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(v > 0) || (name === 'steps' && !Number.isInteger(v)))
    throw new CliError(`--${name} must be a positive ${name === 'steps' ? 'integer' : 'number'}, got "${text}"`);
  return v;
}

export const importRunCommand: Command = {
  help,
  async run(args) {
    const { values } = parseOptions(args, { from: 'value', run: 'value', steps: 'value', minutes: 'value' });
    if (!values.from) throw new CliError('--from DIR is required');
    if (!values.run) throw new CliError('--run RUN_DIR is required');
    const steps = positive('steps', values.steps),
      minutes = positive('minutes', values.minutes);
    if (steps !== undefined && minutes !== undefined) throw new CliError('give --steps or --minutes, not both');
    const r = await importRun(
      values.from,
      values.run,
      steps !== undefined ? { steps } : minutes !== undefined ? { minutes } : {},
    );
    const budget = r.budget.steps !== undefined ? `${r.budget.steps} steps` : `${r.budget.minutes} minutes`;
    console.log(
      `imported ${values.from} into run ${r.run}: ${r.from} -> step ${r.step}, ${r.records} metric records; budget ${budget}; ` +
        (r.state === 'finished'
          ? 'the budget is spent (--steps N raises it)'
          : `seqlab train --out ${values.run} --resume continues it`),
    );
    return 0;
  },
};
