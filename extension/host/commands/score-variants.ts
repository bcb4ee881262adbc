// "Mamba: Score Variants": from the Explorer (a .vcf or .vcf.gz) or the palette (which asks for
// one). Appends a `variants:` cell to the lab notebook and runs it. The reference FASTA is the one
// an earlier variants or mutagenesis cell of that notebook names, else the seqlab.referenceFasta
// setting (the cell then leaves it out and follows the setting), else the user picks one.
import * as vscode from 'vscode';
import { formatCellSpec, isVcfFile, parseCellSpec } from '../../core/notebook/cell-spec';
import { addAndRunCell, labNotebook } from '../notebook/lab-notebook';

const FASTA_GLOB = '**/*.{fa,fasta,fna,ffn,fa.gz,fasta.gz,fna.gz,ffn.gz}';
const MOST_FASTA_FILES = 200;

/** How a cell names a file: workspace-relative when inside the workspace. */
function specPath(uri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri, false) : uri.fsPath;
}

/** The reference the notebook's latest variants or mutagenesis cell names, when one does. */
function notebookReference(notebook: vscode.NotebookDocument): string | undefined {
  for (const cell of [...notebook.getCells()].reverse()) {
    try {
      const spec = parseCellSpec(cell.document.getText());
      if (spec.reference) return spec.reference;
    } catch {
      // Not a spec (markdown, a cell being edited): it names no reference.
    }
  }
  return undefined;
}

/** A FASTA file of the workspace, or one from the open dialog; undefined when the user gives up. */
async function pickReference(): Promise<string | undefined> {
  const browse = 'Browse…';
  const files = await vscode.workspace.findFiles(FASTA_GLOB, '**/node_modules/**', MOST_FASTA_FILES);
  const items: vscode.QuickPickItem[] = [
    ...files.map((uri) => ({ label: specPath(uri) })).sort((a, b) => a.label.localeCompare(b.label)),
    { label: browse, description: 'a FASTA file anywhere' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Mamba: Score Variants: the reference FASTA the VCF was called against',
    placeHolder: 'reference FASTA (plain, gzip or BGZF); set seqlab.referenceFasta to skip this question',
  });
  if (!picked) return undefined;
  if (picked.label !== browse) return picked.label;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { FASTA: ['fa', 'fasta', 'fna', 'ffn', 'gz'] },
    openLabel: 'Use as reference',
    title: 'Reference FASTA',
  });
  return chosen?.[0] ? specPath(chosen[0]) : undefined;
}

export async function scoreVariants(arg?: unknown): Promise<vscode.NotebookCell | undefined> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { VCF: ['vcf', 'gz'] },
      openLabel: 'Score variants',
      title: 'Mamba: Score Variants',
    });
    uri = picked?.[0];
    if (!uri) return undefined;
  }
  if (!isVcfFile(uri.path)) {
    void vscode.window.showErrorMessage(
      `Mamba: Score Variants reads .vcf and .vcf.gz files, not ${uri.path.split('/').pop()}`,
    );
    return undefined;
  }
  const notebook = await labNotebook();
  const setting = vscode.workspace.getConfiguration('seqlab').get<string>('referenceFasta', '');
  const reference = notebookReference(notebook) ?? (setting ? undefined : await pickReference());
  if (!reference && !setting) return undefined;
  return addAndRunCell(notebook, formatCellSpec('variants', specPath(uri), reference ? { reference } : {}));
}
