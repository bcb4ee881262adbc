// What a notebook cell may read: inside the workspace folders and the bundled models always; outside
// them (an absolute path, `..` segments, or a symlink in the workspace that leads out) only in a
// trusted workspace and with the user's consent, asked once per path per session; in an untrusted
// workspace never, with an error that says why.
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { locate, PathAccess, PathNotAllowedError, type CellPlace } from '../../extension/core/notebook/path-access';
import { tempDir } from '../support/train-data';

/** A workspace folder (with a notebook folder inside), a folder outside it and a bundled models folder. */
function layout(): { ws: string; outside: string; bundled: string } {
  const root = realpathSync(tempDir('access'));
  const ws = join(root, 'ws'),
    outside = join(root, 'outside'),
    bundled = join(root, 'ext', 'samples', 'models');
  for (const d of [join(ws, 'notes'), outside, join(bundled, 'dna')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(ws, 'in.fa'), '>r\nACGT\n');
  writeFileSync(join(outside, 'secret.fa'), '>s\nACGT\n');
  writeFileSync(join(bundled, 'dna', 'config.json'), '{}');
  symlinkSync(join(outside, 'secret.fa'), join(ws, 'link.fa'));
  symlinkSync(outside, join(ws, 'linked-dir'));
  return { ws, outside, bundled };
}

/** A cell of a notebook in ws/notes whose questions are recorded and answered with `answer`. */
function place(ws: string, trusted: boolean, answer = true): CellPlace & { asked: string[] } {
  const asked: string[] = [];
  return {
    lookup: [join(ws, 'notes'), ws],
    workspace: [ws],
    trusted,
    asked,
    ask: (path, what) => {
      asked.push(`${what} ${path}`);
      return Promise.resolve(answer);
    },
  };
}

test('inside the workspace and the bundled models: read in any workspace, without a question', async () => {
  const { ws, bundled } = layout();
  const access = new PathAccess([bundled]);
  for (const trusted of [true, false]) {
    const cell = place(ws, trusted);
    assert.equal(await access.resolve('in.fa', 'file', cell), join(ws, 'in.fa'));
    assert.equal(await access.resolve('../in.fa', 'file', cell), join(ws, 'in.fa'), 'relative to the notebook');
    assert.equal(await access.resolve(join(ws, 'notes', '..', 'in.fa'), 'file', cell), join(ws, 'in.fa'));
    assert.equal(await access.resolve(join(bundled, 'dna'), 'model folder', cell), join(bundled, 'dna'));
    assert.deepEqual(cell.asked, []);
  }
});

test('an untrusted workspace refuses every way out of it, saying why, and asks nothing', async () => {
  const { ws, outside, bundled } = layout();
  const access = new PathAccess([bundled]);
  const cell = place(ws, false);
  const secret = join(outside, 'secret.fa');
  for (const [specPath, what] of [
    [secret, 'file'],
    ['../../outside/secret.fa', 'file'],
    ['link.fa', 'file'],
    ['linked-dir/secret.fa', 'file'],
    [outside, 'model folder'],
    ['/', 'model folder'],
  ])
    await assert.rejects(
      access.resolve(specPath, what, cell),
      (e: Error) =>
        e instanceof PathNotAllowedError &&
        e.message.startsWith(`${what} "${specPath}"`) &&
        /outside the workspace folders: in an untrusted workspace a cell reads only files inside the workspace folders and the bundled models/.test(
          e.message,
        ),
      specPath,
    );
  assert.deepEqual(cell.asked, []);
});

test('a trusted workspace asks once per real path per session; a refusal reads nothing and asks again next time', async () => {
  const { ws, outside, bundled } = layout();
  const secret = join(outside, 'secret.fa');
  const access = new PathAccess([bundled]);
  const refused = place(ws, true, false);
  await assert.rejects(access.resolve('link.fa', 'file', refused), /"link.fa" \(.*secret\.fa\) .* was not allowed/);
  await assert.rejects(access.resolve(secret, 'file', refused), PathNotAllowedError);
  assert.deepEqual(refused.asked, [`file ${secret}`, `file ${secret}`]);

  const cell = place(ws, true, true);
  assert.equal(await access.resolve('link.fa', 'file', cell), secret, 'the symlink is read where it leads');
  assert.equal(await access.resolve(secret, 'file', cell), secret);
  assert.equal(await access.resolve('../../outside/secret.fa', 'file', cell), secret);
  assert.equal(await access.resolve(outside, 'model folder', cell), outside);
  assert.deepEqual(cell.asked, [`file ${secret}`, `model folder ${outside}`]);
  await assert.rejects(
    access.resolve(outside, 'model folder', place(ws, false)),
    PathNotAllowedError,
    'not once untrusted',
  );
});

test('a path that exists nowhere is not found, naming where it was looked for', async () => {
  const { ws } = layout();
  await assert.rejects(
    locate('nowhere/missing.fa', [join(ws, 'notes'), ws], 'file'),
    new RegExp(`file "nowhere/missing.fa" not found \\(looked for ${join(ws, 'notes', 'nowhere')}`),
  );
  await assert.rejects(locate('x.fa', [], 'file'), /looked for it in an open workspace folder/);
});
