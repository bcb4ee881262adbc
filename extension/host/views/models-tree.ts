// The Models view: sample models shipped with the extension, folders from seqlab.modelFolders and
// model folders in the workspace; each shows modality, size and whether it was trained, and marks
// the default model of its modality.
import * as vscode from 'vscode';
import { listModels, type CatalogEntry } from './model-catalog';

export class ModelItem extends vscode.TreeItem {
  constructor(
    readonly entry: CatalogEntry,
    isDefault: boolean,
  ) {
    super(entry.description?.name ?? entry.dir, vscode.TreeItemCollapsibleState.None);
    const d = entry.description;
    this.contextValue = 'seqlab.model';
    this.resourceUri = vscode.Uri.file(entry.dir);
    this.iconPath = new vscode.ThemeIcon(d?.modality === 'audio' ? 'unmute' : d ? 'symbol-structure' : 'warning');
    this.description = d
      ? `${d.modality} · ${d.config.numLayers} layers · d ${d.config.hiddenSize}${d.trained ? '' : ' · untrained'}${isDefault ? ' · default' : ''} · ${entry.origin}`
      : `cannot read: ${entry.problem ?? 'unknown problem'}`;
    this.tooltip = `${entry.dir}${entry.problem ? `\n${entry.problem}` : ''}`;
  }
}

export class ModelsTree implements vscode.TreeDataProvider<ModelItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly extensionUri: vscode.Uri) {}

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(): Promise<ModelItem[]> {
    const settings = vscode.workspace.getConfiguration('seqlab');
    const defaults = new Set([
      settings.get<string>('defaultDnaModel', ''),
      settings.get<string>('defaultAudioModel', ''),
    ]);
    const entries = await listModels(this.extensionUri);
    return entries.map(
      (e) => new ModelItem(e, defaults.has(e.dir) || defaults.has(vscode.workspace.asRelativePath(e.dir, false))),
    );
  }

  getTreeItem(item: ModelItem): ModelItem {
    return item;
  }
}

/** "Use as Default Model": sets the DNA or audio default (user settings) to this folder. */
export async function setDefaultModel(item: ModelItem): Promise<void> {
  const d = item.entry.description;
  if (!d) throw new Error(`${item.entry.dir}: ${item.entry.problem ?? 'not a readable model'}`);
  const key = d.modality === 'dna' ? 'defaultDnaModel' : 'defaultAudioModel';
  await vscode.workspace.getConfiguration('seqlab').update(key, item.entry.dir, vscode.ConfigurationTarget.Global);
}
