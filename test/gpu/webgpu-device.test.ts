// Device handling: what acquisition reports, the pipeline cache (and its portable binding limit), dispatch splitting arithmetic,
// that device loss, validation errors and foreign tensors surface as errors, and what
// createBackend chooses with and without an adapter.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBackend } from '../../kernels/create-backend';
import { WebGpuDeviceError, WebGpuUnavailableError } from '../../kernels/webgpu/device';
import { splitWorkgroups } from '../../kernels/webgpu/dispatch-grid';
import { PORTABLE_STORAGE_BUFFERS, storageBufferCount } from '../../kernels/webgpu/pipeline-cache';
import { packUniforms } from '../../kernels/webgpu/uniforms';
import type { WebGpuBackend } from '../../kernels/webgpu/webgpu-backend';
import { ON_SWIFTSHADER, openWebGpu, uniform } from './webgpu-setup';

describe('WebGPU device', () => {
  test('acquisition names the adapter and, on SwiftShader, reports a fallback adapter', async (t) => {
    const gpu = await openWebGpu();
    try {
      assert.match(gpu.description, /^WebGPU on \S/);
      if (!ON_SWIFTSHADER) return t.skip('not on SwiftShader');
      assert.equal(gpu.gpuDevice.isFallbackAdapter, true);
      assert.match(gpu.description, /swiftshader/i);
      assert.match(gpu.description, /\(fallback adapter\)$/);
    } finally {
      gpu.dispose();
    }
  });

  test('pipelines are cached by generated code: new shapes hit, new variants miss', async () => {
    const gpu = await openWebGpu();
    try {
      const cache = gpu.runtime.pipelines;
      const a = gpu.upload(uniform(10), [10]),
        b = gpu.upload(uniform(300), [3, 100]);
      gpu.add(a, a);
      assert.deepEqual([cache.misses, cache.hits], [1, 0]);
      gpu.add(a, a);
      gpu.add(b, b);
      assert.deepEqual([cache.misses, cache.hits], [1, 2]);
      const w = gpu.upload(uniform(700), [7, 100]);
      gpu.linear(b, w, undefined, 'none');
      gpu.linear(b, w, undefined, 'silu');
      gpu.linear(gpu.upload(uniform(500), [5, 100]), w, undefined, 'silu');
      assert.deepEqual([cache.misses, cache.hits], [3, 3]);
      assert.equal(cache.size, 3);
      await gpu.read(a);
    } finally {
      gpu.dispose();
    }
  });

  test('a kernel over the portable 8 storage buffers is refused even where the device offers more', async () => {
    const gpu = await openWebGpu();
    try {
      const decl = (k: number) =>
        Array.from(
          { length: k },
          (_, i) => `@group(0) @binding(${i}) var<storage, read_write> b${i}: array<f32>;`,
        ).join('\n');
      const code = (k: number) =>
        `${decl(k)}\n@compute @workgroup_size(1) fn main() { ${Array.from({ length: k }, (_, i) => `b${i}[0] = 1.0;`).join(' ')} }`;
      assert.equal(storageBufferCount(code(9)), 9);
      assert.throws(
        () => gpu.runtime.pipelines.get(code(9)),
        /binds 9 storage buffers, over the 8 every WebGPU device offers/,
      );
      assert.ok(gpu.runtime.pipelines.get(code(PORTABLE_STORAGE_BUFFERS)), 'eight compile');
    } finally {
      gpu.dispose();
    }
  });

  test('a lost device makes the next op throw instead of returning stale numbers', async () => {
    const gpu = await openWebGpu();
    const a = gpu.upload(uniform(8), [8]);
    gpu.gpuDevice.device.destroy(); // what a driver reset looks like to the page
    await gpu.gpuDevice.device.lost;
    assert.throws(
      () => gpu.add(a, a),
      (err: unknown) => err instanceof WebGpuDeviceError && /lost/.test(err.message),
    );
    gpu.dispose();
  });

  test('a validation error surfaces at the next read', async () => {
    const gpu = await openWebGpu();
    try {
      const out = gpu.upload(uniform(4), [4]);
      gpu.runtime.run('@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }', [], undefined, 1);
      await assert.rejects(
        gpu.read(out),
        (err: unknown) => err instanceof WebGpuDeviceError && /WebGPU error/.test(err.message),
      );
    } finally {
      gpu.dispose();
    }
  });

  test('a tensor of another device or an id tensor in a float slot is refused', async () => {
    const [one, two] = [await openWebGpu(), await openWebGpu()];
    try {
      const a = one.upload(uniform(4), [4]);
      assert.throws(() => two.add(a, a), /does not belong to this WebGPU device/);
      const ids = one.uploadIds(Int32Array.from([1, 2, 3, 0]), [4]);
      assert.throws(() => one.add(ids, a), /expected f32, got i32/);
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  test('use after dispose is an error', async () => {
    const gpu = await openWebGpu();
    gpu.dispose();
    assert.throws(() => gpu.zeros([2]), /used after dispose/);
  });
});

describe('dispatch grid and uniforms', () => {
  test('splitWorkgroups folds counts above the per-dimension limit into two dimensions', () => {
    assert.deepEqual(splitWorkgroups(65535, 65535), [65535, 1]);
    for (const count of [65536, 200003, 65535 * 65535]) {
      const [x, y] = splitWorkgroups(count, 65535);
      assert.ok(x <= 65535 && y <= 65535 && x * y >= count && x * (y - 1) < count, `${count} -> ${x} x ${y}`);
    }
    assert.throws(() => splitWorkgroups(65535 * 65535 + 1, 65535), /exceed/);
    assert.throws(() => splitWorkgroups(0, 65535), /positive/);
  });

  test('packUniforms writes fields in order, padded to 16 bytes, and refuses values a field cannot hold', () => {
    const bytes = packUniforms(
      { a: 'u32', b: 'f32', c: 'i32', d: 'u32', e: 'u32' },
      { a: 7, b: 0.5, c: -3, d: 2 ** 32 - 1, e: 1 },
    );
    assert.equal(bytes.byteLength, 32);
    const v = new DataView(bytes);
    assert.deepEqual(
      [v.getUint32(0, true), v.getFloat32(4, true), v.getInt32(8, true), v.getUint32(12, true), v.getUint32(16, true)],
      [7, 0.5, -3, 2 ** 32 - 1, 1],
    );
    assert.throws(() => packUniforms({ a: 'u32' }, { a: -1 }), /cannot hold -1/);
    assert.throws(() => packUniforms({ a: 'u32' }, { a: 1.5 }), /cannot hold 1.5/);
    assert.throws(() => packUniforms({ a: 'f32' }, { a: NaN }), /uniform a is NaN/);
  });
});

describe('createBackend on this machine', () => {
  test("'auto' takes a hardware WebGPU adapter, passes a software fallback over for the CPU, and says which", async () => {
    const webgpu = await createBackend('webgpu');
    const fallback = (webgpu.backend as WebGpuBackend).gpuDevice.isFallbackAdapter;
    webgpu.backend.dispose();
    const chosen = await createBackend('auto');
    try {
      if (fallback) {
        assert.equal(chosen.backend.name, 'cpu');
        assert.match(chosen.reason, /^cpu: the only WebGPU adapter is a software fallback \(\S/);
      } else {
        assert.equal(chosen.backend.name, 'webgpu');
        assert.match(chosen.reason, /^webgpu: WebGPU on \S/);
      }
    } finally {
      chosen.backend.dispose();
    }
  });

  test("without an adapter 'webgpu' fails with the reason and 'auto' runs on the CPU saying why", async () => {
    // A GPU object whose requestAdapter() finds nothing, as navigator.gpu does on a machine without one.
    const noAdapter = async (): Promise<GPU> => ({ requestAdapter: async () => null }) as unknown as GPU;
    await assert.rejects(
      createBackend('webgpu', { gpu: noAdapter }),
      (err: unknown) => err instanceof WebGpuUnavailableError && /no WebGPU adapter/.test(err.message),
    );
    const chosen = await createBackend('auto', { gpu: noAdapter });
    try {
      assert.equal(chosen.backend.name, 'cpu');
      assert.match(chosen.reason, /^cpu: .*no WebGPU adapter/);
    } finally {
      chosen.backend.dispose();
    }
  });
});
