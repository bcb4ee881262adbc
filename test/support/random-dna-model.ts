// Writes a random DNA model folder of a chosen size (config.json and a float32 model.safetensors
// over the default 16-token vocabulary, no tokenizer.json, no training.json): what the host-stall
// benchmark and the integration tier load to see what a large model costs the extension host.
// d_model 768 with 7 layers is about 106 MB; 24 layers about 360 MB.
import { parseMambaConfig } from '../../kernels/model/config';
import { Rng } from '../../kernels/train/rng';
import { saveModelDir } from '../../extension/core/models/save-model';
import { DnaTokenizer } from '../../extension/core/datasets/dna-tokenizer';
import { randomMambaParams } from './engine-suites';

export async function writeRandomDnaModel(dir: string, hiddenSize = 768, numLayers = 7, seed = 3): Promise<string> {
  const config = parseMambaConfig(
    { vocab_size: DnaTokenizer.default().vocabSize, hidden_size: hiddenSize, num_hidden_layers: numLayers },
    'random DNA model',
  );
  await saveModelDir(dir, config, randomMambaParams(config, new Rng(seed)));
  return dir;
}
