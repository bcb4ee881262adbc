// The UI test: packages the extension (vsce), installs the .vsix into code-server, and drives it
// with playwright-core in Debian's chromium like a user: right-click a file in the Explorer, pick
// "Mamba: Analyze Sequence File", wait for the notebook output, read its numbers inside the
// renderer's webview and take a screenshot. Cases: the lambda phage genome, a spoken WAV scored by a
// random audio model, a FASTA whose header is an HTML tag (it must show as text; no dialog may
// open), Export BED from the lambda pane through VS Code's save dialog, lambda again: the first
// picture with the notebook already open, then Stop Execution, and Generate from a picked position
// (a DNA record, and audio from a point of the waveform); then the notebook is saved, closed and
// reopened from the Explorer: the stored outputs are drawn again without running anything.
// Screenshots go to .seqlab-test/artifacts/ (printed). Prints `N passed, N failed`.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { artifacts, LAMBDA_GZ, must, root } from '../vscode/harness.mjs';
import { openVsCode, packageExtension, report } from './code-server.mjs';
import { analyzeFromExplorer, findOutput, finishedOutput, showNewestOutput } from './notebook-ui.mjs';

const work = join(root, '.seqlab-test', 'e2e');
const XSS = '<img src=x onerror=alert(1)>';

function prepareWorkspace(ws) {
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(join(ws, 'models'), { recursive: true });
  writeFileSync(join(ws, 'lambda_virus.fa'), gunzipSync(readFileSync(LAMBDA_GZ)));
  must('espeak-ng', ['-w', join(ws, 'speech.wav'), 'Mamba reads one two three four five']);
  cpSync(join(root, 'test', 'fixtures', 'hf-mamba-dna'), join(ws, 'models', 'hf-mamba-dna'), { recursive: true });
  must(
    process.execPath,
    [join(root, 'out', 'test', 'support', 'random-audio-model.js'), join(ws, 'models', 'random-audio')],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(join(ws, 'xss.fa'), `>${XSS}\nACGTACGTNNNNacgtacgtGGCC\n`);
}

/**
 * Export BED from the lambda pane (the newest output, on screen): the renderer builds the file, the host
 * asks where (VS Code's save dialog; Enter takes the suggested path in the workspace) and writes it.
 */
async function exportBed(page, ws) {
  try {
    const found = await findOutput(page, 'lambda_virus.fa', /^engine: /m);
    if (!found) throw new Error('the lambda output is gone');
    const pane = found.frame.locator('.seqlab-output', { hasText: 'file: lambda_virus.fa' }).last();
    await pane.locator('vscode-button', { hasText: 'Export BED' }).click();
    const pathBox = page.locator('.quick-input-widget input');
    await pathBox.waitFor({ timeout: 15_000 });
    // The dialog fills in the folder first, then the suggested name.
    let target = '';
    for (let i = 0; i < 100 && !target.endsWith('.bed'); i++) {
      target = await pathBox.inputValue();
      await page.waitForTimeout(100);
    }
    if (!target.startsWith(`${ws}/`) || !target.endsWith('.high-surprisal.bed'))
      throw new Error(`the save dialog suggests ${target}`);
    await page.keyboard.press('Enter');
    const bedPath = join(ws, target.split('/').pop());
    for (let i = 0; !existsSync(bedPath); i++) {
      if (i > 150) throw new Error(`${bedPath} was not written within 15 s`);
      await page.waitForTimeout(100);
    }
    await page.waitForTimeout(300);
    const lines = readFileSync(bedPath, 'utf8').trim().split('\n');
    for (const l of lines) {
      const [chrom, start, end, name, score, strand] = l.split('\t');
      if (!(
        chrom === 'gi|9626243|ref|NC_001416.1|' &&
        Number(start) >= 0 &&
        Number(start) < Number(end) &&
        Number(end) <= 48502 &&
        /^high_surprisal_\d+$/.test(name) &&
        Number(score) >= 0 &&
        strand === '.'
      )) {
        throw new Error(`bad BED line: ${JSON.stringify(l)}`);
      }
    }
    let status = '';
    for (let i = 0; i < 50 && !status.includes('saved'); i++) {
      status = await pane.innerText();
      await page.waitForTimeout(100);
    }
    if (!/saved \S+\.high-surprisal\.bed/.test(status)) throw new Error('the pane did not say where it saved the file');
    console.log(
      `  Export BED: ${lines.length} high-surprisal regions saved as ${bedPath.slice(ws.length + 1)}; first: ${lines[0]}`,
    );
    return true;
  } catch (e) {
    await page.screenshot({ path: join(artifacts, 'e2e-export-bed-fail.png') }).catch(() => undefined);
    await page.keyboard.press('Escape'); // a dialog left open would take the next clicks
    return e.message.split('\n').slice(0, 4).join(' ');
  }
}

/**
 * Generate from a point clicked on the speech waveform (the newest output, on screen): a generate cell
 * is added below and run; its output plays the continuation decoded from mu-law and saves it as WAV.
 */
async function generateAudio(page) {
  try {
    const found = await findOutput(page, 'speech.wav', /^engine: /m);
    if (!found) throw new Error('the speech output is gone');
    const pane = found.frame.locator('.seqlab-output', { hasText: 'file: speech.wav' }).last();
    const box = await pane.locator('.seqlab-wav-wave').boundingBox();
    if (!box) throw new Error('the waveform is not on screen');
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.3);
    const button = pane.locator('vscode-button', { hasText: /Generate from \d[\d,]*/ });
    await button.waitFor({ timeout: 10_000 });
    await button.click();
    let out;
    for (
      let i = 0;
      !(out = await findOutput(page, 'speech.wav', /^generated 8,000 samples after position [\d,]+ of record 1/m)) ||
      !/^engine: /m.test(out.text);
      i++
    ) {
      if (i > 900) throw new Error('no generated audio within 90 s of Generate');
      await page.waitForTimeout(100);
    }
    if (!out.text.includes('Save as WAV') || !out.text.includes('Play / pause'))
      throw new Error(`no player or Save as WAV in: ${out.text.slice(0, 300)}`);
    await showNewestOutput(page);
    await page.screenshot({ path: join(artifacts, 'e2e-generate-audio.png') });
    console.log(`  Generate audio: ${out.text.replace(/\s+/g, ' ').slice(0, 300)}`);
    return true;
  } catch (e) {
    await page.screenshot({ path: join(artifacts, 'e2e-generate-audio-fail.png') }).catch(() => undefined);
    return e.message.split('\n').slice(0, 4).join(' ');
  }
}

async function main() {
  packageExtension(); // before the workspace: out/ holds the audio model writer
  const ws = join(work, 'ws');
  prepareWorkspace(ws);
  const { page, dialogs, close } = await openVsCode({
    serverDir: join(work, 'server'),
    ws,
    logName: 'e2e-server.log',
    settings: {
      'seqlab.defaultDnaModel': join(ws, 'models', 'hf-mamba-dna'),
      'seqlab.defaultAudioModel': join(ws, 'models', 'random-audio'),
      // The CPU worker: SwiftShader's WebGPU (a software fallback adapter) scores about 10x slower here; the integration tier runs WebGPU.
      'seqlab.backend': 'cpu',
    },
  });
  const outcomes = [];
  try {
    const cases = [
      {
        name: 'lambda_virus.fa',
        file: 'lambda_virus.fa',
        check: async (t, frame) => {
          const row =
            /gi\|9626243\|ref\|NC_001416\.1\|\s+Enterobacteria phage lambda, complete genome\s+1–48,502\s+48,502\s+49\.86 %\s+0\s+0\s+(\d+\.\d{4})\s/.exec(
              t,
            );
          if (!row) return `no lambda record row with length 48,502, GC 49.86 % and bits/base in: ${t.slice(0, 400)}`;
          const bits = Number(row[1]);
          if (!(bits > 0 && bits < 16)) return `bits/base ${bits} out of range`;
          if (!/^engine: cpu on cpu/m.test(t) || !t.includes('model is untrained: numbers are not meaningful'))
            return `engine line or untrained note missing: ${t.slice(0, 400)}`;
          // Hover the surprisal row of the track: the tooltip gives the positions under the pointer and their numbers.
          const canvas = frame
            .locator('.seqlab-output', { hasText: 'file: lambda_virus.fa' })
            .locator('.seqlab-dna-track canvas')
            .last();
          const box = await canvas.boundingBox();
          if (!box) return 'the track canvas is not on screen';
          await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
          const tip = frame
            .locator('.seqlab-output', { hasText: 'file: lambda_virus.fa' })
            .locator('.seqlab-tooltip')
            .last();
          let tipText = '';
          for (let i = 0; i < 30 && !/surprisal: mean/.test(tipText); i++) {
            tipText = await tip.innerText().catch(() => '');
            await page.waitForTimeout(100);
          }
          const hover = /positions ([\d,]+)–([\d,]+)[^\n]*\n\s*surprisal: mean (\d+\.\d+) bits/.exec(tipText);
          if (!hover) return `no surprisal numbers in the hover tooltip: ${JSON.stringify(tipText)}`;
          const [from, to] = [Number(hover[1].replace(/,/g, '')), Number(hover[2].replace(/,/g, ''))];
          if (!(from >= 1 && from <= to && to <= 48502 && Number(hover[3]) > 0))
            return `hover numbers out of range: ${tipText}`;
          console.log(`  lambda hover: ${tipText.replace(/\s+/g, ' ')}`);
          return true;
        },
      },
      {
        name: 'speech.wav',
        file: 'speech.wav',
        check: async (t, frame) => {
          const bits = /bits\/sample\s+(\d+\.\d{4})/.exec(t);
          if (!bits || !(Number(bits[1]) > 0 && Number(bits[1]) < 16))
            return `no bits/sample number in: ${t.slice(0, 400)}`;
          for (const want of [
            'sample rate\t22050 Hz, 1 channel(s), 16-bit',
            'model rate\t16000 Hz',
            'model: random-audio',
            "resampled from 22050 Hz to the model's 16000 Hz",
          ]) {
            if (!t.includes(want)) return `"${want}" missing in: ${t.slice(0, 400)}`;
          }
          // wavesurfer draws into canvases inside shadow roots once it has decoded the audio: wait for ink.
          const inked = () =>
            frame.evaluate(() => {
              const canvases = (root) => [
                ...root.querySelectorAll('canvas'),
                ...[...root.querySelectorAll('*')].flatMap((e) => (e.shadowRoot ? canvases(e.shadowRoot) : [])),
              ];
              const out = [...document.querySelectorAll('.seqlab-output')].find((o) =>
                o.innerText.includes('file: speech.wav'),
              );
              let n = 0;
              for (const c of out ? canvases(out) : []) {
                const ctx = c.getContext('2d');
                if (!ctx || !c.width || !c.height) continue;
                const px = ctx.getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
              }
              return n;
            });
          let drawn = 0;
          for (let i = 0; i < 50 && drawn <= 1000; i++) {
            drawn = await inked();
            if (drawn <= 1000) await frame.waitForTimeout(200);
          }
          return drawn > 1000 || `the waveform drew only ${drawn} pixels in 10 s`;
        },
      },
      {
        name: 'HTML header shown as text',
        file: 'xss.fa',
        check: async (t, frame) => {
          if (!/<img\s+src=x onerror=alert\(1\)>/.test(t)) return `header not shown literally: ${t.slice(0, 300)}`;
          const injected = await frame.evaluate(() => document.querySelectorAll('img').length);
          if (injected) return `${injected} <img> elements in the renderer`;
          return dialogs.length === 0 || `a dialog opened: ${dialogs.join(', ')}`;
        },
      },
    ];
    for (const c of cases) {
      const t0 = Date.now();
      try {
        const clicked = await analyzeFromExplorer(page, c.file);
        const { frame, text, firstPictureMs } = await finishedOutput(page, c.file, clicked);
        await showNewestOutput(page);
        const verdict = await c.check(text, frame);
        await page.screenshot({ path: join(artifacts, `e2e-${c.file}.png`) });
        if (verdict !== true) throw new Error(verdict);
        console.log(
          `  ${c.name}: first picture ${firstPictureMs} ms after the menu click; ${text.replace(/\s+/g, ' ').slice(0, 400)}`,
        );
        outcomes.push({ name: c.name, ok: true, ms: Date.now() - t0 });
        if (c.file === 'lambda_virus.fa') {
          const tExport = Date.now(),
            exported = await exportBed(page, ws);
          outcomes.push({
            name: 'Export BED from the lambda pane',
            ok: exported === true,
            ms: Date.now() - tExport,
            error: exported === true ? undefined : exported,
          });
        }
        if (c.file === 'speech.wav') {
          const tGen = Date.now(),
            generated = await generateAudio(page);
          outcomes.push({
            name: 'Generate from a point of the waveform continues the audio',
            ok: generated === true,
            ms: Date.now() - tGen,
            error: generated === true ? undefined : generated,
          });
        }
      } catch (e) {
        await page.screenshot({ path: join(artifacts, `e2e-${c.file}-fail.png`) }).catch(() => undefined);
        outcomes.push({
          name: c.name,
          ok: false,
          ms: Date.now() - t0,
          error: e.message.split('\n').slice(0, 4).join(' '),
        });
      }
    }
    // Again on lambda, with the notebook and its renderer already open: the first picture, progress, then Stop.
    const t0 = Date.now();
    try {
      const clicked = await analyzeFromExplorer(page, 'lambda_virus.fa');
      let firstPictureMs;
      while (firstPictureMs === undefined) {
        const out = await findOutput(page, 'lambda_virus.fa', /scoring…/);
        if (out) firstPictureMs = Date.now() - clicked;
        else if (Date.now() - clicked > 60_000) throw new Error('no picture of the second lambda analysis within 60 s');
        else await page.waitForTimeout(100);
      }
      // Stop once scoring has made progress, so the note has a percentage to keep.
      for (let i = 0; !(await findOutput(page, 'lambda_virus.fa', /scoring… \d+%/)); i++) {
        if (i > 600) throw new Error('the second lambda analysis showed no scoring progress within 60 s');
        await page.waitForTimeout(100);
      }
      await page
        .getByRole('button', { name: /^Stop Execution/ })
        .first()
        .click();
      // The picture so far stays, with a note that the run was cancelled.
      for (let i = 0; !(await findOutput(page, 'lambda_virus.fa', /^cancelled after scoring \d+%/m)); i++) {
        if (i > 300)
          throw new Error('the output did not say "cancelled after scoring N%" within 30 s of Stop Execution');
        await page.waitForTimeout(100);
      }
      await showNewestOutput(page);
      await page.screenshot({ path: join(artifacts, 'e2e-lambda-cancelled.png') });
      console.log(
        `  second lambda analysis: first picture ${firstPictureMs} ms after the menu click; Stop Execution -> the picture so far, noted as cancelled`,
      );
      outcomes.push({ name: 'second lambda analysis: first picture, then cancelled', ok: true, ms: Date.now() - t0 });
    } catch (e) {
      await page.screenshot({ path: join(artifacts, 'e2e-lambda-cancelled-fail.png') }).catch(() => undefined);
      outcomes.push({
        name: 'second lambda analysis: first picture, then cancelled',
        ok: false,
        ms: Date.now() - t0,
        error: e.message.split('\n').slice(0, 4).join(' '),
      });
    }
    // Generate from a picked position of the (stopped) lambda pane: a generate cell is added below and run.
    const tGen = Date.now();
    try {
      await showNewestOutput(page);
      const found = await findOutput(page, 'lambda_virus.fa', /^cancelled/m);
      if (!found) throw new Error('the stopped lambda output is gone');
      const pane = found.frame.locator('.seqlab-output', { hasText: 'cancelled' }).last();
      const box = await pane.locator('.seqlab-dna-track canvas').boundingBox();
      if (!box) throw new Error('the track canvas is not on screen');
      await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.4);
      const generateButton = pane.locator('vscode-button', { hasText: /Generate from \d[\d,]*/ });
      await generateButton.waitFor({ timeout: 10_000 });
      const from = Number((await generateButton.innerText()).replace(/\D/g, ''));
      await generateButton.click();
      let out;
      for (
        let i = 0;
        !(out = await findOutput(
          page,
          'lambda_virus.fa',
          /^generated [\d,]+ bases (?:\(500 requested\) )?after position [\d,]+ of record 1/m,
        )) || !/^engine: /m.test(out.text);
        i++
      ) {
        if (i > 600) throw new Error('no generated record within 60 s of Generate');
        await page.waitForTimeout(100);
      }
      const at = Number(/after position ([\d,]+)/.exec(out.text)[1].replace(/,/g, ''));
      if (at !== from) throw new Error(`generated after ${at}, the button said ${from}`);
      if (!out.text.includes('Save as FASTA')) throw new Error(`no Save as FASTA in: ${out.text.slice(0, 300)}`);
      await showNewestOutput(page);
      await page.screenshot({ path: join(artifacts, 'e2e-generate.png') });
      console.log(`  Generate from ${from}: ${out.text.replace(/\s+/g, ' ').slice(0, 300)}`);
      outcomes.push({
        name: 'Generate from a picked position adds and runs a generate cell',
        ok: true,
        ms: Date.now() - tGen,
      });
    } catch (e) {
      await page.screenshot({ path: join(artifacts, 'e2e-generate-fail.png') }).catch(() => undefined);
      outcomes.push({
        name: 'Generate from a picked position adds and runs a generate cell',
        ok: false,
        ms: Date.now() - tGen,
        error: e.message.split('\n').slice(0, 4).join(' '),
      });
    }
    // Save the lab notebook (File: Save; the save dialog gets a path in the workspace), close every
    // editor, reopen the file from the Explorer: the outputs come back from the file, nothing runs.
    const tSave = Date.now();
    try {
      // Ctrl+S with the focus in a cell's spec (not in an output's webview).
      await page.locator('.notebook-editor .cell-editor-container').last().click();
      await page.keyboard.press('Control+S');
      const pathBox = page.locator('.quick-input-widget input:visible');
      await pathBox.waitFor({ timeout: 15_000 });
      // The dialog fills in the folder first, then the suggested name: take it (Enter).
      let target = '';
      for (let i = 0; i < 100 && !target.endsWith('.seqlab'); i++) {
        target = await pathBox.inputValue();
        await page.waitForTimeout(100);
      }
      if (!target.startsWith(`${ws}/`) || !target.endsWith('.seqlab'))
        throw new Error(`the save dialog suggests ${target}`);
      await page.keyboard.press('Enter');
      const saved = target,
        savedName = target.split('/').pop();
      let stored;
      for (let i = 0; !stored; i++) {
        try {
          stored = JSON.parse(readFileSync(saved, 'utf8'));
        } catch {
          /* not there or still being written */
        }
        if (!stored && i > 150) throw new Error(`${saved} was not written within 15 s`);
        await page.waitForTimeout(100);
      }
      await page.locator('.tabs-container .tab.active').first().click({ button: 'middle' }); // a middle click closes a tab
      await page.waitForTimeout(1000);
      if (await findOutput(page, 'lambda_virus.fa'))
        throw new Error('an output is still on screen after closing all editors');
      const t0 = Date.now();
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: savedName }).first().dblclick();
      for (let i = 0; !(await findOutput(page, 'speech.wav', /^engine: /m)); i++) {
        if (i > 300) throw new Error('the reopened notebook showed no stored speech output within 30 s');
        await page.waitForTimeout(100);
      }
      const reopenMs = Date.now() - t0;
      if (await page.locator('.notebook-editor .codicon-notebook-state-executing').count())
        throw new Error('a cell is running in the reopened notebook');
      await showNewestOutput(page);
      await page.screenshot({ path: join(artifacts, 'e2e-reopened.png') });
      console.log(
        `  saved ${savedName} (${stored.cells?.length} cells, ${Math.round(readFileSync(saved).length / 1024)} KB); reopened: stored outputs drawn ${reopenMs} ms after the double-click`,
      );
      outcomes.push({
        name: 'the saved lab notebook reopens with its outputs, nothing recomputed',
        ok: true,
        ms: Date.now() - tSave,
      });
    } catch (e) {
      await page.screenshot({ path: join(artifacts, 'e2e-reopened-fail.png') }).catch(() => undefined);
      outcomes.push({
        name: 'the saved lab notebook reopens with its outputs, nothing recomputed',
        ok: false,
        ms: Date.now() - tSave,
        error: e.message.split('\n').slice(0, 4).join(' '),
      });
    }
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
