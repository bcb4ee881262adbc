// Colours for canvas drawing, read from the VS Code theme's CSS variables (present in every
// webview and notebook renderer), so tracks follow light, dark and high-contrast themes. The
// body's class (vscode-light / vscode-dark / vscode-high-contrast[-light]) changes with the
// theme; watchTheme calls back so views redraw.

export interface ThemeColors {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  background: string;
  foreground: string;
  muted: string; // secondary text, axes, soft-mask bars
  border: string; // gridlines, frame; the contrast border in high-contrast themes
  focus: string; // picked position, keyboard focus
  surprisal: string;
  surprisalReverse: string;
  gc: string;
  highlight: string; // high-surprisal / unusual regions
  nRun: string;
  bases: Record<'A' | 'C' | 'G' | 'T' | 'N', string>;
  font: string; // CSS font for canvas text
  monoFont: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function themeKind(body: HTMLElement): ThemeColors['kind'] {
  const kind = body.getAttribute('data-vscode-theme-kind') ?? body.className;
  if (/high-contrast-light/.test(kind)) return 'high-contrast-light';
  if (/high-contrast/.test(kind)) return 'high-contrast';
  return /vscode-light/.test(kind) ? 'light' : 'dark';
}

export function readTheme(element: HTMLElement = document.body): ThemeColors {
  const s = getComputedStyle(element);
  const kind = themeKind(document.body);
  const light = kind === 'light' || kind === 'high-contrast-light';
  const fg = cssVar(s, '--vscode-editor-foreground', light ? '#333333' : '#cccccc');
  const contrast = cssVar(s, '--vscode-contrastBorder', '');
  return {
    kind,
    background: cssVar(s, '--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'),
    foreground: fg,
    muted: cssVar(s, '--vscode-descriptionForeground', light ? '#717171' : '#9d9d9d'),
    border: contrast || cssVar(s, '--vscode-editorWidget-border', light ? '#c8c8c8' : '#454545'),
    focus: cssVar(s, '--vscode-focusBorder', '#007fd4'),
    surprisal: cssVar(s, '--vscode-charts-blue', light ? '#1a85ff' : '#3794ff'),
    surprisalReverse: cssVar(s, '--vscode-charts-purple', light ? '#652d90' : '#b180d7'),
    gc: cssVar(s, '--vscode-charts-green', light ? '#388a34' : '#89d185'),
    highlight: cssVar(s, '--vscode-charts-red', light ? '#e51400' : '#f14c4c'),
    nRun: cssVar(s, '--vscode-charts-orange', light ? '#d18616' : '#d18616'),
    bases: {
      A: cssVar(s, '--vscode-charts-green', '#388a34'),
      C: cssVar(s, '--vscode-charts-blue', '#1a85ff'),
      G: cssVar(s, '--vscode-charts-orange', '#d18616'),
      T: cssVar(s, '--vscode-charts-red', '#e51400'),
      N: cssVar(s, '--vscode-descriptionForeground', '#717171'),
    },
    font: `${cssVar(s, '--vscode-font-size', '12px')} ${cssVar(s, '--vscode-font-family', 'sans-serif')}`,
    monoFont: `${cssVar(s, '--vscode-editor-font-size', '12px')} ${cssVar(s, '--vscode-editor-font-family', 'monospace')}`,
  };
}

/** Calls `onChange` whenever the theme changes (body class or inline variables); returns a stop function. */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}
