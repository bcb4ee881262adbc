import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The runtime boundaries (ARCHITECTURE.md, "Runtimes"): each folder may import only what runs
// where it runs. Import paths are matched by the folder names they pass through.
const VSCODE = { name: 'vscode', message: 'Only extension/host/ may use the vscode API.' };
const pathThrough = (folder, message) => ({ regex: `(^|/)${folder}(/|$)`, message });
const NO_WEBVIEW = pathThrough('webview', 'webview/ is browser code: share it through protocol/ instead.');
const NO_EXTENSION = pathThrough('extension', 'extension/ is Node code: share it through protocol/ instead.');
const NO_HOST = pathThrough(
  'host',
  'extension/host/ uses vscode: extension/core/ must stay usable by the CLI and the workers.',
);
const NO_PROTOCOL = pathThrough('protocol', 'kernels/ is the engine: it knows no messages between runtimes.');
const NO_NODE = { regex: '^node:', message: 'This code also runs in a browser: no Node built-ins.' };
// The DOM and the page: kernels/ runs in Node, in workers and in webviews alike.
const DOM_GLOBALS = [
  'window',
  'document',
  'navigator',
  'self',
  'location',
  'localStorage',
  'requestAnimationFrame',
  'HTMLElement',
  'HTMLCanvasElement',
  'customElements',
  'acquireVsCodeApi',
];

const boundary = (files, { paths = [], patterns = [] }, extra = {}) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }], ...extra },
});

export const boundaries = [
  boundary(['webview/**/*.ts'], { paths: [VSCODE], patterns: [NO_EXTENSION, NO_NODE] }),
  boundary(['extension/host/**/*.ts'], { patterns: [NO_WEBVIEW] }),
  boundary(['extension/core/**/*.ts'], { paths: [VSCODE], patterns: [NO_HOST, NO_WEBVIEW] }),
  boundary(['protocol/**/*.ts'], { paths: [VSCODE], patterns: [NO_EXTENSION, NO_WEBVIEW, NO_NODE] }),
  boundary(
    ['kernels/**/*.ts'],
    { paths: [VSCODE], patterns: [NO_EXTENSION, NO_WEBVIEW, NO_PROTOCOL] },
    {
      'no-restricted-globals': [
        'error',
        ...DOM_GLOBALS.map((name) => ({ name, message: 'kernels/ has no DOM: take what you need as a parameter.' })),
      ],
    },
  ),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.seqlab-test/', 'bench/out/', '.carry/', '.gl/', '.whl/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node code everywhere; the test drivers also hold functions that playwright runs in the page.
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  ...boundaries,
);
