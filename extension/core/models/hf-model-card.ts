// README.md of an exported model: what the model is (a Mamba-1 causal LM over DNA bases or mu-law
// audio samples), how transformers loads it, its size, how its tokens read, and what its
// training.json records about where the weights came from (file names only, never local paths).
import { basename } from 'node:path';
import type { MambaConfig } from '../../../kernels/model/config';
import type { DnaTokenizerJson } from '../datasets/dna-tokenizer';

export interface ModelCardInput {
  readonly name: string;
  readonly config: MambaConfig;
  readonly parameters: number;
  readonly dna: DnaTokenizerJson | undefined;
  /** The sample rate of an audio model (8-bit mu-law ids). */
  readonly sampleRate: number | undefined;
  /** The model folder's training.json, when it has one. */
  readonly training: Record<string, unknown> | undefined;
}

function provenance(t: Record<string, unknown> | undefined): string {
  if (!t) return 'The folder had no training record: the weights may be untrained (freshly initialised).';
  if (t.origin === 'hugging-face-import' && typeof t.source === 'string')
    return `The weights were imported into SeqLab from a Hugging Face folder (${basename(t.source)}); where they were trained is not recorded.`;
  const parts: string[] = [];
  if (typeof t.run === 'string') parts.push(`run \`${t.run}\``);
  if (typeof t.preset === 'string') parts.push(`preset ${t.preset}`);
  if (Number.isInteger(t.step)) parts.push(`${String(t.step)} steps`);
  if (Number.isInteger(t.tokens)) parts.push(`${String(t.tokens)} tokens`);
  const paths = Array.isArray(t.data) ? t.data.map((d: unknown) => (d as { path?: unknown } | null)?.path) : [];
  const files = paths.filter((p): p is string => typeof p === 'string').map((p) => basename(p));
  const on = files.length > 0 ? ` on ${files.map((f) => `\`${f}\``).join(', ')}` : '';
  const range = typeof t.range === 'string' ? ` (range ${t.range} of each file)` : '';
  const val =
    typeof t.lastValBits === 'number'
      ? ` Its last validation loss was ${t.lastValBits.toFixed(3)} bits per token.`
      : '';
  return `Trained with Mamba SeqLab (${parts.join(', ') || 'no details recorded'})${on}${range}.${val}`;
}

function tokenTable(t: DnaTokenizerJson): string {
  const reads = new Map<number, string[]>();
  for (const [c, id] of Object.entries(t.encode)) reads.set(id, [...(reads.get(id) ?? []), c]);
  const rows = t.tokens.map((name, id) => {
    const r = reads.get(id);
    return `| ${id} | \`${name}\` | ${r ? r.map((c) => `\`${c}\``).join(' ') : '(special)'} |`;
  });
  return ['| id | token | read from (either case) |', '| --- | --- | --- |', ...rows].join('\n');
}

export function modelCard(m: ModelCardInput): string {
  const c = m.config;
  const what = m.dna
    ? 'a Mamba-1 causal language model over DNA, one base per token'
    : `a Mamba-1 causal language model over audio: each token is one 8-bit mu-law sample at ${m.sampleRate} Hz (ids 0-255)`;
  const load = m.dna
    ? ['tokenizer = AutoTokenizer.from_pretrained(path)', 'ids = tokenizer("ACGTN", return_tensors="pt").input_ids']
    : ['ids = torch.tensor([[128, 130, 127]])  # mu-law samples'];
  const tokens = m.dna
    ? [
        '## Tokens',
        '',
        'One token per base, read case-insensitively; no token is added around a sequence. A character outside the',
        'table is an error (the tokenizer has no unknown token). `decode` writes `N` for an ambiguity code and',
        '`-` for a gap.',
        '',
        tokenTable(m.dna),
      ]
    : [
        '## Tokens',
        '',
        'There is no text tokenizer: ids are mu-law samples (`seqlab_tokenizer.json` records the sample rate).',
      ];
  return [
    '---',
    'library_name: transformers',
    'pipeline_tag: text-generation',
    `tags: [mamba, seqlab, ${m.dna ? 'dna' : 'audio'}]`,
    '---',
    '',
    `# ${m.name}`,
    '',
    `This is ${what}, exported from Mamba SeqLab. It loads in transformers as \`MambaForCausalLM\` (float32 weights):`,
    '',
    '```python',
    'import torch',
    'from transformers import AutoTokenizer, MambaForCausalLM',
    '',
    'path = "."  # this folder',
    'model = MambaForCausalLM.from_pretrained(path, dtype=torch.float32)',
    ...load,
    'logits = model(ids).logits  # [batch, length, vocab]',
    '```',
    '',
    '## Model',
    '',
    '| layers | d_model | d_state | expand | conv kernel | Δ rank | vocabulary | head | parameters |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${c.numLayers} | ${c.hiddenSize} | ${c.stateSize} | ${c.expand} | ${c.convKernel} | ${c.timeStepRank} | ${c.vocabSize} | ${c.tieWordEmbeddings ? 'tied' : 'untied'} | ${m.parameters} |`,
    '',
    ...tokens,
    '',
    '## Origin',
    '',
    provenance(m.training),
    '',
    '`seqlab import-hf` reads this folder back into SeqLab (`seqlab_tokenizer.json` keeps its tokenizer exactly).',
    '',
  ].join('\n');
}
