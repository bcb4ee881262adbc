// "Show Stats" on a Datasets item: streams the file once and shows its statistics (per record and
// in total: length, GC %, N, soft-masked, top k-mers; read lengths and quality for FASTQ; format and
// duration for WAV) in a read-only text document, strings from the file shown as text.
import * as vscode from 'vscode';
import { dnaFileStats } from '../../core/datasets/dna-file-stats';
import type { DnaStats } from '../../core/datasets/dna-stats';
import { openFileSource } from '../../core/datasets/source';
import { describeDataset, type DatasetItem } from '../views/datasets-tree';

function statsLine(s: DnaStats): string {
  const pct = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)} %`);
  return `${s.name}\t${s.length} bp\tGC ${pct(s.gcPercent)}\tN ${s.n}\tsoft-masked ${pct(s.softMaskedPercent)}\tlongest N run ${s.longestNRun}`;
}

export async function showStats(item: DatasetItem | vscode.Uri): Promise<void> {
  const uri = item instanceof vscode.Uri ? item : item.uri;
  const text = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Reading ${vscode.workspace.asRelativePath(uri, false)}`,
      cancellable: true,
    },
    async (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const lines = [`# ${vscode.workspace.asRelativePath(uri, false)}`];
      if (/\.wav$/i.test(uri.path)) return [...lines, await describeDataset(uri.fsPath)].join('\n');
      const src = await openFileSource(uri.fsPath);
      try {
        const st = await dnaFileStats(src, { maxRecords: 200, k: 4, top: 10, signal: abort.signal });
        lines.push(
          `${st.format.toUpperCase()} (${st.container}), ${st.recordCount} records`,
          '',
          'total',
          statsLine(st.total),
        );
        lines.push(`top 4-mers: ${st.total.topKmers.map((k) => `${k.kmer} ${k.count}`).join(', ')}`);
        if (st.reads)
          lines.push(
            `read length ${st.reads.minLength}-${st.reads.maxLength} (mean ${st.reads.meanLength.toFixed(1)}), mean quality ${st.reads.meanQuality?.toFixed(1) ?? '-'}`,
          );
        lines.push(
          '',
          `records${st.records.length < st.recordCount ? ` (first ${st.records.length})` : ''}`,
          ...st.records.map(statsLine),
        );
        return lines.join('\n');
      } finally {
        await src.close();
      }
    },
  );
  await vscode.window.showTextDocument(
    await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' }),
    { preview: true },
  );
}
