// Variant scoring as a user meets it, in code-server with the packaged .vsix: a saved notebook
// holding a `variants:` cell (Sibelia's S. aureus VCF against the NCTC 8325 genome it was called on)
// and a `mutagenesis:` cell (every substitution of 60 bases there), opened from the Explorer and run
// with "Notebook: Run All"; the variants table read inside the renderer's webview (a row per ALT, a
// row click scrolls the track to the variant), the heatmap drawn; then the same outputs in the dark
// and high-contrast themes. Screenshots: .seqlab-test/artifacts/e2e-variants-*.png and
// e2e-mutagenesis-*.png. Prints `N passed, N failed`.
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { artifacts, root, SAUREUS_DIR } from '../vscode/harness.mjs';
import { briefly, openVsCode, packageExtension, report } from './code-server.mjs';
import { findOutput, runCommand, switchTheme, until } from './notebook-ui.mjs';

const work = join(root, '.seqlab-test', 'e2e-variants');
const NOTEBOOK = 'saureus-variants.seqlab';
const VCF = 'saureus/variant.vcf.gz';
const GENOME = 'saureus/NCTC8325.fasta.gz';
const VCF_RECORDS = 109; // one ALT each
const FILES = `reference: ${GENOME}\nmodel: models/dna-saureus\nwindow: 32`;

/** The workspace: the VCF and its genome, the sample S. aureus model and the notebook with both cells, not yet run. */
function prepareWorkspace(ws) {
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(join(ws, 'saureus'), { recursive: true });
  for (const f of ['NCTC8325.fasta.gz', 'variant.vcf.gz']) copyFileSync(join(SAUREUS_DIR, f), join(ws, 'saureus', f));
  cpSync(join(root, 'samples', 'models', 'dna-saureus'), join(ws, 'models', 'dna-saureus'), { recursive: true });
  const { writeNotebook } = createRequire(import.meta.url)(
    join(root, 'out/extension/core/notebook/notebook-format.js'),
  );
  const cell = (source) => ({
    kind: 'code',
    language: 'yaml',
    source,
    outputs: [],
    run: undefined,
    metadata: undefined,
  });
  writeFileSync(
    join(ws, NOTEBOOK),
    writeNotebook({
      cells: [cell(`variants: ${VCF}\n${FILES}`), cell(`mutagenesis: NC_007795:22151-22210\n${FILES}`)],
      metadata: undefined,
    }),
  );
}

/** The output pane showing `file` (its `file:` line) once it has finished, in the renderer's frame. */
async function finished(page, file, timeoutMs) {
  const found = await until(() => findOutput(page, file, /^engine: /m), `no finished output for ${file}`, timeoutMs);
  return { frame: found.frame, pane: found.frame.locator('.seqlab-output', { hasText: `file: ${file}` }).last() };
}

/** The variants and mutagenesis outputs, each as an element screenshot named for the theme. */
async function screenshots(page, theme) {
  await page.waitForTimeout(800); // the canvases redraw in the theme's colours on the next frame
  const variants = await finished(page, VCF, 10_000);
  const mutagenesis = await finished(page, GENOME, 10_000);
  await variants.pane.screenshot({ path: join(artifacts, `e2e-variants-${theme}.png`) });
  await mutagenesis.pane.screenshot({ path: join(artifacts, `e2e-mutagenesis-${theme}.png`) });
  await page.screenshot({ path: join(artifacts, `e2e-variants-page-${theme}.png`) });
  return { variants, mutagenesis };
}

/** Luminance (0–1) of the editor background the outputs sit on (the webview's body is transparent) and of the table's text. */
async function colours(frame) {
  return frame.evaluate(() => {
    const lum = (css) => {
      const hex = /^\s*#([\da-f]{2})([\da-f]{2})([\da-f]{2})/i.exec(css);
      const [r, g, b] = hex
        ? hex.slice(1).map((h) => parseInt(h, 16))
        : (css.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const td = document.querySelector('.seqlab-variants td');
    return {
      background: lum(getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background')),
      text: lum(getComputedStyle(td).color),
    };
  });
}

async function main() {
  packageExtension(); // before the workspace: out/ holds the notebook writer
  const ws = join(work, 'ws');
  prepareWorkspace(ws);
  const { page, close } = await openVsCode({
    serverDir: join(work, 'server'),
    ws,
    logName: 'e2e-variants-server.log',
    settings: { 'seqlab.backend': 'cpu' },
  });
  // Tall enough that both outputs are on screen at once, below their cells.
  await page.setViewportSize({ width: 1500, height: 2000 });
  const outcomes = [];
  const stage = async (name, body) => {
    const t0 = Date.now();
    try {
      const note = await body();
      if (note) console.log(`  ${note}`);
      outcomes.push({ name, ok: true, ms: Date.now() - t0 });
    } catch (e) {
      await page.screenshot({ path: join(artifacts, 'e2e-variants-fail.png') }).catch(() => undefined);
      outcomes.push({ name, ok: false, ms: Date.now() - t0, error: briefly(e) });
      throw e;
    }
  };
  try {
    let shown;
    await stage('the notebook opens from the Explorer and Run All scores the VCF and the region', async () => {
      // Opened before the workbench knows the extension's notebook type, the file shows as JSON text: wait for its
      // activity bar entry, and open it again while a text editor comes up instead.
      await page.locator('.activitybar [aria-label^="Mamba SeqLab"]').first().waitFor({ timeout: 60_000 });
      const cells = page.locator('.notebook-editor .cell-editor-container').first();
      await until(
        async () => {
          await page.locator('.explorer-folders-view .monaco-list-row', { hasText: NOTEBOOK }).first().dblclick();
          if (
            await cells.waitFor({ timeout: 5000 }).then(
              () => true,
              () => false,
            )
          )
            return true;
          await page.locator('.tabs-container .tab.active').first().click({ button: 'middle' });
          return false;
        },
        `${NOTEBOOK} never opened as a notebook`,
        60_000,
      );
      await runCommand(page, 'Notebook: Run All');
      const variants = await finished(page, VCF, 300_000);
      const mutagenesis = await finished(page, GENOME, 300_000);
      const rows = await variants.pane.locator('.seqlab-variants tbody tr').count();
      const count = await variants.pane.locator('.seqlab-variants .seqlab-hint').textContent();
      if (rows !== VCF_RECORDS || count !== `${VCF_RECORDS} of ${VCF_RECORDS} rows`)
        throw new Error(`${rows} rows, "${count}"`);
      const text = await variants.pane.innerText();
      if (!text.includes(`chromosome NC_007795 -> gi|88193823|ref|NC_007795.1| (accession_version)`))
        throw new Error(`the renamed chromosome is not said: ${text.slice(0, 600)}`);
      const drawn = await mutagenesis.pane.locator('canvas').evaluate((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) n++;
        return n;
      });
      if (drawn < 10_000) throw new Error(`the heatmap has ${drawn} pixels drawn`);
      shown = { variants, mutagenesis };
      return `${rows} variant rows (${/\d+ scored[^\n]*/.exec(text)?.[0]}); heatmap ${drawn} pixels`;
    });
    await stage('a row click scrolls the track to the variant', async () => {
      const row = shown.variants.pane.locator('.seqlab-variants tbody tr').nth(3);
      const pos = Number((await row.locator('td').nth(1).textContent()).replace(/,/g, ''));
      await row.click();
      const track = shown.variants.pane.locator('.seqlab-dna-track');
      const window = await until(
        async () => {
          const w = await track.evaluate((e) => [Number(e.dataset.windowStart), Number(e.dataset.windowEnd)]);
          return w[0] <= pos - 1 && pos - 1 < w[1] && w[1] - w[0] < 200 && w;
        },
        `the track did not move to POS ${pos}`,
        5000,
      );
      return `POS ${pos}: track window [${window[0]}, ${window[1]})`;
    });
    await stage('light theme: screenshots', async () => {
      await screenshots(page, 'light');
      const c = await colours(shown.variants.frame);
      if (!(c.background > 0.7 && c.background - c.text > 0.4)) throw new Error(JSON.stringify(c));
    });
    for (const [theme, name] of [
      ['dark', 'Dark Modern'],
      ['hc', 'Dark High Contrast'],
    ]) {
      await stage(`${theme} theme: the outputs follow it, screenshots`, async () => {
        await switchTheme(page, name);
        const c = await until(
          async () => {
            const c = await colours(shown.variants.frame);
            return c.background < 0.3 && c;
          },
          `the outputs stayed light in ${name}`,
          15_000,
        );
        if (!(c.text - c.background > 0.4)) throw new Error(`text on background: ${JSON.stringify(c)}`);
        await screenshots(page, theme);
      });
    }
  } catch {
    // the failed stage is in the outcomes; the stages after it need it
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
