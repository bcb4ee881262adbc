// Runs the integration suite (test/integration/suite, the run() contract of --extensionTestsPath)
// inside a real VS Code: the VS Code server that code-server ships, started with
// --enable-smoke-test-driver so that the workbench URL's payload loads this extension for
// development and runs the suite; headless chromium (playwright-core) opens that URL and VS Code
// calls window.codeAutomationExit(code) when the suite ends. Prints each test and `N passed, N failed`.
// On a machine that can download VS Code, @vscode/test-electron runs the same suite:
//   runTests({ extensionDevelopmentPath: ROOT, extensionTestsPath: ROOT/out/test/integration/suite/index.js })
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { artifacts, base, CHROMIUM_ARGS, freePort, LAMBDA_GZ, must, root, SAUREUS_DIR } from '../vscode/harness.mjs';

const work = join(root, '.seqlab-test', 'integration');
// 20 minutes: on a 2-core machine the suite takes about 12 (its longest tests upload and train on the engine page).
const SUITE_TIMEOUT_MS = Number(process.env.SEQLAB_SUITE_TIMEOUT_MS ?? 1_200_000);

/**
 * The workspace the suite opens: real data (lambda phage genome, espeak-ng speech, S. aureus variants
 * and their genome), the HF reference model and the sample S. aureus model.
 */
function prepareWorkspace(ws) {
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(join(ws, 'models'), { recursive: true });
  writeFileSync(join(ws, 'lambda_virus.fa'), gunzipSync(readFileSync(LAMBDA_GZ)));
  copyFileSync(LAMBDA_GZ, join(ws, 'lambda_virus.fa.gz'));
  must('espeak-ng', ['-w', join(ws, 'speech.wav'), 'Mamba reads one two three four five']);
  cpSync(join(root, 'test', 'fixtures', 'hf-mamba-dna'), join(ws, 'models', 'hf-mamba-dna'), { recursive: true });
  cpSync(join(root, 'samples', 'models', 'dna-saureus'), join(ws, 'models', 'dna-saureus'), { recursive: true });
  mkdirSync(join(ws, 'saureus'));
  for (const f of ['NCTC8325.fasta.gz', 'variant.vcf.gz']) copyFileSync(join(SAUREUS_DIR, f), join(ws, 'saureus', f));
  writeFileSync(join(ws, 'xss.fa'), '><img src=x onerror=alert(1)>\nACGTACGTNNNNacgtacgtGGCC\n');
}

async function main() {
  must('bash', [join(root, 'test', 'vscode', 'install-code-server.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  // The suite runs from out/ and the extension from dist/: compile both unless scripts/test.mjs just did.
  if (process.env.SEQLAB_BUILT !== '1') {
    must(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    must(process.execPath, ['scripts/build.mjs']);
  }
  const ws = join(work, 'ws');
  prepareWorkspace(ws);
  mkdirSync(artifacts, { recursive: true });
  const run = join(work, 'server');
  rmSync(run, { recursive: true, force: true });
  for (const d of ['ud/User', 'ext', 'sd', 'xdg/data', 'xdg/cache', 'xdg/config', 'xdg/run'])
    mkdirSync(join(run, d), { recursive: true, mode: 0o700 });
  writeFileSync(
    join(run, 'ud', 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    }),
  );
  const results = join(run, 'results.json');
  const port = await freePort();
  const node24 = join(base, 'node24', 'package', 'bin', 'node');
  const serverMain = join(base, 'cs', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  const env = {
    ...process.env,
    SEQLAB_TEST_RESULTS: results,
    XDG_DATA_HOME: join(run, 'xdg/data'),
    XDG_CACHE_HOME: join(run, 'xdg/cache'),
    XDG_CONFIG_HOME: join(run, 'xdg/config'),
    XDG_RUNTIME_DIR: join(run, 'xdg/run'),
  };
  const server = spawn(
    node24,
    [
      serverMain,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--enable-smoke-test-driver',
      '--server-data-dir',
      join(run, 'sd'),
      '--user-data-dir',
      join(run, 'ud'),
      '--extensions-dir',
      join(run, 'ext'),
      '--disable-telemetry',
      '--disable-workspace-trust',
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const serverLog = [];
  server.stdout.on('data', (d) => serverLog.push(String(d)));
  server.stderr.on('data', (d) => serverLog.push(String(d)));
  let browser;
  let code = 'not run';
  try {
    for (let i = 0; ; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 300) throw new Error(`the VS Code server did not start:\n${serverLog.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const auth = `127.0.0.1:${port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${auth}${root}`],
      ['extensionTestsPath', `vscode-remote://${auth}${join(root, 'out', 'test', 'integration', 'suite', 'index.js')}`],
    ];
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, env }); // env: XDG dirs keep chromium's crash reports out of $HOME
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let exit;
    const exited = new Promise((r) => {
      exit = r;
    });
    await page.exposeFunction('codeAutomationExit', (c) => exit(c));
    const consoleLines = [];
    page.on('console', (m) => {
      const text = m.text().replace(/%c/g, '');
      consoleLines.push(text);
      // A test asks for a picture of the window as it is now: `[seqlab] screenshot NAME`.
      const shot = /\[seqlab\] screenshot ([\w-]+)/.exec(text);
      if (shot) void page.screenshot({ path: join(artifacts, `${shot[1]}.png`) }).catch(() => undefined);
    });
    await page.goto(
      `http://${auth}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
    );
    code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), SUITE_TIMEOUT_MS))]);
    await page.screenshot({ path: join(artifacts, 'integration-end.png') }).catch(() => undefined);
    writeFileSync(join(artifacts, 'integration-console.log'), consoleLines.join('\n'));
    for (const l of consoleLines)
      if (/lambda analysis:|lambda region on WebGPU:|speech analysis:|\[seqlab\]/.test(l))
        console.log(`  ${l.slice(0, 400)}`);
  } finally {
    await browser?.close();
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    writeFileSync(join(artifacts, 'integration-server.log'), serverLog.join(''));
  }
  if (!existsSync(results)) {
    console.log(`the suite wrote no results (codeAutomationExit: ${code}); see ${artifacts}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const r = JSON.parse(readFileSync(results, 'utf8'));
  for (const o of r.outcomes) {
    console.log(`${o.state === 'passed' ? '✔' : '✖'} ${o.title} (${o.ms} ms)`);
    if (o.error)
      console.log(
        o.error
          .split('\n')
          .slice(0, 12)
          .map((l) => `    ${l}`)
          .join('\n'),
      );
  }
  console.log(`artifacts: ${artifacts}`);
  console.log(`${r.passed} passed, ${r.failed} failed`);
  process.exit(r.failed === 0 && code === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
