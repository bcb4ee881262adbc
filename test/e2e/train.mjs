// The training flow as a user meets it, in code-server with the packaged .vsix: "Mamba: Train
// Model…" from the command palette (lambda_virus.fa.gz picked through the open dialog, from
// scratch, preset tiny, a 60-step budget, backend cpu, the suggested range and name); the live pane read inside
// its webview (step counter, training and validation bits/token, the curve's dots) against the
// run's metrics.jsonl; the pane hidden behind another editor while the run goes on (the Runs view
// following its step); Cancel in the progress notification; the Runs view showing the run
// cancelled; Resume from the Runs view continuing the same curve to the budget; the pane
// following the theme to dark and high contrast.
// Screenshots go to .seqlab-test/artifacts/e2e-train-*.png. Prints `N passed, N failed`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, LAMBDA_GZ, root } from '../vscode/harness.mjs';
import { briefly, openVsCode, packageExtension, report } from './code-server.mjs';
import { runCommand, sleep, switchTheme, until } from './notebook-ui.mjs';

const work = join(root, '.seqlab-test', 'e2e-train');
const STEPS = 60; // about 25 s of training here: long enough to hide, cancel and resume in
const SANE_BITS = [1.5, 4.5]; // DNA over a 16-token vocabulary: a fresh model starts near log2(16) = 4

/**
 * Answers the quick input titled `title`: in a quick pick types `text` and takes the row `pick`; in an input
 * box (known by its `prompt`) replaces the value with `text`, or keeps the suggested one when `text` is undefined.
 * Returns the value it entered.
 */
async function answer(page, title, { text, pick, prompt }) {
  const quick = page.locator('.quick-input-widget');
  await quick.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  if (prompt) await quick.locator('.quick-input-message', { hasText: prompt }).waitFor({ timeout: 10_000 });
  const input = quick.locator('input');
  if (text !== undefined) await input.fill(text);
  if (pick) await quick.locator('.monaco-list-row', { hasText: pick }).first().waitFor({ timeout: 10_000 });
  const value = await input.inputValue();
  await sleep(200); // Enter while the list filters is sometimes taken by the previous item
  await page.keyboard.press('Enter');
  return value;
}

/** Picks a file through VS Code's own open dialog (a path box listing the folder typed so far). */
async function pickFileInOpenDialog(page, ws, path) {
  const input = page.locator('.quick-input-widget input');
  await until(
    async () => (await input.inputValue().catch(() => '')).startsWith(ws),
    'the open dialog did not show the workspace folder',
    30_000,
  );
  await input.fill(path);
  const name = path.split('/').pop();
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** What the training pane shows, read inside its webview: title, phase, step, latest figures, the chart's dots and colours. */
async function readPane(page) {
  for (const frame of page.frames()) {
    const state = await frame
      .evaluate(() => {
        const chart = document.getElementById('chart');
        if (!chart || !document.getElementById('progress')) return undefined;
        const text = (id) => document.getElementById(id)?.textContent ?? '';
        const dots = (series) =>
          [...chart.querySelectorAll(`.series-${series} circle`)].map((c) => ({
            step: Number(c.dataset.step),
            bits: Number(c.dataset.bits),
            title: c.textContent,
          }));
        const line = (series) => chart.querySelector(`.series-${series} polyline`);
        const box = line('train')?.getBBox();
        const colour = (sel, prop) => {
          const e = chart.querySelector(sel);
          return e ? getComputedStyle(e)[prop] : '';
        };
        return {
          title: text('title'),
          phase: text('phase'),
          progress: text('progress'),
          error: text('error'),
          trainBits: text('train-bits'),
          trainStep: text('train-step'),
          valBits: text('val-bits'),
          valStep: text('val-step'),
          train: dots('train'),
          val: dots('val'),
          trainVertices: (line('train')?.getAttribute('points') ?? '').trim().split(/\s+/).filter(Boolean).length,
          trainBox: box ? { width: box.width, height: box.height } : undefined,
          xLabels: [...chart.querySelectorAll('.tick-labels text')].map((t) => t.textContent),
          colours: {
            train: colour('.series-train polyline', 'stroke'),
            val: colour('.series-val polyline', 'stroke'),
            label: colour('.tick-labels text', 'fill'),
            background: getComputedStyle(document.documentElement)
              .getPropertyValue('--vscode-editor-background')
              .trim(),
            contrastBorder: getComputedStyle(document.documentElement)
              .getPropertyValue('--vscode-contrastBorder')
              .trim(),
          },
        };
      })
      .catch(() => undefined);
    if (state) return { frame, ...state };
  }
  return undefined;
}

const stepOf = (pane) => Number((/^step ([\d,]+)/.exec(pane?.progress ?? '') ?? [0, '-1'])[1].replace(/,/g, ''));

function readMetrics(runDir) {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/**
 * The pane against metrics.jsonl: every record up to the step it shows is a dot with the same value (and no other dot),
 * the latest figures are the file's latest values to four places, all in a sane range for DNA, and the curve is drawn.
 */
function checkPaneAgainstFile(pane, records) {
  const step = stepOf(pane);
  if (!records.some((r) => r.step === step))
    throw new Error(`the pane shows step ${step}, metrics.jsonl has steps ${records.map((r) => r.step).join(',')}`);
  const upTo = records.filter((r) => r.step <= step);
  for (const [key, dots] of [
    ['trainBits', pane.train],
    ['valBits', pane.val],
  ]) {
    const want = upTo
      .filter((r) => r[key] !== undefined)
      .map((r) => `${r.step}:${r[key]}`)
      .join(' ');
    const got = dots.map((d) => `${d.step}:${d.bits}`).join(' ');
    if (want !== got) throw new Error(`${key} dots ${got} differ from metrics.jsonl ${want}`);
    const last = upTo.filter((r) => r[key] !== undefined).pop();
    const [shown, at] = key === 'trainBits' ? [pane.trainBits, pane.trainStep] : [pane.valBits, pane.valStep];
    if (!last) continue;
    if (shown !== last[key].toFixed(4) || at !== `at step ${last.step.toLocaleString('en-US')}`)
      throw new Error(`${key}: the pane says ${shown} ${at}, metrics.jsonl ${last[key]} at step ${last.step}`);
    if (!(Number(shown) >= SANE_BITS[0] && Number(shown) <= SANE_BITS[1]))
      throw new Error(`${key} ${shown} bits/token is outside ${SANE_BITS.join('–')}`);
  }
  if (
    pane.train.length >= 2 &&
    !(pane.trainVertices === pane.train.length && pane.trainBox?.width > 50 && pane.trainBox?.height > 5)
  ) {
    throw new Error(
      `the training curve is not drawn: ${pane.trainVertices} vertices for ${pane.train.length} dots, box ${JSON.stringify(pane.trainBox)}`,
    );
  }
  return step;
}

/** The Runs view's row for `name`: its label and description ("cancelled · step 31 · …"). */
async function runsViewRow(page, name) {
  const row = page.locator('.pane-body .monaco-list-row', { hasText: name }).first();
  const text = await row.innerText({ timeout: 1000 }).catch(() => '');
  return text ? { row, text: text.replace(/\s+/g, ' ') } : undefined;
}

/** Shows the Mamba SeqLab side bar with its Runs view (a click on an already shown container would hide it). */
async function showRunsView(page) {
  const header = page.locator('.sidebar .pane-header', { hasText: 'Runs' }).first();
  if (!(await header.isVisible())) await page.locator('.activitybar [aria-label^="Mamba SeqLab"]').first().click();
  await header.waitFor({ timeout: 10_000 });
}

/** Relative brightness (0–1) of a CSS colour given as #rrggbb or rgb(r, g, b). */
function luminance(css) {
  const hex = /^#([\da-f]{2})([\da-f]{2})([\da-f]{2})/i.exec(css);
  const [r, g, b] = hex
    ? hex.slice(1).map((h) => parseInt(h, 16))
    : (css.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

async function main() {
  packageExtension();
  const ws = join(work, 'ws');
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(ws, 'notes.md'), '# Training notes\n\nThe run trains while this editor is in front.\n');
  const { page, close } = await openVsCode({
    serverDir: join(work, 'server'),
    ws,
    logName: 'e2e-train-server.log',
    settings: {},
  });
  const outcomes = [];
  const stage = async (name, body) => {
    const t0 = Date.now();
    try {
      const said = await body();
      console.log(`  ${name}: ${said}`);
      outcomes.push({ name, ok: true, ms: Date.now() - t0 });
    } catch (e) {
      await page
        .screenshot({ path: join(artifacts, `e2e-train-fail-${outcomes.length + 1}.png`) })
        .catch(() => undefined);
      outcomes.push({ name, ok: false, ms: Date.now() - t0, error: briefly(e) });
      throw e;
    }
  };
  let name, runDir, cancelledAt;
  try {
    await stage('Mamba: Train Model… from the command palette: lambda, tiny, 60 steps, cpu', async () => {
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes.md' })
        .first()
        .waitFor({ timeout: 60_000 });
      await showRunsView(page);
      await page
        .locator('.sidebar .welcome-view-content', { hasText: 'No training runs in this workspace yet.' })
        .waitFor({ timeout: 20_000 });
      await page.locator('.activitybar [aria-label^="Explorer"]').first().click();
      await runCommand(page, 'Mamba: Train Model…');
      await answer(page, 'Train Model: data', { text: 'Files', pick: 'Files…' });
      await pickFileInOpenDialog(page, ws, LAMBDA_GZ);
      await answer(page, 'Train Model: start from', { text: 'From scratch', pick: 'From scratch' });
      await answer(page, 'Train Model: model size', { text: 'tiny', pick: 'tiny' });
      await answer(page, 'Train Model: budget', { text: 'custom', pick: 'custom…' });
      await answer(page, 'Train Model: budget', { prompt: 'N steps, or M min', text: `${STEPS} steps` });
      await answer(page, 'Train Model: backend', { text: 'cpu', pick: 'cpu' });
      const range = await answer(page, 'Train Model: range', { prompt: 'START%-END%' });
      name = await answer(page, 'Train Model: run name', {});
      if (range !== '0%-100%' || !/^lambda_virus-tiny-\d{12}$/.test(name))
        throw new Error(`suggested range ${range}, name ${name}`);
      runDir = join(ws, '.seqlab', 'runs', name);
      const spec = await until(
        () => {
          try {
            return JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
          } catch {
            return undefined;
          }
        },
        `no ${runDir}/run.json`,
        15_000,
      );
      if (spec.data[0] !== LAMBDA_GZ || spec.preset !== 'tiny' || spec.budget.steps !== STEPS || spec.backend !== 'cpu')
        throw new Error(`run.json: ${JSON.stringify(spec)}`);
      return `run ${name}`;
    });

    await stage('the live pane: step advances, figures equal metrics.jsonl, the curve has dots', async () => {
      const first = await until(
        async () => {
          const p = await readPane(page);
          return stepOf(p) >= 10 && p.val.length > 0 && p;
        },
        'the pane showed no step 10',
        120_000,
      );
      if (first.title !== `Training ${name}` || first.phase !== 'running')
        throw new Error(`pane title "${first.title}", phase "${first.phase}"`);
      checkPaneAgainstFile(first, readMetrics(runDir));
      const later = await until(
        async () => {
          const p = await readPane(page);
          return stepOf(p) > stepOf(first) && p;
        },
        `the pane stayed at step ${stepOf(first)}`,
        60_000,
      );
      const step = checkPaneAgainstFile(later, readMetrics(runDir));
      await page.screenshot({ path: join(artifacts, 'e2e-train-pane.png') });
      return `step ${stepOf(first)} then ${step}; ${later.progress}; training ${later.trainBits} ${later.trainStep}, validation ${later.valBits} ${later.valStep}; ${later.train.length} training dots`;
    });

    await stage('the run goes on while its pane is hidden; the Runs view follows its step', async () => {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes.md' }).first().click();
      await page.locator('.tabs-container .tab.active', { hasText: 'notes.md' }).waitFor({ timeout: 10_000 });
      if (await page.locator('.tabs-container .tab.active', { hasText: 'Training' }).count())
        throw new Error('the training tab is still in front');
      const hiddenAt = stepOf(await readPane(page));
      const hidden = await until(
        async () => {
          const p = await readPane(page);
          return stepOf(p) >= hiddenAt + 10 && p;
        },
        `the hidden pane stayed at step ${hiddenAt}`,
        60_000,
      );
      checkPaneAgainstFile(hidden, readMetrics(runDir));
      await showRunsView(page);
      const row = await until(
        async () => {
          const m = /running · step (\d+)/.exec((await runsViewRow(page, name))?.text ?? '');
          return m && Number(m[1]) > hiddenAt && Number(m[1]);
        },
        `the Runs view did not show the run running past step ${hiddenAt}`,
        20_000,
      );
      if (!readMetrics(runDir).some((r) => r.step === row))
        throw new Error(`the Runs view says step ${row}, not in metrics.jsonl`);
      await page
        .locator('.tabs-container .tab', { hasText: `Training: ${name}` })
        .first()
        .click();
      const shown = await until(
        async () => {
          const p = await readPane(page);
          return stepOf(p) >= stepOf(hidden) && p;
        },
        'the pane came back behind',
        10_000,
      );
      checkPaneAgainstFile(shown, readMetrics(runDir));
      return `hidden at step ${hiddenAt}; the hidden pane reached ${stepOf(hidden)}; the Runs view said running · step ${row}; shown again at step ${stepOf(shown)}`;
    });

    await stage('Cancel in the progress notification; the Runs view says cancelled', async () => {
      const toast = page.locator('.notification-toast', { hasText: `Training ${name}` }).first();
      await toast.hover();
      await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
      const status = await until(
        () => {
          try {
            const s = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8'));
            return s.state === 'cancelled' && s;
          } catch {
            return undefined;
          }
        },
        'status.json did not say cancelled',
        30_000,
      );
      cancelledAt = status.step;
      if (!(cancelledAt > 10 && cancelledAt < STEPS)) throw new Error(`cancelled at step ${cancelledAt}`);
      await page
        .locator('.notification-toast', { hasText: `Training ${name}: cancelled at step ${cancelledAt}` })
        .waitFor({ timeout: 15_000 });
      await showRunsView(page);
      const row = await until(() => runsViewRow(page, name), 'no run in the Runs view', 20_000);
      const want = `cancelled · step ${cancelledAt}`;
      await until(
        async () => (await runsViewRow(page, name))?.text.includes(want),
        `the Runs view row says "${row.text}", not "${want}"`,
        10_000,
      );
      const pane = await until(
        async () => {
          const p = await readPane(page);
          return p?.phase === `cancelled at step ${cancelledAt}` && p;
        },
        `the pane did not say cancelled at step ${cancelledAt}`,
        10_000,
      );
      await page.screenshot({ path: join(artifacts, 'e2e-train-runs-view.png') });
      return `${(await runsViewRow(page, name)).text}; the pane says ${pane.phase} at ${pane.progress}`;
    });

    await stage('Resume from the Runs view continues the same curve to the budget', async () => {
      const before = readMetrics(runDir);
      const { row } = await runsViewRow(page, name);
      await row.hover();
      await row.locator('.action-label[aria-label="Resume Training"]').click();
      const resumed = await until(
        async () => {
          const p = await readPane(page);
          return p?.phase === 'running' && stepOf(p) > cancelledAt && p;
        },
        'the pane showed no step after the cancelled one',
        60_000,
      );
      const done = await until(
        async () => {
          const p = await readPane(page);
          return p?.phase === `finished at step ${STEPS}` && p;
        },
        'the resumed run did not finish',
        120_000,
      );
      const after = readMetrics(runDir);
      const kept = after.filter((r) => r.step <= cancelledAt),
        fresh = after.filter((r) => r.step > cancelledAt);
      if (JSON.stringify(kept) !== JSON.stringify(before.filter((r) => r.step <= cancelledAt)))
        throw new Error('the records up to the cancel changed');
      const steps = after.map((r) => r.step);
      if (steps.some((s, i) => i > 0 && s <= steps[i - 1]) || steps[steps.length - 1] !== STEPS)
        throw new Error(`metrics.jsonl steps ${steps.join(',')}`);
      if (!(fresh.length > 0 && fresh[0].step <= cancelledAt + 10))
        throw new Error(`after the cancel at ${cancelledAt} the next record is at step ${fresh[0]?.step}`);
      if (stepOf(done) !== STEPS) throw new Error(`the finished pane says ${done.progress}`);
      checkPaneAgainstFile(done, after);
      const finalVal = after[after.length - 1].valBits;
      await until(
        async () =>
          (await runsViewRow(page, name))?.text.includes(`finished · step ${STEPS} · val ${finalVal.toFixed(3)} bits`),
        'the Runs view did not show the finished run',
        15_000,
      );
      return `resumed at ${stepOf(resumed)} after the cancel at ${cancelledAt}; steps ${steps.join(',')}; final validation ${done.valBits} bits/token, training ${done.trainBits}`;
    });

    await stage('the pane follows the theme: light, dark, high contrast', async () => {
      const light = await readPane(page);
      await switchTheme(page, 'Dark Modern');
      const dark = await until(
        async () => {
          const p = await readPane(page);
          return luminance(p.colours.background) < 0.3 && p;
        },
        'the pane stayed light',
        15_000,
      );
      await page.screenshot({ path: join(artifacts, 'e2e-train-finished-dark.png') });
      await switchTheme(page, 'Dark High Contrast');
      const contrast = await until(
        async () => {
          const p = await readPane(page);
          return p.colours.contrastBorder && p;
        },
        'the pane got no high-contrast colours',
        15_000,
      );
      await page.screenshot({ path: join(artifacts, 'e2e-train-finished-hc.png') });
      for (const [theme, p] of [
        ['light', light],
        ['dark', dark],
        ['high contrast', contrast],
      ]) {
        const c = p.colours,
          bg = luminance(c.background);
        if (!(Math.abs(luminance(c.label) - bg) > 0.3))
          throw new Error(`${theme}: axis labels ${c.label} on ${c.background}`);
        for (const series of ['train', 'val']) {
          if (!/^(rgb|color)\(/.test(c[series]) || /[,/]\s*0?\.\d+\)$/.test(c[series]))
            throw new Error(`${theme}: the ${series} curve is drawn in ${c[series] || 'nothing'}`);
        }
        if (c.train === c.val) throw new Error(`${theme}: training and validation share the colour ${c.train}`);
      }
      if (!(luminance(light.colours.background) > 0.7))
        throw new Error(`the light theme's background is ${light.colours.background}`);
      return ['light', 'dark', 'contrast']
        .map((k, i) => `${k} ${JSON.stringify([light, dark, contrast][i].colours)}`)
        .join('; ');
    });
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
