// Bundles the project with esbuild: the extension host and the CLI for Node, the webview
// scripts for the browser.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  // onnxruntime-web finds its .wasm beside itself in node_modules (extension/core/onnx/ort-node.ts).
  external: ['vscode', 'webgpu', 'onnxruntime-web'],
};
const browser = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: true };

const entries = [
  { ...node, entryPoints: ['extension/host/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['extension/core/cli/main.ts'], outfile: 'dist/cli.js' },
  { ...node, entryPoints: ['extension/core/runs/train-worker.ts'], outfile: 'dist/train-worker.js' },
  { ...node, entryPoints: ['extension/core/variants/variant-worker.ts'], outfile: 'dist/variant-worker.js' },
  { ...browser, entryPoints: ['webview/engine/main.ts'], outfile: 'dist/webview/engine.js' },
  { ...browser, entryPoints: ['webview/engine/cpu-worker.ts'], outfile: 'dist/webview/cpu-worker.js' },
  {
    ...browser,
    entryPoints: ['webview/engine/onnx-worker.ts'],
    outfile: 'dist/webview/onnx-worker.js',
    // onnxruntime-web looks for its .wasm by import.meta.url unless told: the worker sets wasmPaths.
    logOverride: { 'empty-import-meta': 'silent' },
  },
  { ...browser, entryPoints: ['webview/renderer/main.ts'], outfile: 'dist/webview/renderer.js', format: 'esm' },
  { ...browser, entryPoints: ['webview/training/main.ts'], outfile: 'dist/webview/training.js' },
];

await Promise.all(entries.map((e) => build({ ...e, logLevel: 'warning' })));
// The wasm the ONNX worker's onnxruntime-web bundle (wasm + WebGPU execution providers) loads.
const ORT_WASM = 'ort-wasm-simd-threaded.jsep.wasm';
mkdirSync('dist/webview/ort', { recursive: true });
copyFileSync(`node_modules/onnxruntime-web/dist/${ORT_WASM}`, `dist/webview/ort/${ORT_WASM}`);
console.log(
  `built ${entries.length} bundles: ${entries.map((e) => e.outfile).join(', ')}; copied dist/webview/ort/${ORT_WASM}`,
);
