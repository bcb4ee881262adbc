// Starting anything from what a workspace holds (a run's run.json names the data and the model to
// train) waits for the user to trust the workspace: now when it is trusted, once they grant trust
// otherwise, never while it stays untrusted. No vscode: vscode.workspace is a WorkspaceTrust.

export interface WorkspaceTrust {
  readonly isTrusted: boolean;
  onDidGrantWorkspaceTrust(listener: () => unknown): { dispose(): unknown };
}

/** Runs `action` once the workspace is trusted; dispose() drops it if that has not happened yet. */
export function whenTrusted(trust: WorkspaceTrust, action: () => void): { dispose(): void } {
  if (trust.isTrusted) {
    action();
    return { dispose: () => undefined };
  }
  const granted = trust.onDidGrantWorkspaceTrust(() => {
    granted.dispose();
    action();
  });
  return { dispose: () => void granted.dispose() };
}
