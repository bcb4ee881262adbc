// NotebookSerializer for `.seqlab`: maps the file format (notebook-format.ts) to the Notebook API,
// outputs and last runs included, so a reopened notebook re-renders without recomputing.
import * as vscode from 'vscode';
import { readNotebook, writeNotebook, type StoredCell, type StoredNotebook } from '../../core/notebook/notebook-format';

export class SeqlabSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const nb = readNotebook(content, 'SeqLab notebook');
    const data = new vscode.NotebookData(nb.cells.map(toCellData));
    if (nb.metadata) data.metadata = nb.metadata;
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const nb: StoredNotebook = { cells: data.cells.map(fromCellData), metadata: data.metadata };
    return writeNotebook(nb);
  }
}

function toCellData(c: StoredCell): vscode.NotebookCellData {
  const kind = c.kind === 'code' ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup;
  const cell = new vscode.NotebookCellData(kind, c.source, c.language);
  cell.outputs = c.outputs.map(
    (o) =>
      new vscode.NotebookCellOutput(
        o.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)),
        o.metadata,
      ),
  );
  if (c.metadata) cell.metadata = c.metadata;
  if (c.run) {
    cell.executionSummary = {
      executionOrder: c.run.order,
      success: c.run.success,
      timing:
        c.run.startTime !== undefined && c.run.endTime !== undefined
          ? { startTime: c.run.startTime, endTime: c.run.endTime }
          : undefined,
    };
  }
  return cell;
}

function fromCellData(c: vscode.NotebookCellData): StoredCell {
  const s = c.executionSummary;
  return {
    kind: c.kind === vscode.NotebookCellKind.Code ? 'code' : 'markup',
    language: c.languageId,
    source: c.value,
    outputs: (c.outputs ?? []).map((o) => ({
      items: o.items.map((i) => ({ mime: i.mime, data: i.data })),
      metadata: o.metadata,
    })),
    run: s
      ? { order: s.executionOrder, success: s.success, startTime: s.timing?.startTime, endTime: s.timing?.endTime }
      : undefined,
    metadata: c.metadata && Object.keys(c.metadata).length ? c.metadata : undefined,
  };
}
