// "Mamba: Analyze Sequence File": from the Explorer, an editor title or the palette (which asks for
// a file). Appends an analysis cell for the file to the lab notebook and runs it.
import * as vscode from 'vscode';
import { formatCellSpec, modalityOf } from '../../core/notebook/cell-spec';
import { addAndRunCell, labNotebook } from '../notebook/lab-notebook';

const FILTERS = { 'FASTA, FASTQ and WAV': ['fa', 'fasta', 'fna', 'ffn', 'fastq', 'fq', 'gz', 'wav'] };

/** How the cell names the file: workspace-relative when inside the workspace. */
function specPath(uri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri, false) : uri.fsPath;
}

export async function analyzeFile(arg?: unknown): Promise<vscode.NotebookCell | undefined> {
  // The Explorer and editor menus pass a Uri, the Datasets view its item (which has one).
  const given = arg instanceof vscode.Uri ? arg : (arg as { uri?: unknown } | undefined)?.uri;
  let uri = given instanceof vscode.Uri ? given : undefined;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: FILTERS,
      openLabel: 'Analyze',
      title: 'Mamba: Analyze Sequence File',
    });
    uri = picked?.[0];
    if (!uri) return undefined;
  }
  if (!modalityOf(uri.path)) {
    void vscode.window.showErrorMessage(
      `Mamba SeqLab reads FASTA/FASTQ (.fa .fasta .fna .ffn .fastq .fq, optionally .gz) and WAV files, not ${uri.path.split('/').pop()}`,
    );
    return undefined;
  }
  return addAndRunCell(await labNotebook(), formatCellSpec('analyze', specPath(uri)));
}
