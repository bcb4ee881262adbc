// What the integration tests do with notebook cells inside VS Code: wait for the extension, run a
// spec in a new notebook through VS Code's own execute command, wait for it, read an error output
// back as text and a successful one decoded.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ANALYSIS_MIME, NOTEBOOK_TYPE, SUMMARY_MIME } from '../../protocol/notebook-output';
import { decodeOutput } from '../../protocol/track-codec';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the cell's run has ended (either way). */
export async function finished(cell: vscode.NotebookCell, timeoutMs = 100_000): Promise<void> {
  const t0 = Date.now();
  while (cell.executionSummary?.success === undefined) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`cell ${cell.index} did not finish in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The text of a cell's outputs; error items (JSON {name, message, stack}) as their message. */
export function errorText(cell: vscode.NotebookCell): string {
  return cell.outputs
    .flatMap((o) => o.items)
    .map((i) => {
      const text = new TextDecoder().decode(i.data);
      return i.mime === 'application/vnd.code.notebook.error'
        ? (JSON.parse(text) as { message: string }).message
        : text;
    })
    .join('\n');
}

/** A successful cell's analysis output, decoded; its JSON item must be the same summary. */
export function outputOf(cell: vscode.NotebookCell): ReturnType<typeof decodeOutput> {
  assert.equal(cell.executionSummary?.success, true, `cell failed: ${errorText(cell)}`);
  const item = cell.outputs[0]?.items.find((i) => i.mime === ANALYSIS_MIME);
  assert.ok(item, 'the cell has an analysis output');
  const decoded = decodeOutput(item.data);
  const json = cell.outputs[0].items.find((i) => i.mime === SUMMARY_MIME);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(json!.data)), decoded.summary, 'the JSON item is the summary');
  return decoded;
}

/** Runs `source` as the only cell of a new .seqlab notebook and waits for it (at most `timeoutMs`). */
export async function runSpec(source: string, timeoutMs?: number): Promise<vscode.NotebookCell> {
  const doc = await vscode.workspace.openNotebookDocument(
    NOTEBOOK_TYPE,
    new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, 'yaml')]),
  );
  await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: doc.uri });
  await finished(doc.cellAt(0), timeoutMs);
  return doc.cellAt(0);
}

/** Waits until the extension is active (opening a .seqlab notebook activates it). */
export async function activated(): Promise<void> {
  const ext = vscode.extensions.getExtension('mamba-seqlab.mamba-seqlab');
  if (!ext) throw new Error('the extension is not installed');
  await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([]));
  for (let i = 0; i < 100 && !ext.isActive; i++) await sleep(100);
  if (!ext.isActive) throw new Error('the extension did not activate');
}
