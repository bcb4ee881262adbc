// Where new cells go: the lab notebook the user is looking at, else one that is open, else a new
// untitled one (nothing is written to disk until the user saves it, which also suits untrusted
// workspaces). Appending a cell runs it through VS Code's execute command.
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../../../protocol/notebook-output';
import { executeCell } from './controller';

export async function labNotebook(): Promise<vscode.NotebookDocument> {
  const active = vscode.window.activeNotebookEditor?.notebook;
  if (active?.notebookType === NOTEBOOK_TYPE) return active;
  const visible = vscode.window.visibleNotebookEditors.find((e) => e.notebook.notebookType === NOTEBOOK_TYPE)?.notebook;
  if (visible) return visible;
  const open = vscode.workspace.notebookDocuments.find((d) => d.notebookType === NOTEBOOK_TYPE && !d.isClosed);
  return open ?? vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([]));
}

/** Adds a spec cell at `index` (default: the end), shows it and runs it. */
export async function addAndRunCell(
  notebook: vscode.NotebookDocument,
  source: string,
  index = notebook.cellCount,
): Promise<vscode.NotebookCell> {
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [
    vscode.NotebookEdit.insertCells(index, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, 'yaml')]),
  ]);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error('could not add a cell to the lab notebook');
  const editor = await vscode.window.showNotebookDocument(notebook, { preserveFocus: false });
  const range = new vscode.NotebookRange(index, index + 1);
  editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  editor.selections = [range];
  await executeCell(notebook, index);
  return notebook.cellAt(index);
}
