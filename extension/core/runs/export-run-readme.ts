// README.md of an exported run: what the folder holds and how to launch it on 1, 8 or many GPUs,
// then bring the result back into SeqLab.
import type { MambaConfig } from '../../../kernels/model/config';
import { rangeText } from './data-range';
import type { ExportSchedule } from './export-run';
import type { RunSpec } from './run-dir';

export interface ReadmeFacts {
  spec: RunSpec;
  checkpoint: string;
  step: number;
  runFile: string;
  config: MambaConfig;
  schedule: ExportSchedule;
}

const steps = (n: number): string => `${n} step${n === 1 ? '' : 's'}`;

export function exportedRunReadme(f: ReadmeFacts): string {
  const { spec, checkpoint, step, config } = f;
  const h = spec.hyper;
  const { stepsLeft, minutesLeft } = f.schedule as { stepsLeft?: number; minutesLeft?: number };
  const budget = spec.budget.steps !== undefined ? steps(spec.budget.steps) : `${spec.budget.minutes} minutes`;
  const end =
    '--steps N or --minutes M sets another end, and the cosine decay goes on from where the run stood to that end.';
  const left =
    stepsLeft !== undefined
      ? `By default it trains the ${steps(stepsLeft)} the run's budget (${budget}) has left; ${end}`
      : minutesLeft !== undefined
        ? `By default it trains the ${minutesLeft.toFixed(1)} minutes of steps the run's budget (${budget}) has left; ${end}`
        : `The run's budget (${budget}) is spent: give --steps N or --minutes M; the cosine decay goes on from where the run stood to that end.`;
  return `# ${spec.name}, continued with transformers + accelerate

Exported by \`seqlab export-run\` from the Mamba SeqLab run ${spec.name} (${f.runFile}) at its
checkpoint ${checkpoint} (step ${step}): a Mamba-1 of d_model ${config.hiddenSize}, ${config.numLayers} layers,
d_state ${config.stateSize}, vocabulary ${config.vocabSize}, trained on ${spec.data.length} file(s), range ${rangeText(spec.range)}.

\`train.py\` continues the run as SeqLab would: next-token cross-entropy over windows of ${h.length} + 1
tokens drawn uniformly from the training runs in data/ (DNA: reverse-complemented with probability
1/2), ${h.batch} windows per step, AdamW (betas 0.9/0.95, eps 1e-8, weight decay ${h.weightDecay} on matrices
and embeddings only) from the exported moments, gradients clipped to norm ${h.clip}, linear warmup
(${steps(h.warmupSteps)}) then cosine decay from ${h.lr} to ${Number((h.lr * h.minLrRatio).toPrecision(6))}, validation every ${steps(h.evalEvery)} on the
same held-out windows SeqLab scores (the last ${h.valFraction * 100}% of each file's range). It appends
to metrics.jsonl in SeqLab's format, so the curve goes on from the run's last record. ${left}

| file | what |
|---|---|
| handoff.json | the objective, schedule and where the run stands (read by train.py and \`seqlab import-run\`) |
| model/ | the checkpoint as a transformers \`MambaForCausalLM\` folder, with its tokenizer |
| optimizer.safetensors | AdamW's moments per parameter: \`exp_avg.NAME\`, \`exp_avg_sq.NAME\` |
| data/ | the training and validation token runs (train.2bit and val.2bit for DNA: four bases a byte; else .u8), manifest.json with their SHA-256 (checked at start), the runs in them and the source files' paths, hashes and range |
| metrics.jsonl | the run's records up to step ${step} |
| train.py, requirements.txt | the training script and what it needs |

## Launch

One GPU (or the CPU, slowly):

    pip install -r requirements.txt
    accelerate launch --num_processes 1 train.py

Eight GPUs of one machine, one process each (the global batch is split over them, so it must be a
multiple of 8: \`--batch ${Math.max(8, Math.ceil(h.batch / 8) * 8)}\` keeps it closest to the run's ${h.batch}):

    accelerate launch --multi_gpu --num_processes 8 train.py --batch ${Math.max(8, Math.ceil(h.batch / 8) * 8)}

Many machines (N of them, 8 GPUs each; run on every machine, R its rank from 0, HOST the first
machine's address). Every machine needs this folder (train.py checks the data's SHA-256); only the
first process writes checkpoints and metrics, so put --out on a file system all machines share:

    accelerate launch --multi_gpu --num_machines N --machine_rank R --main_process_ip HOST \\
      --main_process_port 29500 --num_processes $((8 * N)) train.py --batch $((8 * N * 4)) --out /shared/DIR

(\`torchrun --nnodes N --node_rank R --master_addr HOST --master_port 29500 --nproc_per_node 8 train.py\`
is the same launch.) A larger --batch trains on more windows per step; the learning rate stays the
run's, so raise it with care. Without mamba_ssm's CUDA kernels, transformers runs its PyTorch scan:
\`--scan parallel\` (the default, mambapy's parallel scan) or \`--scan sequential\`.

Checkpoints go to checkpoints/step-N/ (model/, optimizer.safetensors, trainer_state.json), named by
checkpoints/latest.json; launching again resumes from the latest.

## Back into SeqLab

    seqlab import-run --from THIS_FOLDER --run ${f.runFile.replace(/[/\\]run\.json$/, '')}

writes the latest checkpoint here as the run's next checkpoint (weights, AdamW moments, step and
tokens) with the metrics train.py recorded; \`seqlab train --out RUN --resume\` then continues in SeqLab
(give \`import-run --steps N\` to raise a step budget that is spent).
`;
}
