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

/** Most bytes of a JSON or text file of a model folder (config, shard index, tokenizer, vocabulary). */
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

/** Reads a text file of a model folder (at most 64 MiB), naming it in errors. */
export async function readTextFile(path: string): Promise<string> {
  return new TextDecoder().decode(await withModelFile(path, (src) => readAll(src, MAX_JSON_BYTES)));
}

/** Reads and parses a JSON file, naming it in errors. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readTextFile(path);
  try {
    return JSON.parse(text);
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

const INDEX_FILE = 'model.safetensors.index.json';

/** The shard index of a model folder (tensor name -> shard path), or undefined without one. */
async function readShardIndex(dir: string): Promise<Map<string, string> | undefined> {
  const indexPath = join(dir, INDEX_FILE);
  const index = await readJsonFile(indexPath).catch((err: unknown) => {
    if (err instanceof ModelFileError && err.message.endsWith('no such file')) return undefined;
    throw err;
  });
  if (index === undefined) return undefined;
  const map = (index as { weight_map?: unknown }).weight_map;
  if (typeof map !== 'object' || map === null) throw new ModelFileError(`${indexPath}: no "weight_map" object`);
  return new Map(
    Object.entries(map as Record<string, unknown>).map(([tensor, file]) => {
      if (typeof file !== 'string' || file.includes('/') || file.includes('\\'))
        throw new ModelFileError(`${indexPath}: bad shard name ${JSON.stringify(file)}`);
      return [tensor, join(dir, file)];
    }),
  );
}

const filesOf = (dir: string, index: Map<string, string> | undefined): string[] =>
  index ? [...new Set(index.values())] : [join(dir, 'model.safetensors')];

/** The safetensors files of a model folder: model.safetensors, or the shards its index lists. */
export async function weightFiles(dir: string): Promise<string[]> {
  return filesOf(dir, await readShardIndex(dir));
}

/** Every tensor of a model folder, and the file each came from (for errors that name it). */
export interface FolderTensors {
  readonly tensors: Map<string, HostTensor>;
  readonly fileOf: (tensor: string) => string;
}

/**
 * Reads every weight file of a folder. With a shard index, a missing shard is named with a tensor
 * it should hold, a tensor is looked for in the shard the index names, and no tensor may be in
 * two files.
 */
export async function readModelTensors(dir: string): Promise<FolderTensors> {
  const index = await readShardIndex(dir);
  const tensors = new Map<string, HostTensor>();
  const from = new Map<string, string>();
  for (const file of filesOf(dir, index)) {
    const read = await readSafetensorsFile(file).catch((err: unknown) => {
      const listed = index ? [...index].filter(([, f]) => f === file).map(([t]) => t) : [];
      if (listed.length > 0 && err instanceof ModelFileError && err.message.endsWith('no such file')) {
        const more = listed.length > 1 ? ` and ${listed.length - 1} more` : '';
        throw new ModelFileError(`${err.message} (${INDEX_FILE} puts "${listed[0]}"${more} in it)`);
      }
      throw err;
    });
    for (const [name, t] of read.tensors) {
      const before = from.get(name);
      if (before) throw new ModelFileError(`${file}: tensor "${name}" is also in ${before}`);
      tensors.set(name, t);
      from.set(name, file);
    }
  }
  for (const [name, file] of index ?? []) {
    if (from.get(name) !== file)
      throw new ModelFileError(`${file}: no tensor "${name}", which ${INDEX_FILE} puts in this file`);
  }
  return { tensors, fileOf: (name) => from.get(name) ?? dir };
}

/** Loads config and weights from a model directory, checked against each other. */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const configPath = join(dir, 'config.json');
  const config = parseMambaConfig(await readJsonFile(configPath), configPath);
  const params = mambaParamsFromTensors(config, (await readModelTensors(dir)).tensors, dir);
  return { dir, config, params };
}
