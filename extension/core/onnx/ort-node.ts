// onnxruntime-web in Node: its wasm backend, pointed at the .mjs/.wasm files of the installed
// package (a file: URL prefix; the bundled CLI keeps the package external so this resolves in
// node_modules), with the number of wasm threads the caller asks for.
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import type { OrtModule } from '../../../kernels/onnx/onnx-session';

/** onnxruntime-web set up for Node; `threads` applies to sessions created after the first call only (the wasm starts once). */
export function nodeOrt(threads = 1): OrtModule {
  ort.env.wasm.wasmPaths = `${pathToFileURL(dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'))).href}/`;
  ort.env.wasm.numThreads = threads;
  return ort;
}
