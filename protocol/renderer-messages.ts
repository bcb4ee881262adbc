// The channel between the notebook renderer (webview/renderer/) and the extension host
// (extension/host/notebook/renderer-requests.ts): the renderer asks the host to save a file it built
// or to generate from a picked position; the host answers each with what it did, or an error. The
// host says nothing of its own. Both sides check what they receive with the parsers here. No vscode
// or Node import: the renderer compiles against this file.
import type { Validators } from './channel';
import { Fields, MAX_TEXT, ProtocolError } from './validate';

/** The channel name of the renderer boundary, on both sides. */
export const RENDERER_CHANNEL = 'renderer';

export type ExportFormat = 'bed' | 'csv' | 'json' | 'fasta' | 'wav' | 'vcf' | 'tsv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['bed', 'csv', 'json', 'fasta', 'wav', 'vcf', 'tsv'];

/** Largest export the renderer may hand the host to save (characters of `content`). */
export const MAX_EXPORT_CHARS = 64 << 20;
/** Longest output id (an OutputSummary's `id`) a request may name. */
const MAX_OUTPUT_ID = 256;
/** Most records an analysis may have (bounds `record`). */
const MAX_RECORDS = 1e7;

/**
 * Asks the host to save a file the renderer built (webview/renderer/exports.ts): the host shows a
 * save dialog (the user picks where; nothing is written without it) and writes `content`, which is
 * text for bed/csv/json/fasta/vcf/tsv and base64 for wav. `suggestedName` is a bare file name.
 */
export interface ExportRequest {
  format: ExportFormat;
  suggestedName: string;
  encoding: 'utf8' | 'base64';
  content: string;
}
/**
 * Asks the host to add a generate cell continuing the analyzed file from `position` (bases or
 * samples) of `record`, and run it. `outputId` is the summary's `id`.
 */
export interface GenerateFromRequest {
  outputId: string;
  record: number;
  position: number;
}
/** What the host did, for the output's status line ("saved x.bed", "not saved"). */
export interface RendererReply {
  message: string;
}

export type RendererSays = {
  requests: {
    export: { payload: ExportRequest; reply: RendererReply };
    generateFrom: { payload: GenerateFromRequest; reply: RendererReply };
  };
  notifications: Record<never, never>;
};
export type RendererHostSays = { requests: Record<never, never>; notifications: Record<never, never> };

// ---------------------------------------------------------------- parsers

export function parseExportRequest(raw: unknown): ExportRequest {
  const f = new Fields(raw, 'export');
  const suggestedName = f.str('suggestedName', 255);
  if (!/^[\w][\w .()+-]*$/.test(suggestedName))
    throw new ProtocolError(`export.suggestedName: ${JSON.stringify(suggestedName)} is not a bare file name`);
  return {
    format: f.oneOf('format', EXPORT_FORMATS),
    suggestedName,
    encoding: f.oneOf('encoding', ['utf8', 'base64'] as const),
    content: f.str('content', MAX_EXPORT_CHARS),
  };
}

export function parseGenerateFromRequest(raw: unknown): GenerateFromRequest {
  const f = new Fields(raw, 'generateFrom');
  return {
    outputId: f.str('outputId', MAX_OUTPUT_ID),
    record: f.int('record', 0, MAX_RECORDS),
    position: f.int('position', 0, Number.MAX_SAFE_INTEGER),
  };
}

export function parseRendererReply(raw: unknown): RendererReply {
  return { message: new Fields(raw, 'reply').str('message', MAX_TEXT) };
}

/** What the renderer checks: the host's answers. */
export const rendererValidators: Validators<RendererSays, RendererHostSays> = {
  requests: {},
  replies: { export: parseRendererReply, generateFrom: parseRendererReply },
  progress: {},
  notifications: {},
};
/** What the host checks: the renderer's requests. */
export const rendererHostValidators: Validators<RendererHostSays, RendererSays> = {
  requests: { export: parseExportRequest, generateFrom: parseGenerateFromRequest },
  replies: {},
  progress: {},
  notifications: {},
};
