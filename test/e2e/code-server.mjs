// What every e2e script shares: the packaged .vsix, a code-server with it installed on a
// prepared workspace, chromium on its page, and the closing `N passed, N failed` report.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { artifacts, base, CHROMIUM_ARGS, freePort, must, root } from '../vscode/harness.mjs';

export const VSIX = join(root, 'dist', 'mamba-seqlab.vsix');

/** Installs code-server when missing, compiles out/ and dist/ unless scripts/test.mjs just did, and packages the .vsix. */
export function packageExtension() {
  must('bash', [join(root, 'test', 'vscode', 'install-code-server.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (process.env.SEQLAB_BUILT !== '1') {
    must(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    must(process.execPath, ['scripts/build.mjs']);
  }
  must(
    process.execPath,
    [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '-o', VSIX],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

const QUIET_SETTINGS = {
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

/**
 * Starts code-server (state under `serverDir`, wiped first) with the .vsix installed and `settings` over quiet defaults,
 * opens the workspace `ws` in headless chromium and returns the page, the dialogs it dismissed and a `close` that stops
 * both and keeps the server's log in the artifacts folder as `logName`.
 */
export async function openVsCode({ serverDir, ws, settings, logName }) {
  rmSync(serverDir, { recursive: true, force: true });
  for (const d of ['ud/User', 'ext', 'xdg/data', 'xdg/cache', 'xdg/config', 'xdg/run'])
    mkdirSync(join(serverDir, d), { recursive: true, mode: 0o700 });
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(serverDir, 'ud', 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }));
  const x = (d) => join(serverDir, 'xdg', d);
  const env = {
    ...process.env,
    XDG_DATA_HOME: x('data'),
    XDG_CACHE_HOME: x('cache'),
    XDG_CONFIG_HOME: x('config'),
    XDG_RUNTIME_DIR: x('run'),
  };
  const node24 = join(base, 'node24', 'package', 'bin', 'node');
  const entry = join(base, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const common = [
    '--config',
    join(serverDir, 'config.yaml'),
    '--user-data-dir',
    join(serverDir, 'ud'),
    '--extensions-dir',
    join(serverDir, 'ext'),
  ];
  must(node24, [entry, ...common, '--install-extension', VSIX], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await freePort();
  const server = spawn(
    node24,
    [
      entry,
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ws,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const serverLog = [];
  server.stdout.on('data', (d) => serverLog.push(String(d)));
  server.stderr.on('data', (d) => serverLog.push(String(d)));
  let browser;
  const close = async () => {
    await browser?.close();
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    writeFileSync(join(artifacts, logName), serverLog.join(''));
  };
  try {
    for (
      let i = 0;
      !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    ) {
      if (i > 300) throw new Error(`code-server did not start:\n${serverLog.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, env }); // env: XDG dirs keep chromium's crash reports out of $HOME
    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    return { page, dialogs, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Prints each outcome ({ name, ok, ms, error? }), where the screenshots are, the closing `N passed, N failed`, and exits with its status. */
export function report(outcomes) {
  for (const o of outcomes)
    console.log(`${o.ok ? '✔' : '✖'} ${o.name} (${o.ms} ms)${o.error ? `\n    ${o.error}` : ''}`);
  console.log(`screenshots: ${artifacts}`);
  const passed = outcomes.filter((o) => o.ok).length;
  console.log(`${passed} passed, ${outcomes.length - passed + (outcomes.length ? 0 : 1)} failed`);
  process.exit(passed === outcomes.length && passed > 0 ? 0 : 1);
}

/** The first lines of an error, for a one-outcome report. */
export function briefly(e) {
  return e.message.split('\n').slice(0, 4).join(' ');
}
