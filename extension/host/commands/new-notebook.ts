// "Mamba: New Lab Notebook": an untitled .seqlab notebook with one markdown cell that says how to use it.
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../../../protocol/notebook-output';

const INTRO =
  '# Mamba SeqLab notebook\n\nEach code cell is a short spec: `analyze: FILE` or `generate: FILE`, then options. ' +
  'Right-click a FASTA or WAV file and pick **Mamba: Analyze Sequence File** to add one; edit a cell and run it again to change it.';

export async function newNotebook(): Promise<void> {
  const doc = await vscode.workspace.openNotebookDocument(
    NOTEBOOK_TYPE,
    new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, INTRO, 'markdown')]),
  );
  await vscode.window.showNotebookDocument(doc);
}
