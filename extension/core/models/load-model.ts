// Reads a Hugging Face MambaForCausalLM directory from disk: config.json plus model.safetensors,
// or the shards listed by model.safetensors.index.json. The thin Node layer over kernels/io and
// kernels/model, which take bytes and objects only.
import { join } from 'node:path';
import {
  decodeSafetensors,
  type HostTensor,
  parseSafetensorsHeader,
  type SafetensorsFile,
  safetensorsHeaderLength,
} from '../../../kernels/io/safetensors';
import { type MambaConfig, parseMambaConfig } from '../../../kernels/model/config';
import { type MambaParams, mambaParamsFromTensors } from '../../../kernels/model/weights';
import { openFileSource, readAll, type RandomAccessSource } from '../datasets/source';

export interface LoadedModel {
  readonly dir: string;
  readonly config: MambaConfig;
  readonly params: MambaParams<HostTensor>;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** Most bytes of a JSON file of a model folder (config, shard index, tokenizer). */
const MAX_JSON_BYTES = 1 << 26;

/** Opens a regular file (a FIFO or device is refused: it could block forever), naming it in errors. */
async function withModelFile<T>(path: string, use: (src: RandomAccessSource) => Promise<T>): Promise<T> {
  let src: RandomAccessSource;
  try {
    src = await openFileSource(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelFileError(`${path}: no such file`);
    throw new ModelFileError(code ? `${path}: cannot read (${code})` : (err as Error).message);
  }
  try {
    return await use(src);
  } finally {
    await src.close();
  }
}

/** Reads and parses a JSON file, naming it in errors. */
export async function readJsonFile(path: string): Promise<unknown> {
  const bytes = await withModelFile(path, (src) => readAll(src, MAX_JSON_BYTES));
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ModelFileError(`${path}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * A .safetensors source read in steps: the length, then only the header, then the data it
 * describes; a length past the limit or the file is refused after reading 8 bytes.
 */
export async function readSafetensorsSource(src: RandomAccessSource): Promise<SafetensorsFile> {
  const n = safetensorsHeaderLength(await src.read(0, 8), src.size, src.name);
  const header = parseSafetensorsHeader(await src.read(8, n), src.size, src.name);
  return decodeSafetensors(header, await src.read(header.dataStart, src.size - header.dataStart));
}

export function readSafetensorsFile(path: string): Promise<SafetensorsFile> {
  return withModelFile(path, readSafetensorsSource);
}

/** The safetensors files of a model folder: model.safetensors, or the shards its index lists. */
export async function weightFiles(dir: string): Promise<string[]> {
  const indexPath = join(dir, 'model.safetensors.index.json');
  const index = await readJsonFile(indexPath).catch((err: unknown) => {
    if (err instanceof ModelFileError && err.message.endsWith('no such file')) return undefined;
    throw err;
  });
  if (index === undefined) return [join(dir, 'model.safetensors')];
  const map = (index as { weight_map?: unknown }).weight_map;
  if (typeof map !== 'object' || map === null) throw new ModelFileError(`${indexPath}: no "weight_map" object`);
  return [...new Set(Object.values(map as Record<string, unknown>))].map((file) => {
    if (typeof file !== 'string' || file.includes('/') || file.includes('\\'))
      throw new ModelFileError(`${indexPath}: bad shard name ${JSON.stringify(file)}`);
    return join(dir, file);
  });
}

async function readTensors(dir: string): Promise<Map<string, HostTensor>> {
  const tensors = new Map<string, HostTensor>();
  for (const file of await weightFiles(dir))
    for (const [name, t] of (await readSafetensorsFile(file)).tensors) tensors.set(name, t);
  return tensors;
}

/** Loads config and weights from a model directory, checked against each other. */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const configPath = join(dir, 'config.json');
  const config = parseMambaConfig(await readJsonFile(configPath), configPath);
  const params = mambaParamsFromTensors(config, await readTensors(dir), dir);
  return { dir, config, params };
}
