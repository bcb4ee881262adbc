// The webview shell's Content-Security-Policy: WebAssembly compilation ('wasm-unsafe-eval', which
// the engine page's ONNX worker needs for onnxruntime-web) is allowed only when asked for, in
// script-src alone, and never eval itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy } from '../../extension/host/panels/webview-html';

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0], d]));

test("'wasm-unsafe-eval' is in script-src only for a page that asks for wasm", () => {
  const base = { cspSource: 'https://resource.example', nonce: 'n0nce', workers: true };
  const plain = contentSecurityPolicy(base),
    wasm = directives(contentSecurityPolicy({ ...base, wasm: true }));
  assert.doesNotMatch(plain, /wasm-unsafe-eval/);
  assert.equal(wasm.get('script-src'), "script-src 'nonce-n0nce' 'wasm-unsafe-eval'");
  assert.equal([...wasm.values()].filter((d) => d.includes('wasm-unsafe-eval')).length, 1);
  assert.doesNotMatch([...wasm.values()].join('; '), /'unsafe-eval'/);
  assert.equal(wasm.get('worker-src'), 'worker-src blob:');
});
