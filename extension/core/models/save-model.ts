// Writes a model directory Hugging Face's from_pretrained reads: config.json and a float32
// model.safetensors (no lm_head when tied).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HostTensor, writeSafetensors } from '../../../kernels/io/safetensors';
import { configJsonText, type MambaConfig, mambaConfigToJson } from '../../../kernels/model/config';
import { type MambaParams, mambaParamsToTensors } from '../../../kernels/model/weights';

/** `extra`: further config.json fields beside the model's own (init ranges, token ids). */
export async function saveModelDir(
  dir: string,
  config: MambaConfig,
  params: MambaParams<HostTensor>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), configJsonText({ ...mambaConfigToJson(config), ...extra }));
  await writeFile(
    join(dir, 'model.safetensors'),
    writeSafetensors(mambaParamsToTensors(config, params), { format: 'pt' }),
  );
}
