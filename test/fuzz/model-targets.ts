// Fuzz targets of a model folder's files: model.safetensors (header and data, F32 as our writer
// writes it, F16 and BF16 relabelled from it, and the Hugging Face fixture) and config.json (the
// fixture, our writer's, defaults), read as load-model.ts reads them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  readSafetensors,
  SafetensorsError,
  writeSafetensors,
  type HostTensor,
  type SafetensorsFile,
} from '../../kernels/io/safetensors';
import { ConfigError, mambaConfigToJson, parseMambaConfig, type MambaConfig } from '../../kernels/model/config';
import { mambaParamsToTensors } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import { memorySource } from '../../extension/core/datasets/source';
import { ModelFileError, readJsonFile, readSafetensorsSource } from '../../extension/core/models/load-model';
import { randomMambaParams } from '../support/engine-suites';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';
import { consistent, PropertyError, refused, type FuzzInput, type FuzzTarget } from './fuzz-target';
import { mutateJson, mutateJsonFile, writeJson } from './json-mutate';
import { int, mutate, pick, type Rand } from './reader-fuzz';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A safetensors file's header (parsed) and data section. */
function split(file: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  return {
    header: JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<string, unknown>,
    data: file.subarray(8 + n),
  };
}

function join8(header: Uint8Array, data: Uint8Array, declared = BigInt(header.length)): Uint8Array {
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared, true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

/** The F32 file as `dtype`: the same bytes, twice the values along the last axis. */
function relabel(file: Uint8Array, dtype: 'F16' | 'BF16'): Uint8Array {
  const { header, data } = split(file);
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = e as { dtype: string; shape: number[] };
    entry.dtype = dtype;
    entry.shape =
      entry.shape.length === 0 ? [2] : [...entry.shape.slice(0, -1), 2 * entry.shape[entry.shape.length - 1]];
  }
  return join8(utf8(JSON.stringify(header)), data);
}

function safetensorsSeeds(): Uint8Array[] {
  const rng = new Rng(7);
  const t = (shape: number[]): HostTensor => {
    const n = shape.reduce((a, s) => a * s, 1);
    return { shape, data: Float32Array.from({ length: n }, () => rng.normal()) };
  };
  const small = writeSafetensors(
    new Map([
      ['a.weight', t([3, 4])],
      ['b.bias', t([5])],
      ['scalar', t([])],
      ['empty', t([0, 3])],
    ]),
    { format: 'pt' },
  );
  const cfg = parseMambaConfig({ vocab_size: 16, hidden_size: 8, num_hidden_layers: 1, state_size: 4 }, 'tiny');
  const model = writeSafetensors(mambaParamsToTensors(cfg, randomMambaParams(cfg, rng)), { format: 'pt' });
  return [
    small,
    model,
    relabel(small, 'F16'),
    relabel(model, 'BF16'),
    relabel(model, 'F16'),
    writeSafetensors(new Map()),
    new Uint8Array(readFileSync(join(HF_FIXTURE_DIR, 'model.safetensors'))),
  ];
}

/** Header lengths a mutation may declare instead of the true one. */
const LENGTHS = [0n, 1n, 7n, 100_000_001n, 2n ** 63n, 2n ** 64n - 1n];

function mutateSafetensors(seeds: readonly Uint8Array[], rand: Rand): FuzzInput {
  const seed = pick(rand, seeds),
    other = pick(rand, seeds);
  const r = rand();
  if (r < 0.35) return mutate(seed, other, rand);
  const { header, data } = split(seed);
  const { value, how } = mutateJson(header, split(other).header, rand);
  const text = utf8(writeJson(value, rand));
  const cut = rand() < 0.2 ? int(rand, 33) - 16 : 0;
  const body = cut < 0 ? data.subarray(0, Math.max(0, data.length + cut)) : Buffer.concat([data, new Uint8Array(cut)]);
  if (cut !== 0) how.push(`data ${cut > 0 ? '+' : ''}${cut} bytes`);
  const declared = rand() < 0.1 ? pick(rand, [...LENGTHS, BigInt(text.length + int(rand, 17) - 8)]) : undefined;
  if (declared !== undefined) how.push(`header length ${declared}`);
  const bytes = join8(text, body, declared);
  if (r < 0.85) return { bytes, how };
  const b = mutate(bytes, other, rand);
  return { bytes: b.bytes, how: [...how, ...b.how] };
}

function attempt(read: () => SafetensorsFile): SafetensorsFile | Error {
  try {
    return read();
  } catch (err) {
    return err as Error;
  }
}

function sameTensors(a: SafetensorsFile, b: SafetensorsFile): boolean {
  const bytes = (t: HostTensor | undefined) => t && new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return (
    isDeepStrictEqual(a.metadata, b.metadata) &&
    a.tensors.size === b.tensors.size &&
    [...a.tensors].every(
      ([name, t]) =>
        isDeepStrictEqual(t.shape, b.tensors.get(name)?.shape) &&
        isDeepStrictEqual(bytes(t), bytes(b.tensors.get(name))),
    )
  );
}

/** A .safetensors file, read whole and in steps (length, header, data) as a model folder's is: the same either way. */
export const safetensorsTarget: FuzzTarget = {
  name: 'safetensors',
  async open() {
    const seeds = safetensorsSeeds();
    const name = 'fuzz.safetensors';
    return {
      seeds: seeds.map((bytes) => ({ bytes, how: [] })),
      mutate: (rand) => mutateSafetensors(seeds, rand),
      async read(input, _rand, timed) {
        const whole = await timed(() => attempt(() => readSafetensors(input.bytes, name)));
        const stepped = await readSafetensorsSource(memorySource(name, input.bytes)).catch((err: Error) => err);
        if (whole instanceof Error) {
          consistent(
            stepped instanceof Error && stepped.message === whole.message,
            () => `read whole: ${whole.message}; in steps: ${stepped instanceof Error ? stepped.message : 'read'}`,
          );
          return refused(whole, [SafetensorsError], `${name}: `);
        }
        consistent(!(stepped instanceof Error) && sameTensors(whole, stepped), () => 'read whole and in steps differ');
        const { header } = split(input.bytes);
        const metadata = header.__metadata__ ?? {};
        consistent(
          isDeepStrictEqual(Object.keys(whole.metadata), Object.keys(metadata)),
          () =>
            `metadata keys ${JSON.stringify(Object.keys(whole.metadata))}, the file's ${JSON.stringify(Object.keys(metadata))}`,
        );
        for (const [tensor, t] of whole.tensors)
          consistent(
            t.data.length === t.shape.reduce((a, s) => a * s, 1),
            () => `tensor "${tensor}": ${t.data.length} values for shape [${t.shape.join(', ')}]`,
          );
        return 'ok';
      },
      async close() {},
    };
  },
};

function configSeeds(): string[] {
  const fixture = readFileSync(join(HF_FIXTURE_DIR, 'config.json'), 'utf8');
  const parsed = JSON.parse(fixture) as Record<string, unknown>;
  const tiny = parseMambaConfig({ vocab_size: 16, hidden_size: 8, num_hidden_layers: 1, state_size: 4 }, 'tiny');
  return [
    fixture,
    JSON.stringify(mambaConfigToJson(parseMambaConfig(parsed, 'fixture')), null, 2),
    JSON.stringify({ ...mambaConfigToJson(tiny), initializer_range: 0.1, time_step_min: 0.001 }),
    JSON.stringify({ ...parsed, time_step_rank: 'auto', intermediate_size: undefined, expand: 1.5 }),
    '{}',
  ];
}

/** Sizes are positive safe integers, numbers finite, and what mambaConfigToJson writes reads back the same. */
function checkConfig(c: MambaConfig): void {
  const sizes = [c.vocabSize, c.hiddenSize, c.numLayers, c.stateSize, c.convKernel, c.intermediateSize, c.timeStepRank];
  consistent(
    sizes.every((v) => Number.isSafeInteger(v) && v > 0),
    () => `a size is not a positive integer: ${sizes.join(', ')}`,
  );
  consistent(
    [c.expand, c.layerNormEpsilon].every((v) => Number.isFinite(v) && v > 0),
    () => `expand ${c.expand} or layer_norm_epsilon ${c.layerNormEpsilon} is not a positive finite number`,
  );
  let back: MambaConfig;
  try {
    back = parseMambaConfig(JSON.parse(JSON.stringify(mambaConfigToJson(c))), 'written back');
  } catch (err) {
    throw new PropertyError(`what mambaConfigToJson wrote does not read back: ${(err as Error).message}`);
  }
  consistent(
    isDeepStrictEqual(back, c),
    () => `written and read back: ${JSON.stringify(back)}, was ${JSON.stringify(c)}`,
  );
}

/** config.json as loadModelDir reads it (the file, then the object); some inputs as values, NaN included. */
export const configTarget: FuzzTarget = {
  name: 'config.json',
  async open() {
    const seeds = configSeeds();
    const dir = mkdtempSync(join(tmpdir(), 'seqlab-fuzz-config-'));
    const path = join(dir, 'config.json');
    return {
      seeds: seeds.map((s) => ({ bytes: utf8(s), how: [] })),
      mutate: (rand) => mutateJsonFile(seeds, rand, true),
      async read(input, _rand, timed) {
        try {
          if ('value' in input) checkConfig(await timed(() => parseMambaConfig(input.value, 'config.json')));
          else {
            await writeFile(path, input.bytes);
            checkConfig(await timed(async () => parseMambaConfig(await readJsonFile(path), path)));
          }
          return 'ok';
        } catch (err) {
          return refused(err, [ConfigError, ModelFileError], 'value' in input ? 'config.json: ' : `${path}: `);
        }
      },
      async close() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
