// Reading back what an .onnx file is: a SeqLab Mamba export (format, mode and config from its
// metadata, written by mamba-onnx.ts) or anything else, which is refused naming the file.
import { onnx } from 'onnx-proto';
import { type MambaConfig, parseMambaConfig } from '../model/config';
import { ONNX_FORMAT, ONNX_META, ONNX_MODES, type OnnxMode } from './mamba-onnx';

export interface OnnxModelInfo {
  readonly mode: OnnxMode;
  readonly config: MambaConfig;
}

export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

/** The mode and config of a SeqLab export; `source` names the file in errors. */
export function readOnnxModelInfo(bytes: Uint8Array, source: string): OnnxModelInfo {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new OnnxFormatError(`${source}: not an ONNX model (${err instanceof Error ? err.message : String(err)})`);
  }
  const meta = new Map(model.metadataProps.map((p) => [p.key, p.value]));
  const format = meta.get(ONNX_META.format);
  if (!model.graph || format !== ONNX_FORMAT.name)
    throw new OnnxFormatError(
      `${source}: not a Mamba SeqLab ONNX export (no "${ONNX_META.format}: ${ONNX_FORMAT.name}" in its metadata${model.producerName ? `; made by ${JSON.stringify(model.producerName)}` : ''}); export one with seqlab export-onnx`,
    );
  const version = meta.get(ONNX_META.version);
  if (version !== ONNX_FORMAT.version)
    throw new OnnxFormatError(
      `${source}: SeqLab ONNX format version ${JSON.stringify(version)}, this build reads ${ONNX_FORMAT.version}`,
    );
  const mode = meta.get(ONNX_META.mode) as OnnxMode;
  if (!ONNX_MODES.includes(mode))
    throw new OnnxFormatError(`${source}: "${ONNX_META.mode}" is ${JSON.stringify(mode)}, not full or step`);
  let json: unknown;
  try {
    json = JSON.parse(meta.get(ONNX_META.config) ?? '');
  } catch {
    throw new OnnxFormatError(`${source}: "${ONNX_META.config}" in its metadata is not JSON`);
  }
  return { mode, config: parseMambaConfig(json, `${source} metadata ${ONNX_META.config}`) };
}
