// Model folders as Hugging Face writes them, for the import tests: safetensors files in F16 or
// BF16 (values rounded to nearest even, as torch casts), shards with their index, and the logits
// the CPU engine gives for a config and parameters.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../../kernels/cpu-backend';
import { type HostTensor, writeSafetensors } from '../../kernels/io/safetensors';
import type { MambaConfig } from '../../kernels/model/config';
import { mambaForward } from '../../kernels/model/forward';
import { type MambaParams, freeMambaModel, uploadMambaModel } from '../../kernels/model/weights';

export type HalfDtype = 'F16' | 'BF16';

const bitsOf = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

/** IEEE half bits of a float32 value (round to nearest even; the test weights are in range). */
export function f16Bits(x: number): number {
  const u = bitsOf(x);
  const sign = (u >>> 16) & 0x8000,
    exp = (u >>> 23) & 0xff,
    mant = u & 0x7fffff;
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  const full = e <= 0 ? mant | 0x800000 : mant;
  const shift = e <= 0 ? 14 - e : 13;
  if (shift > 24) return sign;
  let h = full >>> shift;
  const rest = full & ((1 << shift) - 1),
    half = 1 << (shift - 1);
  if (rest > half || (rest === half && h & 1)) h++;
  return sign | ((e <= 0 ? 0 : e << 10) + h);
}

export function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    m = h & 0x3ff;
  return e === 0 ? sign * m * 2 ** -24 : sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** bfloat16 bits: the upper half of float32, rounded to nearest even. */
export function bf16Bits(x: number): number {
  const u = bitsOf(x);
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export const bf16Value = (b: number): number => new Float32Array(new Uint32Array([b << 16]).buffer)[0];

/** `data` as the dtype stores it, widened back to float32: what an import of that file must give. */
export function rounded(dtype: HalfDtype, data: Float32Array): Float32Array {
  return data.map((x) => (dtype === 'F16' ? f16Value(f16Bits(x)) : bf16Value(bf16Bits(x))));
}

/** A safetensors file of the tensors in F16 or BF16: our F32 writer's layout, halved. */
export function writeHalfSafetensors(tensors: ReadonlyMap<string, HostTensor>, dtype: HalfDtype): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const name of names) {
    const n = (tensors.get(name) as HostTensor).data.length;
    header[name] = { dtype, shape: (tensors.get(name) as HostTensor).shape, data_offsets: [offset, offset + 2 * n] };
    offset += 2 * n;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.byteLength + ((8 - (json.byteLength % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const name of names) {
    for (const x of (tensors.get(name) as HostTensor).data) {
      view.setUint16(at, dtype === 'F16' ? f16Bits(x) : bf16Bits(x), true);
      at += 2;
    }
  }
  return out;
}

/**
 * Writes the tensors into `count` shards (model-0000i-of-0000n.safetensors, in `dtype`) and the
 * model.safetensors.index.json that lists them; returns the shard names.
 */
export function writeShards(
  dir: string,
  tensors: ReadonlyMap<string, HostTensor>,
  dtype: HalfDtype | 'F32',
  count: number,
): string[] {
  const names = [...tensors.keys()].sort();
  const shardNames = Array.from(
    { length: count },
    (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.safetensors`,
  );
  const weightMap: Record<string, string> = {};
  shardNames.forEach((shard, i) => {
    const part = new Map(names.filter((_, j) => j % count === i).map((n) => [n, tensors.get(n) as HostTensor]));
    for (const n of part.keys()) weightMap[n] = shard;
    const bytes = dtype === 'F32' ? writeSafetensors(part, { format: 'pt' }) : writeHalfSafetensors(part, dtype);
    writeFileSync(join(dir, shard), bytes);
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  return shardNames;
}

/** The CPU engine's float32 logits [batch, length, vocab] for rows of token ids. */
export async function cpuLogits(
  config: MambaConfig,
  params: MambaParams<HostTensor>,
  ids: number[][],
): Promise<Float32Array> {
  const backend = new CpuBackend();
  const model = uploadMambaModel(backend, config, params);
  try {
    const t = backend.uploadIds(Int32Array.from(ids.flat()), [ids.length, ids[0].length]);
    return await backend.read(mambaForward(backend, model, t).logits);
  } finally {
    freeMambaModel(backend, model);
    backend.dispose();
  }
}
