// The conversions (import-hf, export-hf, export-run, import-run) run the `seqlab` CLI bundled in the
// extension in a child process (extension/core/models/convert-in-child.ts), off the extension
// host's event loop, under a cancellable progress notification; the output goes to the log.
import * as vscode from 'vscode';
import { runSeqlabInChild } from '../../core/models/convert-in-child';

/** Runs `seqlab ARGS…`; resolves with what it printed (also appended to `log`). */
export async function runSeqlabWithProgress(
  extensionUri: vscode.Uri,
  log: vscode.OutputChannel,
  title: string,
  args: string[],
): Promise<string> {
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  const printed = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runSeqlabInChild(cli, args, abort.signal);
    },
  );
  log.appendLine(printed.trimEnd());
  return printed;
}
