// Writes a model directory Hugging Face's from_pretrained reads: config.json and a float32
// model.safetensors (no lm_head when tied).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HostTensor, writeSafetensors } from '../../../kernels/io/safetensors';
import { type MambaConfig, mambaConfigToJson } from '../../../kernels/model/config';
import { type MambaParams, mambaParamsToTensors } from '../../../kernels/model/weights';

export async function saveModelDir(dir: string, config: MambaConfig, params: MambaParams<HostTensor>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(mambaConfigToJson(config), null, 2) + '\n');
  await writeFile(
    join(dir, 'model.safetensors'),
    writeSafetensors(mambaParamsToTensors(config, params), { format: 'pt' }),
  );
}
