// Runs an import or export (`seqlab import-hf` / `export-hf`, the CLI bundle dist/cli.js) in a
// child Node process, so the extension host's event loop never decodes, converts or writes
// weights. Resolves with what the command printed; rejects with its one-line error, or when the
// signal cancels it (the child is killed).
import { fork } from 'node:child_process';

export function runSeqlabInChild(cliScript: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = fork(cliScript, args, {
      // The extension host is Electron running as Node; without this the child would start a window.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', SEQLAB_DEBUG: '' },
      // The host's own flags (an inspector port) are not the child's.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      signal,
    });
    let out = '',
      err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(e.name === 'AbortError' ? new Error(`seqlab ${args[0]} was cancelled`) : e));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(err.trim().replace(/^seqlab: /, '') || `seqlab ${args[0]} exited with code ${code}`));
    });
  });
}
