// The HTML shell of an extension-owned webview: a strict Content-Security-Policy (default-src
// 'none', scripts and styles only with a fresh nonce or from the extension's own resource origin),
// the nonce also in <meta property="csp-nonce"> for webview-ui-toolkit, and one script. Pure.
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export interface ShellOptions {
  title: string;
  /** webview.cspSource: the origin our own resources load from. */
  cspSource: string;
  nonce: string;
  /** The page script (a webview URI from asWebviewUri). */
  scriptUri: string;
  /** Worker scripts are fetched from cspSource and started from a blob: URL (a webview cannot start a worker from its resource origin). */
  workers: boolean;
  /** WebAssembly may be compiled ('wasm-unsafe-eval', not eval): the engine page's ONNX worker runs onnxruntime-web's .wasm. */
  wasm?: boolean;
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function contentSecurityPolicy(o: Pick<ShellOptions, 'cspSource' | 'nonce' | 'workers' | 'wasm'>): string {
  const parts = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'${o.wasm ? " 'wasm-unsafe-eval'" : ''}`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource} data: blob:`,
    `font-src ${o.cspSource}`,
    `connect-src ${o.cspSource}`,
  ];
  if (o.workers) parts.push(`worker-src blob:`);
  return parts.join('; ');
}

export function webviewShell(o: ShellOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(o))}">
<meta property="csp-nonce" content="${escapeAttr(o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeAttr(o.title)}</title>
</head>
<body>
<main id="root"></main>
<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}
