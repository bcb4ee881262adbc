// A model folder whose config differs from the defaults wherever a converter could slip: an
// untied head, in/out projection biases, no conv bias, an explicit Δ rank, expand 3, odd sizes,
// eps 1e-6, init ranges of its own, rescale_prenorm_residual true, and an 11-token DNA vocabulary
// of its own. The HF round-trip
// test and bench/hf_proof.sh (prepare) export it.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { HostTensor } from '../../kernels/io/safetensors';
import { type MambaConfig, parseMambaConfig } from '../../kernels/model/config';
import type { MambaParams } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import type { DnaTokenizerJson } from '../../extension/core/datasets/dna-tokenizer';
import { saveModelDir } from '../../extension/core/models/save-model';
import { randomMambaParams } from './engine-suites';

export const ODD_CONFIG: MambaConfig = parseMambaConfig(
  {
    vocab_size: 11,
    hidden_size: 24,
    num_hidden_layers: 3,
    state_size: 5,
    conv_kernel: 3,
    expand: 3,
    time_step_rank: 7,
    use_bias: true,
    use_conv_bias: false,
    tie_word_embeddings: false,
    layer_norm_epsilon: 1e-6,
  },
  'odd model',
);

export const ODD_VOCABULARY: DnaTokenizerJson = {
  type: 'seqlab-dna',
  version: 1,
  tokens: ['<pad>', 'A', 'C', 'G', 'T', 'N', '<any>', '<bos>', '<eos>', '<sep>', '<mask>'],
  encode: { A: 1, C: 2, G: 3, T: 4, U: 4, N: 5, R: 6, Y: 6, '-': 6 },
  decode: ['', 'A', 'C', 'G', 'T', 'N', 'N', '', '', '', ''],
  complementPairs: [
    [1, 4],
    [2, 3],
  ],
  special: { pad: 0, bos: 7, eos: 8, sep: 9, mask: 10 },
};

/** Writes the odd model (config.json, model.safetensors, tokenizer.json) into `dir`; gives its parameters. */
export async function writeOddModel(dir: string): Promise<MambaParams<HostTensor>> {
  const params = randomMambaParams(ODD_CONFIG, new Rng(7));
  // rescale_prenorm_residual true, as SeqLab's checkpoints say: an export must not pass it on.
  await saveModelDir(dir, ODD_CONFIG, params, {
    time_step_min: 0.002,
    time_step_scale: 1.5,
    rescale_prenorm_residual: true,
  });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(ODD_VOCABULARY, null, 2) + '\n');
  return params;
}
