// The training pane's stylesheet: VS Code theme variables only, so light, dark and high-contrast
// themes (and a switch between them while the pane is open) apply without code. Installed with
// the page's CSP nonce (inline style attributes are blocked by that policy).

// The series colours are the theme's chart colours made opaque (Dark Modern gives orange a third of
// full alpha) with a fallback where a theme has none (high-contrast themes lack charts.orange).
const CSS = `
:root { --series-train: rgb(from var(--vscode-charts-blue, #3794ff) r g b / 1); --series-val: rgb(from var(--vscode-charts-orange, #d18616) r g b / 1); }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); }
#root { max-width: 960px; padding: 4px 0 16px; }
header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
h2 { margin: 8px 0; font-weight: 600; overflow-wrap: anywhere; }
.phase { padding: 1px 8px; border-radius: 9px; border: 1px solid currentColor; font-size: 90%; }
.phase-running { color: var(--series-train); }
.phase-finished { color: var(--vscode-charts-green, #388a34); }
.phase-cancelled, .phase-new { color: var(--vscode-descriptionForeground); }
.phase-interrupted { color: var(--vscode-editorWarning-foreground); }
.phase-failed { color: var(--vscode-errorForeground); }
.facts { border-collapse: collapse; margin: 4px 0 8px; }
.facts th { text-align: left; font-weight: normal; color: var(--vscode-descriptionForeground); padding: 1px 12px 1px 0; vertical-align: top; }
.facts td { padding: 1px 0; overflow-wrap: anywhere; }
.progress { margin: 6px 0; font-variant-numeric: tabular-nums; }
.error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
.actions { display: flex; gap: 8px; margin: 8px 0; }
.latest { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 10px 0 4px; font-variant-numeric: tabular-nums; }
.latest b { font-weight: 600; }
.muted { color: var(--vscode-descriptionForeground); }
.swatch { display: inline-block; width: 14px; height: 3px; margin: 0 6px 3px 0; vertical-align: middle; }
.swatch.train { background: var(--series-train); }
.swatch.val { background: var(--series-val); }
#chart { display: block; overflow: visible; }
#chart text { fill: var(--vscode-descriptionForeground); font-family: var(--vscode-font-family); font-size: 11px; }
#chart text.axis-title, #chart text.empty { fill: var(--vscode-foreground); font-size: 12px; }
#chart .grid line { stroke: var(--vscode-editorWidget-border, var(--vscode-contrastBorder, #8884)); stroke-width: 1; }
#chart .grid line.axis, #chart .grid line.x-tick { stroke: var(--vscode-descriptionForeground); }
#chart .series polyline { fill: none; stroke-width: 1.75; stroke-linejoin: round; }
#chart .series-train polyline { stroke: var(--series-train); }
#chart .series-train circle { fill: var(--series-train); }
#chart .series-val polyline { stroke: var(--series-val); stroke-width: 2.25; }
#chart .series-val circle { fill: var(--series-val); }
#chart circle.clipped { fill: none; stroke: currentColor; }
`;

export function installPaneStyles(nonce: string | undefined): void {
  const style = document.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = CSS;
  document.head.append(style);
}
