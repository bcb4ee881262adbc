// The UI test: packages the extension (vsce), installs the .vsix into code-server, and drives it
// with playwright-core in Debian's chromium like a user: right-click a file in the Explorer, pick
// "Mamba: Analyze Sequence File", wait for the notebook output, read its numbers inside the
// renderer's webview and take a screenshot. Cases: the lambda phage genome, a spoken WAV, and a
// FASTA whose header is an HTML tag (it must show as text; no dialog may open).
// Screenshots go to .seqlab-test/artifacts/ (printed). Prints `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..');
const base = process.env.SEQLAB_VSCODE_BASE ?? join(root, '.seqlab-test', 'vscode');
const work = join(root, '.seqlab-test', 'e2e');
const artifacts = join(root, '.seqlab-test', 'artifacts');
const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const LAMBDA_GZ = '/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz';
const XSS = '<img src=x onerror=alert(1)>';
const COMMAND = 'Mamba: Analyze Sequence File';

function must(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}
const freePort = () => new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });

function prepareWorkspace(ws) {
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(join(ws, 'models'), { recursive: true });
  writeFileSync(join(ws, 'lambda_virus.fa'), gunzipSync(readFileSync(LAMBDA_GZ)));
  must('espeak-ng', ['-w', join(ws, 'speech.wav'), 'Mamba reads one two three four five']);
  cpSync(join(root, 'test', 'fixtures', 'hf-mamba-dna'), join(ws, 'models', 'hf-mamba-dna'), { recursive: true });
  writeFileSync(join(ws, 'xss.fa'), `>${XSS}\nACGTACGTNNNNacgtacgtGGCC\n`);
}

/** Right-clicks `file` in the Explorer and runs the command (retrying until the extension host has registered it). */
async function analyzeFromExplorer(page, file) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
  await row.waitFor({ timeout: 60_000 });
  const item = page.locator('.monaco-menu .action-item', { hasText: COMMAND }).first();
  for (let i = 0; ; i++) {
    await row.click({ button: 'right' });
    try { await item.waitFor({ timeout: 2000 }); break; } catch {
      if (i > 40) throw new Error(`"${COMMAND}" never appeared in the Explorer context menu of ${file}`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  await page.waitForTimeout(300); // a click while the menu lays out is sometimes lost
  await item.click();
}

/** The text of the newest analysis output in the notebook's renderer webview, once it shows `ready`. */
async function outputText(page, ready, timeoutMs = 90_000) {
  const t0 = Date.now();
  for (;;) {
    for (const frame of page.frames()) {
      const text = await frame.evaluate(() => {
        const outs = [...document.querySelectorAll('.output_container, .output')];
        return outs.length ? outs.map((o) => o.innerText).join('\n---\n') : '';
      }).catch(() => '');
      if (ready.test(text)) return { frame, text };
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no output matching ${ready} within ${timeoutMs} ms`);
    await page.waitForTimeout(500);
  }
}

async function main() {
  must('bash', [join(root, 'test', 'vscode', 'install-code-server.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  must(process.execPath, ['scripts/build.mjs']);
  must(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '-o', join(root, 'dist', 'mamba-seqlab.vsix')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const ws = join(work, 'ws');
  prepareWorkspace(ws);
  mkdirSync(artifacts, { recursive: true });
  const run = join(work, 'server');
  rmSync(run, { recursive: true, force: true });
  for (const d of ['ud/User', 'ext', 'xdg/data', 'xdg/cache', 'xdg/config', 'xdg/run']) mkdirSync(join(run, d), { recursive: true, mode: 0o700 });
  writeFileSync(join(run, 'ud', 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
    'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'workbench.tips.enabled': false, 'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden', 'workbench.enableExperiments': false,
    'seqlab.defaultDnaModel': join(ws, 'models', 'hf-mamba-dna'),
  }));
  const env = { ...process.env, XDG_DATA_HOME: join(run, 'xdg/data'), XDG_CACHE_HOME: join(run, 'xdg/cache'), XDG_CONFIG_HOME: join(run, 'xdg/config'), XDG_RUNTIME_DIR: join(run, 'xdg/run') };
  const node24 = join(base, 'node24', 'package', 'bin', 'node');
  const entry = join(base, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const common = ['--config', join(run, 'config.yaml'), '--user-data-dir', join(run, 'ud'), '--extensions-dir', join(run, 'ext')];
  must(node24, [entry, ...common, '--install-extension', join(root, 'dist', 'mamba-seqlab.vsix')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await freePort();
  const server = spawn(node24, [entry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', ws], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const serverLog = [];
  server.stdout.on('data', (d) => serverLog.push(String(d)));
  server.stderr.on('data', (d) => serverLog.push(String(d)));
  const outcomes = [];
  let browser;
  try {
    for (let i = 0; !(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)); i++) {
      if (i > 300) throw new Error(`code-server did not start:\n${serverLog.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    const cases = [
      { name: 'lambda_virus.fa', file: 'lambda_virus.fa', ready: /bits\/base[\s\S]*\d/i, check: (t) => /48[,.\s]?502/.test(t) || `no record length 48502 in: ${t.slice(0, 300)}` },
      { name: 'speech.wav', file: 'speech.wav', ready: /22[,.\s]?050|22\.05/, check: () => true },
      { name: 'HTML header shown as text', file: 'xss.fa', ready: /onerror=alert/, check: async (t, frame) => {
        if (!t.includes(XSS) && !(t.includes('<img') && t.includes('onerror=alert(1)>'))) return `header not shown literally: ${t.slice(0, 300)}`;
        const injected = await frame.evaluate(() => document.querySelectorAll('img[src="x"]').length);
        if (injected) return `${injected} <img src=x> elements were created from the header`;
        return dialogs.length === 0 || `a dialog opened: ${dialogs.join(', ')}`;
      } },
    ];
    for (const c of cases) {
      const t0 = Date.now();
      try {
        await analyzeFromExplorer(page, c.file);
        const { frame, text } = await outputText(page, c.ready);
        const verdict = await c.check(text, frame);
        await page.screenshot({ path: join(artifacts, `e2e-${c.file}.png`) });
        if (verdict !== true) throw new Error(verdict);
        console.log(`  ${c.name}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
        outcomes.push({ name: c.name, ok: true, ms: Date.now() - t0 });
      } catch (e) {
        await page.screenshot({ path: join(artifacts, `e2e-${c.file}-fail.png`) }).catch(() => undefined);
        outcomes.push({ name: c.name, ok: false, ms: Date.now() - t0, error: e.message.split('\n').slice(0, 4).join(' ') });
      }
    }
  } finally {
    await browser?.close();
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
    writeFileSync(join(artifacts, 'e2e-server.log'), serverLog.join(''));
  }
  for (const o of outcomes) console.log(`${o.ok ? '✔' : '✖'} ${o.name} (${o.ms} ms)${o.error ? `\n    ${o.error}` : ''}`);
  console.log(`screenshots: ${artifacts}`);
  const passed = outcomes.filter((o) => o.ok).length;
  console.log(`${passed} passed, ${outcomes.length - passed + (outcomes.length ? 0 : 1)} failed`);
  process.exit(passed === outcomes.length && passed > 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); console.log('0 passed, 1 failed'); process.exit(1); });
