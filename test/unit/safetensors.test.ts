// safetensors: F32 round trip, F16/BF16 decoding, the real fixture file, and every kind of
// corruption giving an error that names the file, the problem and the byte offset.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type HostTensor, readSafetensors, writeSafetensors } from '../../kernels/io/safetensors';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';

/** A file with `header` (object or raw text) and `data`; `declaredLength` overrides the u64 prefix. */
function rawFile(header: object | string, data: Uint8Array = new Uint8Array(), declaredLength?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function u16(values: number[]): Uint8Array {
  const out = new Uint8Array(2 * values.length),
    view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v, true));
  return out;
}

describe('safetensors', () => {
  it('writes and reads back float32 tensors and metadata exactly', () => {
    const tensors = new Map<string, HostTensor>([
      ['b.weight', { shape: [3, 5], data: Float32Array.from({ length: 15 }, () => Math.random() - 0.5) }],
      ['a.bias', { shape: [7], data: Float32Array.from({ length: 7 }, () => Math.random() * 1e6) }],
      ['scalar', { shape: [], data: Float32Array.of(-0.125) }],
      ['empty', { shape: [0, 4], data: new Float32Array() }],
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLength) % 8, 0, 'data section is 8-byte aligned');
    const back = readSafetensors(bytes, 'roundtrip.safetensors');
    assert.deepEqual(back.metadata, { format: 'pt' });
    assert.deepEqual([...back.tensors.keys()].sort(), [...tensors.keys()].sort());
    for (const [name, t] of tensors) {
      assert.deepEqual(back.tensors.get(name)?.shape, t.shape);
      assert.deepEqual(back.tensors.get(name)?.data, t.data);
    }
  });

  it('decodes F16 (normal, subnormal, max, infinity) and BF16', () => {
    const f16 = u16([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555]);
    const bf16 = u16([0x3f80, 0xc0a0, 0x4049]);
    const data = new Uint8Array([...f16, ...bf16]);
    const file = rawFile(
      {
        h: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 12] },
        b: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] },
      },
      data,
    );
    const r = readSafetensors(file, 'half.safetensors');
    assert.deepEqual(
      [...(r.tensors.get('h') as HostTensor).data],
      [1, -2, 65504, 2 ** -24, Infinity, Math.fround(0.333251953125)],
    );
    assert.deepEqual([...(r.tensors.get('b') as HostTensor).data], [1, -5, 3.140625]);
  });

  it('reads the Hugging Face fixture: 22 float32 tensors with their shapes', () => {
    const r = readSafetensors(
      new Uint8Array(readFileSync(join(HF_FIXTURE_DIR, 'model.safetensors'))),
      'model.safetensors',
    );
    assert.equal(r.tensors.size, 22);
    assert.deepEqual(r.tensors.get('backbone.layers.1.mixer.conv1d.weight')?.shape, [128, 1, 4]);
    assert.deepEqual(r.tensors.get('backbone.layers.0.mixer.x_proj.weight')?.shape, [36, 128]);
  });

  const f32 = (n: number): Uint8Array => new Uint8Array(4 * n).fill(1);
  const corrupt: [string, Uint8Array, RegExp][] = [
    [
      'fewer than 8 bytes',
      new Uint8Array(5),
      /^bad\.safetensors: truncated: 5 bytes, the 8-byte header length is missing \(byte 5\)$/,
    ],
    [
      'header length past the end',
      rawFile({}, new Uint8Array(), 1000n),
      /header length 1000 runs past the end of the file \(10 bytes\) \(byte 0\)$/,
    ],
    ['header that is not JSON', rawFile('{"a": [1, 2'), /header is not valid UTF-8 JSON: .* \(byte 8\)$/],
    ['header that is not an object', rawFile('[1, 2]'), /header is not a JSON object \(byte 8\)$/],
    [
      'unknown dtype',
      rawFile({ t: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, f32(1)),
      /tensor "t": unsupported dtype "Q7" \(supported: F32, F16, BF16\)/,
    ],
    [
      'shape and byte count disagree',
      rawFile({ t: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20)),
      /tensor "t": 20 bytes for F32 shape \[2, 3\], expected 24 \(byte \d+\)$/,
    ],
    [
      'offsets out of range',
      rawFile({ t: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, f32(4)),
      /tensor "t": data_offsets \[8, 24\] run past the end of the data \(16 bytes\)/,
    ],
    [
      'truncated data',
      rawFile({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(3)),
      /data_offsets \[0, 16\] run past the end of the data \(12 bytes\)/,
    ],
    [
      'overlapping tensors',
      rawFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        f32(3),
      ),
      /tensor "b": data_offsets \[4, 12\] overlap the previous tensor \(ends at 8\)/,
    ],
    [
      'offsets that end before they begin',
      rawFile({ t: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, f32(2)),
      /data_offsets \[8, 4\] end before they begin/,
    ],
    [
      'negative or fractional offsets',
      rawFile({ t: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, f32(1)),
      /data_offsets \[-4,0\] is not a pair of non-negative integers/,
    ],
    [
      'bad shape',
      rawFile({ t: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, f32(1)),
      /shape \[1\.5\] is not a list of non-negative integers/,
    ],
    [
      'a gap between tensors',
      rawFile(
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        f32(3),
      ),
      /tensor "b": gap in the data before offset 8/,
    ],
    [
      'bytes after the last tensor',
      rawFile({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)),
      /4 bytes after the last tensor are not described by the header/,
    ],
    [
      'a dtype nested deeper than JSON.stringify can write',
      rawFile(
        `{"t": {"dtype": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "shape": [1], "data_offsets": [0, 4]}}`,
        f32(1),
      ),
      /tensor "t": unsupported dtype \[\.\.\.\]/,
    ],
  ];
  for (const [what, bytes, message] of corrupt) {
    it(`rejects ${what} with a clear error`, () => {
      assert.throws(
        () => readSafetensors(bytes, 'bad.safetensors'),
        (err: Error) => {
          assert.equal(err.name, 'SafetensorsError');
          assert.match(err.message, /^bad\.safetensors: /);
          assert.match(err.message, /\(byte \d+\)$/);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it('reads float32 tensors from a Buffer that views a larger allocation', () => {
    const t: HostTensor = { shape: [2, 3], data: Float32Array.of(1, -2, 3.5, 0, 1e-3, 7) };
    const file = writeSafetensors(new Map([['t', t]]));
    // A Buffer's slice() shares memory: the tensor must be copied from these bytes alone.
    const view = Buffer.concat([Buffer.alloc(16), Buffer.from(file)]).subarray(16);
    assert.deepEqual(readSafetensors(view, 'view.safetensors').tensors.get('t'), t);
  });

  it('keeps a metadata key named "__proto__"', () => {
    const file = rawFile('{"__metadata__": {"__proto__": "x", "format": "pt"}}');
    const { metadata } = readSafetensors(file, 'proto.safetensors');
    assert.deepEqual(Object.keys(metadata), ['__proto__', 'format']);
    assert.equal(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value, 'x');
  });

  it('rejects a truncated copy of the fixture naming the tensor that runs past the end', () => {
    const bytes = new Uint8Array(readFileSync(join(HF_FIXTURE_DIR, 'model.safetensors')));
    assert.throws(() => readSafetensors(bytes.subarray(0, bytes.length - 100), 'model.safetensors'), {
      name: 'SafetensorsError',
      message: /^model\.safetensors: tensor "backbone\.norm_f\.weight": data_offsets .* run past the end of the data/,
    });
  });
});
