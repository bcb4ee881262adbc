// The runtime boundaries are enforced by eslint (eslint.config.mjs): each case lints one line of
// source as if it sat in the given folder, so a rule that stopped matching fails here.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const violations: [file: string, code: string, says: RegExp][] = [
  [
    'webview/renderer/probe.ts',
    "import { RunDir } from '../../extension/core/runs/run-dir';\nexport { RunDir };\n",
    /extension\/ is Node code/,
  ],
  ['webview/engine/probe.ts', "import * as vscode from 'vscode';\nexport { vscode };\n", /Only extension\/host\//],
  [
    'webview/engine/probe.ts',
    "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n",
    /no Node built-ins/,
  ],
  [
    'extension/host/views/probe.ts',
    "import { themeColors } from '../../../webview/components/theme';\nexport { themeColors };\n",
    /webview\/ is browser code/,
  ],
  ['extension/core/runs/probe.ts', "import * as vscode from 'vscode';\nexport { vscode };\n", /Only extension\/host\//],
  [
    'extension/core/runs/probe.ts',
    "export { RunsView } from '../../host/views/runs-view';\n",
    /must stay usable by the CLI/,
  ],
  [
    'protocol/probe.ts',
    "import type { RunDir } from '../extension/core/runs/run-dir';\nexport type { RunDir };\n",
    /extension\/ is Node code/,
  ],
  [
    'protocol/probe.ts',
    "import type { Theme } from '../webview/components/theme';\nexport type { Theme };\n",
    /webview\/ is browser code/,
  ],
  ['kernels/ops/probe.ts', "import * as vscode from 'vscode';\nexport { vscode };\n", /Only extension\/host\//],
  [
    'kernels/ops/probe.ts',
    "import type { EngineCaller } from '../../protocol/engine-messages';\nexport type { EngineCaller };\n",
    /knows no messages/,
  ],
  ['kernels/ops/probe.ts', 'export const width = document.body.clientWidth;\n', /kernels\/ has no DOM/],
];

for (const [file, code, says] of violations) {
  test(`boundary rule: ${file} refuses ${code.split('\n')[0]}`, async () => {
    const found = await problems(file, code);
    assert.ok(
      found.some((p) => says.test(p)),
      `expected ${says} for ${file}, eslint said: ${JSON.stringify(found)}`,
    );
  });
}

const allowed: [file: string, code: string][] = [
  [
    'webview/renderer/probe.ts',
    "import type { OutputSummary } from '../../protocol/notebook-output';\nexport type { OutputSummary };\n",
  ],
  [
    'extension/host/views/probe.ts',
    "import { RunDir } from '../../core/runs/run-dir';\nimport * as vscode from 'vscode';\nexport { RunDir, vscode };\n",
  ],
  [
    'extension/core/analysis/probe.ts',
    "import { highSurprisal } from '../../../protocol/surprise-regions';\nexport { highSurprisal };\n",
  ],
  ['kernels/webgpu/probe.ts', "import { join } from 'node:path';\nexport { join };\n"],
];

for (const [file, code] of allowed) {
  test(`boundary rule: ${file} may ${code.split('\n')[0]}`, async () => {
    assert.deepEqual(await problems(file, code), []);
  });
}
