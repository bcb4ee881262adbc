// The weights of model folders as the engine webview receives them (one safetensors file), read
// once per folder and kept while its files stay as they were: keyed by the folder's real path and
// the sizes and mtimes of config.json and the weight files, bounded in bytes, least recently used
// out first. Nothing is decoded or re-encoded on the extension host's event loop: the files' data
// sections are read asynchronously straight into the one file the engine gets (no buffer between,
// so no copying on the event loop and no garbage to collect), behind a header joined from theirs,
// so shards become one file and every dtype passes through. The names and shapes are checked
// against the config from the headers alone; the engine decodes the values and checks them when it
// loads the model.
import { constants } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  type HostTensor,
  type SafetensorsHeader,
} from '../../../kernels/io/safetensors';
import type { MambaConfig } from '../../../kernels/model/config';
import { mambaParamsFromTensors } from '../../../kernels/model/weights';
import { ModelFileError, weightFiles } from '../models/load-model';

/** A model's weights for the engine, and the key its upload is cached under (changes with the files). */
export interface ModelWeights {
  key: string;
  bytes: Uint8Array;
}

/** 1 GiB: a few small models, or one of about 250M float32 parameters. */
export const DEFAULT_MODEL_CACHE_BYTES = 2 ** 30;
/** The most one read call asks for, so that other file work gets the thread pool between calls. */
const READ_CALL_BYTES = 8 << 20;
// O_NONBLOCK so that opening a FIFO returns at once (and is refused) instead of waiting for a writer.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
/** Stands in for a tensor's values where only its name and shape are checked. */
const NO_VALUES = new Float32Array(0);

async function fileStamp(path: string, required: boolean): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (required) throw new ModelFileError(`${path}: no such file`);
    return '-';
  }
}

/** Bytes [position, position + length) of a file into `out` at `at`. */
async function readInto(
  file: FileHandle,
  path: string,
  out: Uint8Array,
  at: number,
  length: number,
  position: number,
): Promise<void> {
  for (let got = 0; got < length;) {
    const { bytesRead } = await file.read(out, at + got, Math.min(READ_CALL_BYTES, length - got), position + got);
    if (bytesRead === 0) throw new ModelFileError(`${path}: ends at byte ${position + got}, before its header says`);
    got += bytesRead;
  }
}

interface Shard {
  path: string;
  file: FileHandle;
  header: SafetensorsHeader;
  dataBytes: number;
}

/** Opens a weight file and reads its header: the length first, so a bad one is refused before more is read. */
async function openShard(path: string): Promise<Shard> {
  const file = await open(path, OPEN_FLAGS);
  try {
    const st = await file.stat();
    if (!st.isFile()) throw new ModelFileError(`${path}: not a regular file`);
    const first8 = new Uint8Array(8);
    await readInto(file, path, first8, 0, Math.min(8, st.size), 0);
    const n = safetensorsHeaderLength(first8, st.size, path);
    const header = new Uint8Array(n);
    await readInto(file, path, header, 0, n, 8);
    const parsed = parseSafetensorsHeader(header, st.size, path);
    return { path, file, header: parsed, dataBytes: st.size - parsed.dataStart };
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** The header of the joined file: every shard's tensors, their offsets moved past the shards before. */
function joinedHeader(shards: readonly Shard[]): Uint8Array {
  const json: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let base = 0;
  for (const { path, header, dataBytes } of shards) {
    for (const e of header.entries) {
      if (Object.hasOwn(json, e.name)) throw new ModelFileError(`${path}: tensor "${e.name}" is in another shard too`);
      json[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [base + e.begin, base + e.end] };
    }
    base += dataBytes;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  // Padded with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const padded = new Uint8Array(text.byteLength + ((8 - (text.byteLength % 8)) % 8)).fill(0x20);
  padded.set(text);
  return padded;
}

/** One safetensors file of every weight file of `dir`, checked against `config` by name and shape. */
async function readWeights(dir: string, files: readonly string[], config: MambaConfig): Promise<Uint8Array> {
  const shards: Shard[] = [];
  try {
    for (const path of files) shards.push(await openShard(path));
    const shapes = new Map<string, HostTensor>();
    for (const s of shards) for (const e of s.header.entries) shapes.set(e.name, { shape: e.shape, data: NO_VALUES });
    mambaParamsFromTensors(config, shapes, dir);
    const header = joinedHeader(shards);
    const out = new Uint8Array(8 + header.byteLength + shards.reduce((a, s) => a + s.dataBytes, 0));
    new DataView(out.buffer).setBigUint64(0, BigInt(header.byteLength), true);
    out.set(header, 8);
    let at = 8 + header.byteLength;
    for (const s of shards) {
      await readInto(s.file, s.path, out, at, s.dataBytes, s.header.dataStart);
      at += s.dataBytes;
    }
    return out;
  } finally {
    await Promise.all(shards.map((s) => s.file.close()));
  }
}

interface Entry {
  key: string;
  weights: Promise<ModelWeights>;
  /** 0 while loading. */ bytes: number;
}

export class ModelCache {
  /** By the folder's real path, least recently used first. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxBytes = DEFAULT_MODEL_CACHE_BYTES) {}

  /** The weights of the model in `dir` (whose config.json says `config`), read when its files changed. */
  async weights(dir: string, config: MambaConfig): Promise<ModelWeights> {
    const real = await realpath(dir).catch(() => dir);
    const files = await weightFiles(dir);
    const stamps = await Promise.all([
      fileStamp(join(dir, 'config.json'), true),
      fileStamp(join(dir, 'model.safetensors.index.json'), false),
      ...files.map((f) => fileStamp(f, true)),
    ]);
    const key = `${real}@${stamps.join(',')}`;
    const hit = this.entries.get(real);
    this.entries.delete(real);
    if (hit?.key === key) {
      this.entries.set(real, hit);
      return hit.weights;
    }
    const entry: Entry = {
      key,
      bytes: 0,
      weights: readWeights(dir, files, config).then((bytes) => ({ key, bytes })),
    };
    this.entries.set(real, entry);
    entry.weights.then(
      (w) => {
        entry.bytes = w.bytes.byteLength;
        this.evict();
      },
      () => {
        if (this.entries.get(real) === entry) this.entries.delete(real);
      },
    );
    return entry.weights;
  }

  /** Drops the least recently used models until the rest fit (one larger than the bound is not kept). */
  private evict(): void {
    let total = 0;
    for (const e of this.entries.values()) total += e.bytes;
    for (const [real, e] of this.entries) {
      if (total <= this.maxBytes) return;
      if (e.bytes === 0) continue;
      this.entries.delete(real);
      total -= e.bytes;
    }
  }
}

/** The extension host's (or the CLI's) one cache. */
export const modelCache = new ModelCache();
