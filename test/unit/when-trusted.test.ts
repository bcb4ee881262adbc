// The resume offer's gate: a trusted workspace acts at once; an untrusted one not at all until the
// user grants trust, then exactly once; a gate disposed before that never acts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { whenTrusted, type WorkspaceTrust } from '../../extension/core/runs/when-trusted';

/** A workspace whose trust the test grants, as vscode.workspace fires onDidGrantWorkspaceTrust. */
function workspace(trusted: boolean): WorkspaceTrust & { grant(): void; listeners: number } {
  const listeners = new Set<() => unknown>();
  return {
    get isTrusted() {
      return trusted;
    },
    get listeners() {
      return listeners.size;
    },
    onDidGrantWorkspaceTrust(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    grant() {
      trusted = true;
      for (const l of [...listeners]) l();
    },
  };
}

test('a trusted workspace acts at once', () => {
  let acted = 0;
  whenTrusted(workspace(true), () => acted++);
  assert.equal(acted, 1);
});

test('an untrusted workspace acts only once trust is granted, and only once', () => {
  const ws = workspace(false);
  let acted = 0;
  whenTrusted(ws, () => acted++);
  assert.equal(acted, 0, 'nothing while untrusted');
  ws.grant();
  ws.grant();
  assert.equal(acted, 1);
  assert.equal(ws.listeners, 0, 'the listener is gone once it acted');
});

test('a gate disposed before trust is granted never acts', () => {
  const ws = workspace(false);
  let acted = 0;
  whenTrusted(ws, () => acted++).dispose();
  ws.grant();
  assert.equal(acted, 0);
  assert.equal(ws.listeners, 0);
});
