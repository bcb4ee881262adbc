// "Add Dataset Folder…": lists another folder's FASTA/FASTQ/WAV files in the Datasets view (user setting).
import * as vscode from 'vscode';

export async function addDatasetFolder(): Promise<boolean> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Add to Datasets',
  });
  const folder = picked?.[0];
  if (!folder) return false;
  const settings = vscode.workspace.getConfiguration('seqlab');
  const list = settings.get<string[]>('datasetFolders', []);
  if (!list.includes(folder.fsPath))
    await settings.update('datasetFolders', [...list, folder.fsPath], vscode.ConfigurationTarget.Global);
  return true;
}
