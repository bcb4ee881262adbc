// The Datasets view: FASTA/FASTQ/WAV files of the workspace and of folders the user added
// (seqlab.datasetFolders), with format and size; record counts and durations are read only when
// an item's tooltip is asked for (resolveTreeItem), so listing stays fast on large data.
import * as vscode from 'vscode';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { IndexedFasta } from '../../core/datasets/fasta-index';
import { readFastq } from '../../core/datasets/fastq';
import { openFileSource } from '../../core/datasets/source';
import { readWavInfo } from '../../core/datasets/wav';
import { modalityOf } from '../../core/notebook/cell-spec';

const GLOB = '**/*.{fa,fasta,fna,ffn,fastq,fq,fa.gz,fasta.gz,fna.gz,ffn.gz,fastq.gz,fq.gz,wav,WAV}';
const MAX_FILES = 2000;
const FASTQ_COUNT_LIMIT = 100_000;

export class DatasetItem extends vscode.TreeItem {
  constructor(
    readonly uri: vscode.Uri,
    readonly size: number,
  ) {
    super(uri, vscode.TreeItemCollapsibleState.None);
    this.contextValue = 'seqlab.dataset';
    this.description = `${formatOf(uri.path)} · ${humanSize(size)}`;
    this.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
  }
}

export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes,
    u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function formatOf(path: string): string {
  if (/\.wav$/i.test(path)) return 'WAV';
  const gz = /\.gz$/i.test(path) ? ' (gzip)' : '';
  return (/\.(fastq|fq)(\.gz)?$/i.test(path) ? 'FASTQ' : 'FASTA') + gz;
}

/** What the tooltip says: records and bases, or duration and format; read on demand. */
export async function describeDataset(path: string): Promise<string> {
  if (/\.wav$/i.test(path)) {
    const src = await openFileSource(path);
    try {
      const info = await readWavInfo(src);
      const f = info.format;
      return `${info.durationSeconds.toFixed(2)} s · ${f.sampleRate} Hz · ${f.channels} ch · ${f.bitsPerSample}-bit ${f.encoding}`;
    } finally {
      await src.close();
    }
  }
  if (/\.(fastq|fq)(\.gz)?$/i.test(path)) {
    const src = await openFileSource(path);
    try {
      let n = 0,
        bases = 0;
      for await (const r of readFastq(src)) {
        n++;
        bases += r.bases.length;
        if (n >= FASTQ_COUNT_LIMIT) return `≥ ${n} reads (${bases} bases in those)`;
      }
      return `${n} reads · ${bases} bases`;
    } finally {
      await src.close();
    }
  }
  const fasta = await IndexedFasta.open(path);
  try {
    const { count, totalBases } = fasta.records;
    return `${count} record${count === 1 ? '' : 's'} · ${totalBases} bases`;
  } finally {
    await fasta.close();
  }
}

async function walk(dir: string, out: string[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, d.name);
    if (d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules') await walk(p, out);
    else if (d.isFile() && modalityOf(d.name)) out.push(p);
  }
}

export class DatasetsTree implements vscode.TreeDataProvider<DatasetItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(): Promise<DatasetItem[]> {
    const uris = (await vscode.workspace.findFiles(GLOB, '**/node_modules/**', MAX_FILES)).filter((u) =>
      modalityOf(u.path),
    );
    const extra: string[] = [];
    for (const folder of vscode.workspace.getConfiguration('seqlab').get<string[]>('datasetFolders', []))
      await walk(folder, extra);
    const all = [...uris, ...extra.map((p) => vscode.Uri.file(p))];
    const seen = new Set<string>();
    const items = await Promise.all(
      all
        .filter((u) => !seen.has(u.fsPath) && seen.add(u.fsPath))
        .map(async (u) => new DatasetItem(u, (await stat(u.fsPath)).size)),
    );
    return items.sort((a, b) => a.uri.path.localeCompare(b.uri.path));
  }

  getTreeItem(item: DatasetItem): DatasetItem {
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, element: DatasetItem): Promise<vscode.TreeItem> {
    try {
      item.tooltip = `${vscode.workspace.asRelativePath(element.uri, false)}\n${await describeDataset(element.uri.fsPath)}`;
    } catch (e) {
      item.tooltip = `${vscode.workspace.asRelativePath(element.uri, false)}\ncannot read: ${(e as Error).message}`;
    }
    return item;
  }
}
