// What the two real-VS-Code tiers (test/integration/run.mjs, test/e2e/run.mjs) share: where the
// VS Code server and the artifacts live, how chromium starts here, the real genome they open,
// and two process helpers.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
export const base = process.env.SEQLAB_VSCODE_BASE ?? join(root, '.seqlab-test', 'vscode');
export const artifacts = join(root, '.seqlab-test', 'artifacts');
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
export const LAMBDA_GZ = '/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz';

/** Runs a command from the repository root; a non-zero exit throws. */
export function must(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/** A TCP port free on the loopback interface right now. */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
