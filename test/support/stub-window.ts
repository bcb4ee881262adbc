// A test's answer to a dialog or a quick pick the extension shows: inside VS Code the tests share
// the extension's API object, so replacing a vscode.window function reaches the extension's calls.
import * as vscode from 'vscode';

/**
 * Replaces `vscode.window[name]` (the extension shares this API object with the tests) by `fake`
 * until restore(): how a test answers a modal dialog or a quick pick.
 */
export function stubWindow<K extends keyof typeof vscode.window>(
  name: K,
  fake: (...args: never[]) => unknown,
): { restore(): void } {
  const real = vscode.window[name];
  (vscode.window as Record<K, unknown>)[name] = fake;
  return {
    restore() {
      (vscode.window as Record<K, unknown>)[name] = real;
    },
  };
}
