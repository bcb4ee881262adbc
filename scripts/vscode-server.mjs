// A real VS Code in the browser with this extension installed: code-server (installed with its own
// Node 24 by test/vscode/install-code-server.sh) with the packaged .vsix, its user data, extensions
// and XDG folders in a server folder of its own, bound to 127.0.0.1. What `npm start` and the e2e
// tests share: where things live, packaging, preparing a server folder, starting the server and
// stopping it with every process it started.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');
export const base = process.env.SEQLAB_VSCODE_BASE ?? join(root, '.seqlab-test', 'vscode');
export const VSIX = join(root, 'dist', 'mamba-seqlab.vsix');
export const LAMBDA_GZ = '/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz';
const NODE24 = join(base, 'node24', 'package', 'bin', 'node');
const ENTRY = join(base, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const VSCE = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');

/** Settings that keep a fresh VS Code from opening tours, tips, update checks and trust prompts. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.enableExperiments': false,
  'git.openRepositoryInParentFolders': 'never',
};

/** Runs a command from the repository root; a non-zero exit throws. */
export function must(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/** A TCP port free on the loopback interface right now (`port` itself when given and free). */
export function freePort(port = 0) {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (e) =>
      reject(new Error(e.code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is in use` : e.message)),
    );
    s.listen(port, '127.0.0.1', () => {
      const free = s.address().port;
      s.close(() => resolve(free));
    });
  });
}

/** Whether install-code-server.sh has put Node 24 and code-server in place. */
export function serverInstalled() {
  return existsSync(NODE24) && existsSync(ENTRY);
}

/** Whether vsce (an npm dev dependency) is there to package the extension. */
export function packagerInstalled() {
  return existsSync(VSCE);
}

/** Packages dist/ into the .vsix (vsce runs the vscode:prepublish build first). */
export function packageVsix() {
  must(process.execPath, [VSCE, 'package', '--no-dependencies', '-o', VSIX], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function newestMtime(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newestMtime(join(path, name))), s.mtimeMs);
}

/** Whether a source of the .vsix (code, manifest, samples, docs) changed after it was written, or it is missing. */
export function vsixStale() {
  if (!existsSync(VSIX)) return true;
  const sources = ['extension', 'kernels', 'protocol', 'webview', 'samples', 'package.json', 'README.md'];
  const newest = Math.max(
    ...sources
      .map((s) => join(root, s))
      .filter(existsSync)
      .map(newestMtime),
  );
  return newest > statSync(VSIX).mtimeMs;
}

/**
 * Makes the server folder's subfolders and writes `settings` over the quiet defaults (unless `keepSettings` and the
 * user has settings there already); returns the environment whose XDG folders keep the server's state inside it.
 */
export function prepareServerDir(serverDir, settings = {}, { keepSettings = false } = {}) {
  for (const d of ['ud/User', 'ext', 'xdg/data', 'xdg/cache', 'xdg/config', 'xdg/run'])
    mkdirSync(join(serverDir, d), { recursive: true, mode: 0o700 });
  const settingsFile = join(serverDir, 'ud', 'User', 'settings.json');
  if (!keepSettings || !existsSync(settingsFile))
    writeFileSync(settingsFile, JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2) + '\n');
  const x = (d) => join(serverDir, 'xdg', d);
  return {
    ...process.env,
    XDG_DATA_HOME: x('data'),
    XDG_CACHE_HOME: x('cache'),
    XDG_CONFIG_HOME: x('config'),
    XDG_RUNTIME_DIR: x('run'),
  };
}

const folderArgs = (serverDir) => [
  '--config',
  join(serverDir, 'config.yaml'),
  '--user-data-dir',
  join(serverDir, 'ud'),
  '--extensions-dir',
  join(serverDir, 'ext'),
];

/** Installs the .vsix into the server folder's extensions (replacing an older install). */
export function installExtension(serverDir, env) {
  must(NODE24, [ENTRY, ...folderArgs(serverDir), '--install-extension', VSIX, '--force'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * Starts code-server on 127.0.0.1:`port` opening `ws`, in a process group of its own (so stopServer reaches every
 * process it starts). With a `password` the browser must log in with it; without, anyone on this machine can connect.
 * Returns the child, its output so far (an array that keeps growing) and a promise of its exit; waitUntilServing
 * tells when it answers.
 */
export function spawnServer({ serverDir, env, port, ws, password }) {
  const server = spawn(
    NODE24,
    [
      ENTRY,
      ...folderArgs(serverDir),
      '--auth',
      password ? 'password' : 'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ws,
    ],
    { env: password ? { ...env, PASSWORD: password } : env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = [];
  server.stdout.on('data', (d) => log.push(String(d)));
  server.stderr.on('data', (d) => log.push(String(d)));
  const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve(signal ?? code)));
  return { server, log, exited, port };
}

/** Resolves once the server answers its health check; throws (with its output) when it exits first or takes a minute. */
export async function waitUntilServing(running) {
  for (let i = 0; ; i++) {
    const status = await Promise.race([
      fetch(`http://127.0.0.1:${running.port}/healthz`).then(
        (r) => (r.ok ? 'up' : 'down'),
        () => 'down',
      ),
      running.exited.then((how) => `exited (${how})`),
    ]);
    if (status === 'up') return;
    if (status.startsWith('exited')) throw new Error(`code-server ${status}:\n${running.log.join('')}`);
    if (i > 600)
      throw new Error(`code-server did not answer on port ${running.port} within a minute:\n${running.log.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * SIGTERM to the server's whole process group, SIGKILL to what is left after 5 s; resolves once the server and every
 * process of its group are gone.
 */
export async function stopServer({ server, exited }) {
  const signal = (s) => {
    try {
      process.kill(-server.pid, s);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  // Its helpers (extension host, pty host, file watcher) may still be closing.
  for (let i = 0; signal(0); i++) {
    if (i === 50) signal('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
  clearTimeout(timer);
}
