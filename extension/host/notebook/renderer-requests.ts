// Requests from the notebook renderer over the renderer channel (protocol/renderer-messages.ts),
// checked by its parsers before anything happens: exports (the user picks where in a save dialog;
// in an untrusted workspace they confirm first) and "generate from here" (a generate cell is added
// below the analysis, in the notebook of the editor that asked, and run). Each notebook editor's
// renderer gets its own channel.
import * as vscode from 'vscode';
import { Channel } from '../../../protocol/channel';
import {
  RENDERER_CHANNEL,
  rendererHostValidators,
  type ExportRequest,
  type GenerateFromRequest,
  type RendererHostSays,
  type RendererReply,
  type RendererSays,
} from '../../../protocol/renderer-messages';
import { ANALYSIS_MIME, RENDERER_ID, type OutputSummary } from '../../../protocol/notebook-output';
import { generateCellFrom } from '../../core/notebook/generate-cell';
import { addAndRunCell } from './lab-notebook';
import { decodeOutput } from '../../../protocol/track-codec';

const FILTERS: Record<ExportRequest['format'], Record<string, string[]>> = {
  bed: { BED: ['bed'] },
  csv: { CSV: ['csv'] },
  json: { JSON: ['json'] },
  fasta: { FASTA: ['fa', 'fasta'] },
  wav: { WAV: ['wav'] },
  vcf: { VCF: ['vcf'] },
  tsv: { TSV: ['tsv'] },
};

async function saveExport(req: ExportRequest): Promise<string> {
  if (!vscode.workspace.isTrusted) {
    const ok = await vscode.window.showWarningMessage(
      `This workspace is not trusted. Save ${req.suggestedName}?`,
      { modal: true },
      'Save…',
    );
    if (ok !== 'Save…') return 'not saved';
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, req.suggestedName) : undefined,
    filters: FILTERS[req.format],
    title: `Save ${req.format.toUpperCase()}`,
  });
  if (!target) return 'not saved';
  const bytes =
    req.encoding === 'base64'
      ? new Uint8Array(Buffer.from(req.content, 'base64'))
      : new TextEncoder().encode(req.content);
  await vscode.workspace.fs.writeFile(target, bytes);
  return `saved ${vscode.workspace.asRelativePath(target, false)}`;
}

/** The cell of `notebook` whose analysis output has this summary id, with that output's summary. */
function findOutput(
  notebook: vscode.NotebookDocument,
  outputId: string,
): { cell: vscode.NotebookCell; summary: OutputSummary } | undefined {
  for (const cell of notebook.getCells()) {
    for (const output of cell.outputs) {
      const item = output.items.find((i) => i.mime === ANALYSIS_MIME);
      const summary = item ? decodeOutput(item.data).summary : undefined;
      if (summary?.id === outputId) return { cell, summary };
    }
  }
  return undefined;
}

/** Adds the generate cell below the output, in the notebook of the editor whose renderer asked, and runs it. */
async function generateFrom(req: GenerateFromRequest, notebook: vscode.NotebookDocument): Promise<string> {
  const found = findOutput(notebook, req.outputId);
  if (!found) throw new Error('that output is no longer in this notebook');
  const cell = generateCellFrom(notebook.notebookType, found.summary, req);
  await addAndRunCell(notebook, cell.source, found.cell.index + 1);
  return cell.message;
}

/** Answers one editor's renderer; every editor's messages come through the one shared messaging object. */
function serveEditor(
  messaging: vscode.NotebookRendererMessaging,
  editor: vscode.NotebookEditor,
  log: vscode.OutputChannel,
): { channel: Channel<RendererHostSays, RendererSays>; deliver(message: unknown): void } {
  let listener: ((message: unknown) => void) | undefined;
  const channel = new Channel<RendererHostSays, RendererSays>({
    name: RENDERER_CHANNEL,
    port: {
      post: (m) => messaging.postMessage(m, editor),
      subscribe: (l) => {
        listener = l;
        return () => (listener = undefined);
      },
    },
    validate: rendererHostValidators,
    onInvalid: (e) => log.appendLine(`renderer request refused: ${e.message}`),
  });
  const answer = async (work: Promise<string>): Promise<RendererReply> => {
    try {
      return { message: await work };
    } catch (e) {
      log.appendLine(`renderer request failed: ${(e as Error).message}`);
      throw e;
    }
  };
  channel.serve({
    export: (req) => answer(saveExport(req)),
    generateFrom: (req) => answer(generateFrom(req, editor.notebook)),
  });
  return { channel, deliver: (m) => listener?.(m) };
}

export function registerRendererRequests(log: vscode.OutputChannel): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  // One channel per editor, so that each reply goes to the editor whose renderer asked.
  const served = new Map<vscode.NotebookEditor, ReturnType<typeof serveEditor>>();
  const received = messaging.onDidReceiveMessage(({ editor, message }) => {
    let s = served.get(editor);
    if (!s) served.set(editor, (s = serveEditor(messaging, editor, log)));
    s.deliver(message);
  });
  const closed = vscode.workspace.onDidCloseNotebookDocument((notebook) => {
    for (const [editor, s] of served) {
      if (editor.notebook !== notebook) continue;
      s.channel.dispose('the notebook was closed');
      served.delete(editor);
    }
  });
  return new vscode.Disposable(() => {
    received.dispose();
    closed.dispose();
    for (const s of served.values()) s.channel.dispose('the extension was deactivated');
    served.clear();
  });
}
