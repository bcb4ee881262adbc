// Writes a small random audio model folder the way a training run lays one out (config.json,
// model.safetensors, tokenizer.json of type seqlab-mulaw at 16 kHz), without training.json: the
// pane labels its numbers as not meaningful. The integration and e2e tiers score WAV files with it.
// Usage: node out/test/support/random-audio-model.js DIR
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMambaConfig } from '../../kernels/model/config';
import { Rng } from '../../kernels/train/rng';
import { MULAW_TOKENS } from '../../extension/core/datasets/mulaw';
import { saveModelDir } from '../../extension/core/models/save-model';
import { AUDIO_MODEL_RATE, type MulawTokenizerJson } from '../../extension/core/runs/token-data';
import { randomMambaParams } from './engine-suites';

export async function writeRandomAudioModel(dir: string, seed = 11): Promise<string> {
  const config = parseMambaConfig(
    { vocab_size: MULAW_TOKENS, hidden_size: 32, num_hidden_layers: 2, state_size: 8 },
    'random audio model',
  );
  await saveModelDir(dir, config, randomMambaParams(config, new Rng(seed)));
  const tokenizer: MulawTokenizerJson = {
    type: 'seqlab-mulaw',
    version: 1,
    tokens: MULAW_TOKENS,
    sampleRate: AUDIO_MODEL_RATE,
    channels: 'mix',
  };
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer, null, 2) + '\n');
  return dir;
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node random-audio-model.js DIR');
    process.exit(2);
  }
  writeRandomAudioModel(dir).then(
    (d) => console.log(`random audio model in ${d}`),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
