// Cells that name a path outside the workspace folders, in the suite's trusted workspace: a modal
// asks once per path per session, naming the path and the cell; refused, the cell fails saying so;
// a symlink in the workspace is asked about where it leads. (Untrusted workspaces, which refuse
// without asking, are covered by test/unit/path-access.test.ts: this suite runs trusted.)
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activated, errorText, runSpec } from '../../support/notebook-cells';
import { stubWindow } from '../../support/stub-window';
import { randomBases } from '../../support/train-data';

const MODEL = 'model: models/hf-mamba-dna\nbackend: cpu\n';

describe('cells that read outside the workspace folders', () => {
  const questions: string[] = [];
  let answer: string | undefined;
  let stub: { restore(): void };
  let outside: string, link: string;

  before(async () => {
    await activated();
    outside = realpathSync(mkdtempSync(join(tmpdir(), 'seqlab-outside-')));
    for (const name of ['far', 'linked']) writeFileSync(join(outside, `${name}.fa`), `>${name}\n${randomBases(300)}\n`);
    link = join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'link-out.fa');
    symlinkSync(join(outside, 'linked.fa'), link);
    stub = stubWindow('showWarningMessage', (message: string, options?: vscode.MessageOptions) => {
      if (options?.modal) questions.push(message);
      return Promise.resolve(options?.modal ? answer : undefined);
    });
  });
  after(() => {
    stub.restore();
    rmSync(link);
    rmSync(outside, { recursive: true });
  });

  it('asks once per path, naming the path and the cell; refused, the cell fails saying so', async () => {
    const far = join(outside, 'far.fa');
    answer = undefined;
    const refused = await runSpec(`analyze: ${far}\n${MODEL}`);
    assert.equal(refused.executionSummary?.success, false);
    assert.match(
      errorText(refused),
      /file ".*far\.fa" is outside the workspace folders, and reading it was not allowed/,
    );
    assert.equal(questions.length, 1);
    assert.match(questions[0], /^Cell 1 of \S+ reads the file .*far\.fa, outside the workspace folders/);

    answer = 'Allow';
    for (let i = 0; i < 2; i++) {
      const cell = await runSpec(`analyze: ${far}\n${MODEL}`);
      assert.equal(cell.executionSummary?.success, true, errorText(cell));
    }
    assert.equal(questions.length, 2, 'allowed once, not asked again this session');
  });

  it('a symlink in the workspace is asked about where it leads; a model folder outside is asked about too', async () => {
    answer = undefined;
    questions.length = 0;
    const cell = await runSpec(`analyze: link-out.fa\n${MODEL}`);
    assert.equal(cell.executionSummary?.success, false);
    assert.match(errorText(cell), /file "link-out\.fa" \(.*linked\.fa\) is outside the workspace folders/);
    assert.match(
      questions[0],
      new RegExp(`reads the file ${join(outside, 'linked.fa').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},`),
    );

    const model = await runSpec(`analyze: lambda_virus.fa\nmodel: ${outside}\n`);
    assert.equal(model.executionSummary?.success, false);
    assert.match(
      errorText(model),
      /model folder ".*" is outside the workspace folders, and reading it was not allowed/,
    );
    assert.match(questions[1], /reads the model folder /);
  });
});
