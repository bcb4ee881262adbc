// "Mamba: Export Training Run for PyTorch…" as a user meets it, in code-server with the packaged
// .vsix: a workspace holding a small run (.seqlab/runs/tiny, trained here for a few CPU steps); the
// command's run pick, its folder question (default .seqlab/exports/tiny-pytorch), the notification,
// and the exported README in the Markdown preview. Screenshots: .seqlab-test/artifacts/
// e2e-export-run-*.png. Prints `N passed, N failed`.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { artifacts, root } from '../vscode/harness.mjs';
import { briefly, openVsCode, packageExtension, report } from './code-server.mjs';
import { runCommand, until } from './notebook-ui.mjs';

const work = join(root, '.seqlab-test', 'e2e-export-run');
const RUN = 'tiny';

/** The workspace: a random genome and a run of 6 steps on it, with its checkpoint. */
async function prepareWorkspace(ws) {
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(ws, { recursive: true });
  const load = createRequire(import.meta.url);
  const { randomBases, writeFasta, tinyRunSpec } = load(join(root, 'out/test/support/train-data.js'));
  const { createRun, runSession } = load(join(root, 'out/extension/core/runs/train-session.js'));
  const genome = writeFasta(join(ws, 'genome.fa'), { a: randomBases(4000), b: randomBases(2000) });
  const runDir = join(ws, '.seqlab', 'runs', RUN);
  await createRun(runDir, tinyRunSpec(RUN, genome, 6));
  const result = await runSession(runDir);
  if (result.state !== 'finished') throw new Error(`the workspace's run ended ${result.state}`);
}

async function main() {
  packageExtension(); // before the workspace: out/ holds the run code
  const ws = join(work, 'ws');
  await prepareWorkspace(ws);
  const { page, close } = await openVsCode({
    serverDir: join(work, 'server'),
    ws,
    logName: 'e2e-export-run-server.log',
  });
  await page.setViewportSize({ width: 1400, height: 900 });
  const out = join(ws, '.seqlab', 'exports', `${RUN}-pytorch`);
  const quick = page.locator('.quick-input-widget');
  const outcomes = [];
  const stage = async (name, body) => {
    const t0 = Date.now();
    try {
      const note = await body();
      if (note) console.log(`  ${note}`);
      outcomes.push({ name, ok: true, ms: Date.now() - t0 });
    } catch (e) {
      await page.screenshot({ path: join(artifacts, 'e2e-export-run-fail.png') }).catch(() => undefined);
      outcomes.push({ name, ok: false, ms: Date.now() - t0, error: briefly(e) });
      throw e;
    }
  };
  try {
    await stage('the command lists the workspace run and suggests .seqlab/exports/tiny-pytorch', async () => {
      await page.locator('.activitybar [aria-label^="Mamba SeqLab"]').first().waitFor({ timeout: 60_000 });
      await runCommand(page, 'Mamba: Export Training Run for PyTorch…');
      const row = quick.locator('.monaco-list-row', { hasText: RUN }).first();
      await row.waitFor({ timeout: 15_000 });
      await page.screenshot({ path: join(artifacts, 'e2e-export-run-pick.png') });
      await row.click();
      const input = quick.locator('input');
      const value = await until(
        async () => {
          const v = await input.inputValue();
          return v.endsWith(`${RUN}-pytorch`) && v;
        },
        'no folder suggested',
        15_000,
      );
      await page.screenshot({ path: join(artifacts, 'e2e-export-run-folder.png') });
      await input.press('Enter');
      await quick.waitFor({ state: 'hidden', timeout: 10_000 });
      return `suggested ${value}`;
    });
    await stage('the export finishes, says so, and its README opens in the preview', async () => {
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'launch commands' });
      await toast.waitFor({ timeout: 120_000 });
      await page.screenshot({ path: join(artifacts, 'e2e-export-run-done.png') });
      const handoff = JSON.parse(readFileSync(join(out, 'handoff.json'), 'utf8'));
      if (handoff.run !== RUN || handoff.progress.step !== 6) throw new Error(JSON.stringify(handoff.progress));
      for (const f of ['train.py', 'optimizer.safetensors', 'model/config.json', 'data/manifest.json'])
        if (!existsSync(join(out, f))) throw new Error(`${f} is missing from the export`);
      await toast.locator('a.monaco-button', { hasText: 'Open README' }).click();
      const preview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await preview.locator('h1', { hasText: `${RUN}, continued with transformers + accelerate` }).waitFor({
        timeout: 30_000,
      });
      await page.screenshot({ path: join(artifacts, 'e2e-export-run-readme.png') });
      return `exported at step ${handoff.progress.step} into ${out}`;
    });
  } catch {
    // the failed stage is in the outcomes
  } finally {
    await close();
  }
  report(outcomes);
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
