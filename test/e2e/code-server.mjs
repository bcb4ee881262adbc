// What every e2e script shares: the packaged .vsix, a code-server with it installed on a
// prepared workspace, chromium on its page, and the closing `N passed, N failed` report.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  freePort,
  installExtension,
  packageVsix,
  prepareServerDir,
  spawnServer,
  stopServer,
  VSIX,
  waitUntilServing,
} from '../../scripts/vscode-server.mjs';
import { artifacts, CHROMIUM_ARGS, must, root } from '../vscode/harness.mjs';

export { VSIX };

/** Installs code-server when missing, compiles out/ and dist/ unless scripts/test.mjs just did, and packages the .vsix. */
export function packageExtension() {
  must('bash', [join(root, 'test', 'vscode', 'install-code-server.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (process.env.SEQLAB_BUILT !== '1') {
    must(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    must(process.execPath, ['scripts/build.mjs']);
  }
  packageVsix();
}

/** Headless chromium on `url` (XDG folders from `env` keep its crash reports out of $HOME); dialogs are dismissed and listed. */
export async function openBrowser(url, env) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    env,
  });
  const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  return { browser, page, dialogs };
}

/**
 * Starts code-server (state under `serverDir`, wiped first) with the .vsix installed and `settings` over quiet defaults,
 * opens the workspace `ws` in headless chromium and returns the page, the dialogs it dismissed and a `close` that stops
 * both and keeps the server's log in the artifacts folder as `logName`.
 */
export async function openVsCode({ serverDir, ws, settings, logName }) {
  rmSync(serverDir, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const env = prepareServerDir(serverDir, settings);
  installExtension(serverDir, env);
  const running = spawnServer({ serverDir, env, port: await freePort(), ws });
  let browser;
  const close = async () => {
    await browser?.close();
    await stopServer(running);
    writeFileSync(join(artifacts, logName), running.log.join(''));
  };
  try {
    await waitUntilServing(running);
    const opened = await openBrowser(`http://127.0.0.1:${running.port}/?folder=${encodeURIComponent(ws)}`, env);
    browser = opened.browser;
    return { page: opened.page, dialogs: opened.dialogs, close };
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
