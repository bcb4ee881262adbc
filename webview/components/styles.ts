// The stylesheet of the SeqLab outputs: VS Code theme variables only, so light, dark and
// high-contrast themes apply without code. Installed once per document (with the page's
// nonce where a CSP asks for one).

const CSS = `
.seqlab-output { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 4px 0; }
.seqlab-output :focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.seqlab-warning { margin: 0 0 6px; padding: 4px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
  background: var(--vscode-inputValidation-warningBackground, transparent); color: var(--vscode-foreground); }
.seqlab-provenance { color: var(--vscode-descriptionForeground); line-height: 1.5; }
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
