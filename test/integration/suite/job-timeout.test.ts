// seqlab.jobTimeoutSeconds past what a timer holds (2^31 - 1 ms) once timed every engine job out
// in 1 ms: the engine view clamps it, warns once, and cells run.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activated, errorText, runSpec } from '../../support/notebook-cells';
import { stubWindow } from '../../support/stub-window';

describe('seqlab.jobTimeoutSeconds', () => {
  it('a value past what a timer holds is clamped, with one warning, and cells still run', async () => {
    await activated();
    const warnings: string[] = [];
    const stub = stubWindow('showWarningMessage', (message: string) => {
      warnings.push(message);
      return Promise.resolve(undefined);
    });
    const settings = vscode.workspace.getConfiguration('seqlab');
    await settings.update('jobTimeoutSeconds', 2_147_484, vscode.ConfigurationTarget.Global);
    try {
      for (let i = 0; i < 2; i++) {
        const cell = await runSpec(
          'analyze: lambda_virus.fa\nmodel: models/hf-mamba-dna\nbackend: cpu\nregion: gi|9626243|ref|NC_001416.1|:1-3000\n',
        );
        assert.equal(cell.executionSummary?.success, true, errorText(cell));
      }
      assert.deepEqual(
        warnings.filter((w) => w.includes('jobTimeoutSeconds')),
        ['Mamba SeqLab: seqlab.jobTimeoutSeconds 2147484 is outside from 5 to 86400; using 86400'],
      );
    } finally {
      stub.restore();
      await settings.update('jobTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
