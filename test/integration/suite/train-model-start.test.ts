// "Mamba: Train Model…" on data too short for one training window: the run fails in its worker
// before its first step, the user is told why, and no run folder is left to block the name.
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RUNS_DIR } from '../../../extension/core/runs/run-dir';
import { activated } from '../../support/notebook-cells';
import { stubWindow } from '../../support/stub-window';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Train Model', () => {
  it('a run that fails before its first step leaves no run folder', async () => {
    await activated();
    const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = join(ws, 'too-short.fa');
    writeFileSync(file, '>short\nACGTACGTACGTACGTACGT\n');
    const name = `too-short-${Date.now()}`;
    const dir = join(ws, RUNS_DIR, name);
    // The answers "Train Model…" asks for, by each question's title.
    const picks: Record<string, string> = {
      'Train Model: start from': 'From scratch',
      'Train Model: model size': 'tiny',
      'Train Model: budget': '1000 steps',
      'Train Model: backend': 'cpu',
    };
    const inputs: Record<string, string> = { 'Train Model: range': '0%-100%', 'Train Model: run name': name };
    const errors: string[] = [];
    const stubs = [
      stubWindow(
        'showQuickPick',
        async (items: readonly (string | vscode.QuickPickItem)[], options?: vscode.QuickPickOptions) =>
          (await items).find((i) => (typeof i === 'string' ? i : i.label) === picks[options?.title ?? '']),
      ),
      stubWindow('showInputBox', (options?: vscode.InputBoxOptions) => Promise.resolve(inputs[options?.title ?? ''])),
      stubWindow('showErrorMessage', (message: string) => {
        errors.push(message);
        return Promise.resolve(undefined);
      }),
    ];
    try {
      await vscode.commands.executeCommand('seqlab.train', vscode.Uri.file(file));
      const t0 = Date.now();
      while (existsSync(dir) || errors.length === 0) {
        assert.ok(
          Date.now() - t0 < 60_000,
          `run folder ${existsSync(dir) ? 'still there' : 'gone'}; errors: ${errors.join('; ')}`,
        );
        await sleep(100);
      }
      assert.match(errors.join('\n'), new RegExp(`Training ${name} failed: `));
    } finally {
      for (const s of stubs) s.restore();
      rmSync(file);
    }
  });
});
