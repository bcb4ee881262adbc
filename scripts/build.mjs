// Bundles the project with esbuild: the extension host and the CLI for Node, the webview
// scripts for the browser.
import { build } from 'esbuild';

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['vscode', 'webgpu'],
};
const browser = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: true };

const entries = [
  { ...node, entryPoints: ['extension/host/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['extension/core/cli/main.ts'], outfile: 'dist/cli.js' },
  { ...node, entryPoints: ['extension/core/runs/train-worker.ts'], outfile: 'dist/train-worker.js' },
  { ...browser, entryPoints: ['webview/engine/main.ts'], outfile: 'dist/webview/engine.js' },
  { ...browser, entryPoints: ['webview/engine/cpu-worker.ts'], outfile: 'dist/webview/cpu-worker.js' },
  { ...browser, entryPoints: ['webview/renderer/main.ts'], outfile: 'dist/webview/renderer.js', format: 'esm' },
  { ...browser, entryPoints: ['webview/training/main.ts'], outfile: 'dist/webview/training.js' },
];

await Promise.all(entries.map((e) => build({ ...e, logLevel: 'warning' })));
console.log(`built ${entries.length} bundles: ${entries.map((e) => e.outfile).join(', ')}`);
