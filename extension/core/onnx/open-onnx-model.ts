// An ONNX Mamba for the CLI's --backend onnx: a .onnx file (refused, naming it, unless it is a
// SeqLab export of the mode the command needs) or a model folder exported in memory, opened in
// onnxruntime-web's wasm backend.
import { readFile, stat } from 'node:fs/promises';
import { mambaOnnxModel, type OnnxMode } from '../../../kernels/onnx/mamba-onnx';
import { OnnxFormatError } from '../../../kernels/onnx/onnx-model-info';
import { OnnxMamba } from '../../../kernels/onnx/onnx-session';
import { loadModelDir, ModelFileError } from '../models/load-model';
import { nodeOrt } from './ort-node';

export interface OpenedOnnx {
  readonly model: OnnxMamba;
  /** Where the graph came from and what runs it, in words. */
  readonly reason: string;
}

/**
 * `path` is a .onnx file or a model folder. `needs` is the mode the caller needs: 'step' for
 * anything that carries the state; 'full' runs either mode's file from the zero state.
 */
export async function openOnnxModel(path: string, needs: OnnxMode, threads: number): Promise<OpenedOnnx> {
  const kind = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new ModelFileError(err.code === 'ENOENT' ? `${path}: no such file or folder` : `${path}: ${err.message}`);
  });
  const ort = nodeOrt(threads);
  const runs = `onnxruntime-web wasm, ${threads} thread${threads === 1 ? '' : 's'}`;
  if (kind.isFile()) {
    const model = await OnnxMamba.create(ort, await readFile(path), path, { executionProviders: ['wasm'] });
    if (needs === 'step' && model.mode !== 'step') {
      await model.release();
      throw new OnnxFormatError(
        `${path}: a full-mode export starts from the zero state; this needs one with the state (seqlab export-onnx --mode step)`,
      );
    }
    return { model, reason: `onnx: ${path} (${model.mode} mode) on ${runs}` };
  }
  const loaded = await loadModelDir(path);
  const bytes = mambaOnnxModel(loaded.config, loaded.params, needs);
  const model = await OnnxMamba.create(ort, bytes, `${path} exported to ONNX`, { executionProviders: ['wasm'] });
  return { model, reason: `onnx: ${path} exported in memory (${needs} mode) on ${runs}` };
}
