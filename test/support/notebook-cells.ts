// What the integration tests do with notebook cells inside VS Code: wait for the extension, run a
// spec in a new notebook through VS Code's own execute command, wait for it, and read an error
// output back as text.
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../../protocol/notebook-output';

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

/** Runs `source` as the only cell of a new .seqlab notebook and waits for it. */
export async function runSpec(source: string): Promise<vscode.NotebookCell> {
  const doc = await vscode.workspace.openNotebookDocument(
    NOTEBOOK_TYPE,
    new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, 'yaml')]),
  );
  await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: doc.uri });
  await finished(doc.cellAt(0));
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
