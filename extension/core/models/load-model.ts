// Reads a Hugging Face MambaForCausalLM directory from disk: config.json plus model.safetensors,
// or the shards listed by model.safetensors.index.json. The thin Node layer over kernels/io and
// kernels/model, which take bytes and objects only.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HostTensor, readSafetensors } from '../../../kernels/io/safetensors';
import { type MambaConfig, parseMambaConfig } from '../../../kernels/model/config';
import { type MambaParams, mambaParamsFromTensors } from '../../../kernels/model/weights';

export interface LoadedModel {
  readonly dir: string;
  readonly config: MambaConfig;
  readonly params: MambaParams<HostTensor>;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(err)})`,
    );
  }
}

/** Reads and parses a JSON file, naming it in errors. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readBytes(path));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`${path}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

async function readTensors(dir: string): Promise<Map<string, HostTensor>> {
  const single = join(dir, 'model.safetensors');
  const indexPath = join(dir, 'model.safetensors.index.json');
  const index = await readJsonFile(indexPath).catch((err: unknown) => {
    if (err instanceof ModelFileError && err.message.endsWith('no such file')) return undefined;
    throw err;
  });
  if (index === undefined) return readSafetensors(await readBytes(single), single).tensors;
  const map = (index as { weight_map?: unknown }).weight_map;
  if (typeof map !== 'object' || map === null) throw new ModelFileError(`${indexPath}: no "weight_map" object`);
  const tensors = new Map<string, HostTensor>();
  for (const file of new Set(Object.values(map as Record<string, unknown>))) {
    if (typeof file !== 'string' || file.includes('/') || file.includes('\\'))
      throw new ModelFileError(`${indexPath}: bad shard name ${JSON.stringify(file)}`);
    for (const [name, t] of readSafetensors(await readBytes(join(dir, file)), join(dir, file)).tensors)
      tensors.set(name, t);
  }
  return tensors;
}

/** Loads config and weights from a model directory, checked against each other. */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const configPath = join(dir, 'config.json');
  const config = parseMambaConfig(await readJsonFile(configPath), configPath);
  const params = mambaParamsFromTensors(config, await readTensors(dir), dir);
  return { dir, config, params };
}
