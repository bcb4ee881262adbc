// Driving the workbench like a user: "Mamba: Analyze Sequence File" from a file's Explorer context
// menu, a command from the palette, a colour theme, and the result panes inside the notebook
// renderer's webview (found by their `file:` line).

const COMMAND = 'Mamba: Analyze Sequence File';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 200 ms until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function until(probe, what, timeoutMs) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/**
 * Runs a command by its title from the command palette (F1), retrying until the extension has registered it.
 * Clicks the row titled exactly so (Enter takes the best fuzzy match, which may be another command).
 */
export async function runCommand(page, title) {
  const quick = page.locator('.quick-input-widget');
  const rows = quick.locator('.monaco-list-row');
  for (let i = 0; ; i++) {
    await page.keyboard.press('F1');
    await quick.locator('input').fill(`>${title}`);
    const at = await until(
      async () => {
        const i = (await rows.allInnerTexts()).findIndex((t) => t.split('\n')[0] === title);
        return i >= 0 && i + 1;
      },
      '',
      2000,
    ).catch(() => 0);
    if (at) {
      await rows.nth(at - 1).click();
      return;
    }
    if (i > 40) throw new Error(`"${title}" never appeared in the command palette`);
    await page.keyboard.press('Escape');
    await sleep(1000);
  }
}

/** Picks a colour theme by its name in "Preferences: Color Theme". */
export async function switchTheme(page, theme) {
  await runCommand(page, 'Preferences: Color Theme');
  const quick = page.locator('.quick-input-widget');
  await quick.locator('.monaco-list-row', { hasText: 'Solarized Light' }).waitFor({ timeout: 10_000 }); // the theme list is up
  await quick.locator('input').fill(theme);
  await quick.locator('.monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
  await sleep(200);
  await page.keyboard.press('Enter');
}

/** Right-clicks `file` in the Explorer and runs the command (retrying until the extension host has registered it). */
export async function analyzeFromExplorer(page, file) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
  await row.waitFor({ timeout: 60_000 });
  const item = page.locator('.monaco-menu .action-item', { hasText: COMMAND }).first();
  for (let i = 0; ; i++) {
    await row.click({ button: 'right' });
    try {
      await item.waitFor({ timeout: 2000 });
      break;
    } catch {
      if (i > 40) throw new Error(`"${COMMAND}" never appeared in the Explorer context menu of ${file}`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  await page.waitForTimeout(300); // a click while the menu lays out is sometimes lost
  await item.click();
  return Date.now();
}

/** The output pane of `file` in the notebook renderer's webview: its frame, text and when it first appeared. */
export async function findOutput(page, file, having = /(?:)/) {
  for (const frame of page.frames()) {
    const text = await frame
      .evaluate(
        ([f, src, flags]) => {
          const outs = [...document.querySelectorAll('.seqlab-output')].filter(
            (o) => o.innerText.includes(`file: ${f}`) && new RegExp(src, flags).test(o.innerText),
          );
          return outs.length ? outs[outs.length - 1].innerText : '';
        },
        [file, having.source, having.flags],
      )
      .catch(() => '');
    if (text) return { frame, text };
  }
  return undefined;
}

/** Waits for the first picture of `file` (ms since `t0`), then for the finished output (the engine line is there, scoring is over). */
export async function finishedOutput(page, file, t0, timeoutMs = 180_000) {
  let firstPictureMs;
  for (;;) {
    const out = await findOutput(page, file);
    if (out) {
      firstPictureMs ??= Date.now() - t0;
      if (/^engine: /m.test(out.text) && !/scoring…/.test(out.text)) return { ...out, firstPictureMs };
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `no finished output for ${file} within ${timeoutMs} ms${out ? `; last seen: ${out.text.slice(0, 300)}` : ''}`,
      );
    await page.waitForTimeout(200);
  }
}

/** Hides the panel (the engine view keeps running: retainContextWhenHidden) and scrolls the notebook to its end, where the newest output is. */
export async function showNewestOutput(page) {
  const hide = page
    .locator(
      '.part.panel .title .codicon-close, .part.panel .title .codicon-panel-close, .part.panel [aria-label^="Hide Panel"]',
    )
    .first();
  if (await hide.isVisible().catch(() => false)) await hide.click().catch(() => undefined);
  // Wheel over the cells' left gutter: over an output the track view would take the wheel as zoom.
  await page.mouse.move(372, 700);
  for (let i = 0; i < 5; i++) {
    await page.mouse.wheel(0, 3000);
    await page.waitForTimeout(150);
  }
  await page.waitForTimeout(700);
  // The end of a notebook is blank padding: scroll back until the newest output's bottom reaches the
  // bottom of the view or its top leaves room for its cell's spec above it.
  const boxes = [];
  for (const frame of page.frames()) {
    for (const o of await frame
      .locator('.seqlab-output')
      .all()
      .catch(() => [])) {
      const b = await o.boundingBox().catch(() => null);
      if (b) boxes.push(b);
    }
  }
  const newest = boxes.sort((a, b) => a.y + a.height - (b.y + b.height)).pop();
  const viewport = page.viewportSize();
  if (!newest || !viewport) return;
  const up = Math.min(viewport.height - 40 - (newest.y + newest.height), 330 - newest.y);
  if (up > 0) {
    await page.mouse.wheel(0, -up);
    await page.waitForTimeout(700);
  }
}
