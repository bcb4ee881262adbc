// The stylesheet of the SeqLab outputs: VS Code theme variables only, so light, dark and
// high-contrast themes apply without code. Installed once per document (with the page's
// nonce where a CSP asks for one).

const CSS = `
.seqlab-output { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 4px 0; }
.seqlab-output :focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.seqlab-warning { margin: 0 0 6px; padding: 4px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
  background: var(--vscode-inputValidation-warningBackground, transparent); color: var(--vscode-foreground); }
.seqlab-provenance { color: var(--vscode-descriptionForeground); line-height: 1.5; }
.seqlab-counts { line-height: 1.5; margin-top: 4px; }
.seqlab-summary table { border-collapse: collapse; margin: 6px 0; }
.seqlab-summary th, .seqlab-summary td { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-contrastBorder, transparent)); }
.seqlab-summary th { font-weight: 600; }
.seqlab-notes { margin: 4px 0; padding-left: 18px; color: var(--vscode-descriptionForeground); }
.seqlab-toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0; }
.seqlab-status { color: var(--vscode-descriptionForeground); min-height: 1.4em; }
.seqlab-status.error { color: var(--vscode-errorForeground); }
.seqlab-hint { color: var(--vscode-descriptionForeground); font-size: 90%; margin-top: 2px; }
.seqlab-dna-track canvas { border: 1px solid var(--vscode-editorWidget-border, var(--vscode-contrastBorder, transparent)); box-sizing: border-box; }
.seqlab-wav { border: 1px solid var(--vscode-editorWidget-border, var(--vscode-contrastBorder, transparent)); padding: 4px; }
.seqlab-error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
.seqlab-tooltip { position: absolute; pointer-events: none; display: none; white-space: pre; z-index: 2; padding: 4px 6px;
  font: var(--vscode-editor-font-size, 12px) var(--vscode-editor-font-family, monospace);
  background: var(--vscode-editorHoverWidget-background, #f3f3f3); color: var(--vscode-editorHoverWidget-foreground, #333);
  border: 1px solid var(--vscode-editorHoverWidget-border, #c8c8c8); border-radius: 3px; }
.seqlab-mutagenesis canvas { border: 1px solid var(--vscode-editorWidget-border, var(--vscode-contrastBorder, transparent)); box-sizing: border-box; }
.seqlab-filter { min-width: 28em; padding: 3px 6px; font: inherit; color: var(--vscode-input-foreground);
  background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, var(--vscode-contrastBorder, transparent)); }
.seqlab-variants-scroll { max-height: 320px; overflow: auto; margin-bottom: 6px;
  border: 1px solid var(--vscode-editorWidget-border, var(--vscode-contrastBorder, transparent)); }
.seqlab-variants table { border-collapse: collapse; width: 100%; font-family: var(--vscode-editor-font-family, monospace); }
.seqlab-variants th { position: sticky; top: 0; cursor: pointer; text-align: left; font-weight: 600; white-space: nowrap;
  padding: 3px 8px; background: var(--vscode-editor-background); border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-contrastBorder, transparent)); }
.seqlab-variants th::after { content: attr(data-arrow); padding-left: 4px; }
.seqlab-variants td { padding: 2px 8px; white-space: nowrap; text-align: left; }
.seqlab-variants td.allele { max-width: 14em; overflow: hidden; text-overflow: ellipsis; }
.seqlab-variants .numeric { text-align: right; }
.seqlab-variants td.negative { color: var(--vscode-charts-red, var(--vscode-errorForeground)); }
.seqlab-variants tbody tr { cursor: pointer; }
.seqlab-variants tbody tr:hover { background: var(--vscode-list-hoverBackground); }
.seqlab-variants tbody tr.selected { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground);
  outline: 1px solid var(--vscode-contrastActiveBorder, transparent); }
.seqlab-legend { color: var(--vscode-descriptionForeground); font-size: 90%; margin-top: 2px; }
.seqlab-legend .less { color: var(--vscode-charts-red); } .seqlab-legend .more { color: var(--vscode-charts-blue); }
`;

const installed = new WeakSet<Document>();

export function installStyles(doc: Document = document, nonce?: string): void {
  if (installed.has(doc)) return;
  const style = doc.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = CSS;
  doc.head.append(style);
  installed.add(doc);
}
