// The component harness: computes real outputs (make-harness-data.ts: the lambda genome, an HTML
// header, espeak speech, S. aureus variants and a mutagenesis region), bundles harness-page.mjs (the renderer's mountOutput), serves it, and
// drives headless Debian chromium with playwright-core in the light, dark and high-contrast themes:
// reads the numbers the views show, hovers, zooms, picks, checks that file text stays text, and
// saves screenshots. Prints the artifacts folder and `N passed, N failed`.
// Usage: node test/webview/run.mjs [--reuse-data]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..');
const data = join(root, '.seqlab-test', 'harness');
const artifacts = join(root, '.seqlab-test', 'artifacts', 'webview');
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
mkdirSync(artifacts, { recursive: true });

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`${cmd} ${args.join(' ')} failed\n0 passed, 1 failed`);
    process.exit(1);
  }
}

if (!process.argv.includes('--reuse-data') || !existsSync(join(data, 'mutagenesis.bin'))) {
  step(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
  step(process.execPath, ['out/test/webview/make-harness-data.js', data]);
}
await build({
  entryPoints: [join(import.meta.dirname, 'harness-page.mjs')],
  outfile: join(data, 'harness.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
});
step(process.execPath, ['scripts/build.mjs']); // the engine page and its CPU worker
await build({
  entryPoints: [join(import.meta.dirname, 'engine-page-test.mjs')],
  outfile: join(data, 'engine-test.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
});
writeFileSync(
  join(data, 'engine.html'),
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>SeqLab engine</title></head><body><main id="root"></main><script src="engine-test.js"></script><script src="engine.js"></script></body></html>',
);
{
  // lambda's tokens, as the host sends them
  const require = createRequire(import.meta.url);
  const { IndexedFasta } = require(join(root, 'out/extension/core/datasets/fasta-index.js'));
  const { DnaTokenizer } = require(join(root, 'out/extension/core/datasets/dna-tokenizer.js'));
  const fasta = await IndexedFasta.open('/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz');
  const tokens = DnaTokenizer.default().encode(await fasta.readBases(0, 0, fasta.records.get(0).length));
  await fasta.close();
  writeFileSync(join(data, 'lambda.tokens'), new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength));
}
writeFileSync(
  join(data, 'harness.html'),
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>SeqLab harness</title></head><body><script src="harness.js"></script></body></html>',
);

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
};
const server = createServer((req, res) => {
  const name = new URL(req.url, 'http://x').pathname.slice(1);
  if (name === 'favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  const fixture = /^hf-mamba-dna\/([\w.-]+)$/.exec(name);
  const ort = /^ort\/([\w.-]+)$/.exec(name); // the ONNX worker's .wasm, as the extension ships it
  const path = fixture
    ? join(root, 'test', 'fixtures', 'hf-mamba-dna', fixture[1])
    : ort
      ? join(root, 'dist', 'webview', 'ort', ort[1])
      : ['engine.js', 'cpu-worker.js', 'onnx-worker.js'].includes(name)
        ? join(root, 'dist', 'webview', name)
        : join(data, name);
  if (!(fixture || ort || /^[\w.-]+$/.test(name)) || !existsSync(path)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream' }).end(readFileSync(path));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

let passed = 0,
  failed = 0;
async function check(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** Records (one ALT each) of Sibelia's S. aureus variant.vcf.gz, the harness's variants output. */
const VCF_RECORDS = 109;

/** Pixels of a canvas (inside the page) that differ from its top-left pixel: > 0 means something is drawn. */
const drawnPixels = (sel) =>
  [...document.querySelectorAll(sel)].map((c) => {
    const g = c.getContext('2d'),
      { data } = g.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4)
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) n++;
    return n;
  });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
try {
  // The time to the first picture is printed for the record, not judged: timings belong in bench/.
  await check('the first picture of the lambda genome (fetch, decode, mount, draw)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/harness.html?theme=dark&outputs=lambda`);
    const ms = await page.evaluate(async () => {
      await window.harness.ready;
      return performance.now();
    });
    const drawn = await page.evaluate(drawnPixels, 'canvas');
    console.log(`     lambda drawn ${ms.toFixed(0)} ms after navigation started`);
    await page.close();
    expect(
      drawn.some((n) => n > 0),
      `no canvas has anything drawn (${drawn.length} canvases)`,
    );
  });
  for (const theme of ['light', 'dark', 'hc']) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
    const problems = [];
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    const t0 = Date.now();
    await page.goto(`${base}/harness.html?theme=${theme}&outputs=lambda,generated,tricky,speech,variants,mutagenesis`);
    await page.evaluate(() => window.harness.ready);
    const mountMs = Date.now() - t0;
    const lambda = page.locator('#out-lambda');
    const canvas = lambda.locator('.seqlab-dna-track canvas');

    await check(`[${theme}] lambda: record, length and bits/base in the summary`, async () => {
      const cells = await lambda.locator('.seqlab-records tbody td').allTextContents();
      expect(cells[0] === 'gi|9626243|ref|NC_001416.1|', `record name cell: ${cells[0]}`);
      expect(cells[3] === '48,502', `length cell: ${cells[3]}`);
      const fwd = Number(cells[7]),
        rev = Number(cells[8]);
      expect(fwd > 0 && fwd < 10 && rev > 0 && rev < 10, `bits/base (+) ${cells[7]}, (−) ${cells[8]}`);
      console.log(
        `     lambda bits/base: + ${cells[7]}, − ${cells[8]}; GC ${cells[4]}; mounted in ${mountMs} ms (4 outputs)`,
      );
      expect(
        (await lambda.locator('.seqlab-warning').textContent()) === 'model is untrained: numbers are not meaningful',
        'untrained warning',
      );
    });
    await check(`[${theme}] lambda: every track drawn`, async () => {
      const [pixels] = await page.evaluate(drawnPixels, '#out-lambda canvas');
      expect(pixels > 50000, `only ${pixels} pixels drawn`);
    });
    await check(`[${theme}] lambda: hover shows the positions and values under the pointer`, async () => {
      const box = await canvas.boundingBox();
      await page.mouse.move(box.x + 500, box.y + 80);
      const tip = await lambda.locator('.seqlab-tooltip').textContent();
      expect(/^positions [\d,]+–[\d,]+ \([\d,]+ bases\)/.test(tip), `tooltip: ${tip}`);
      expect(
        /surprisal \(\+\): mean \d+\.\d{3} bits/.test(tip) &&
          /GC: .*%/.test(tip) &&
          /Δ by layer: [\d.]+ [\d.]+/.test(tip),
        `tooltip: ${tip}`,
      );
      await lambda.screenshot({ path: join(artifacts, `lambda-whole-${theme}.png`) });
    });
    await check(`[${theme}] lambda: the wheel zooms in around the pointer`, async () => {
      const box = await canvas.boundingBox();
      const before = await lambda
        .locator('.seqlab-dna-track')
        .evaluate((e) => [Number(e.dataset.windowStart), Number(e.dataset.windowEnd)]);
      await page.mouse.move(box.x + box.width * 0.75, box.y + 100);
      for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -200);
      await page.waitForTimeout(100);
      const after = await lambda
        .locator('.seqlab-dna-track')
        .evaluate((e) => [Number(e.dataset.windowStart), Number(e.dataset.windowEnd)]);
      expect(after[1] - after[0] < (before[1] - before[0]) / 3 && after[0] > before[0], `window ${before} -> ${after}`);
    });
    await check(`[${theme}] lambda: zoomed in, letters and a single position in the tooltip`, async () => {
      await page.evaluate(() => {
        const v = window.harness.outputs.lambda.dna;
        v.show(1000, 1080);
        v.draw();
      });
      const box = await canvas.boundingBox();
      await page.mouse.move(box.x + 96 + (3.5 * (box.width - 96)) / 80, box.y + 30);
      const tip = await lambda.locator('.seqlab-tooltip').textContent();
      expect(
        /^position 1,004 {2}base [ACGT]\n/.test(tip) && /surprisal \(\+\): \d+\.\d{3} bits/.test(tip),
        `tooltip: ${tip}`,
      );
      await lambda.screenshot({ path: join(artifacts, `lambda-letters-${theme}.png`) });
    });
    await check(`[${theme}] lambda: a click picks the position Generate continues from`, async () => {
      const box = await canvas.boundingBox();
      await page.mouse.click(box.x + 96 + (10.5 * (box.width - 96)) / 80, box.y + 100);
      const label = await lambda.locator('.seqlab-toolbar vscode-button', { hasText: 'Generate from' }).textContent();
      expect(label === 'Generate from 1,011', `button: ${label}`);
      await lambda.locator('.seqlab-toolbar vscode-button', { hasText: 'Generate from' }).click();
      const reqs = await page.evaluate(() => window.harness.requests);
      expect(
        reqs.some((r) => r.type === 'generateFrom' && r.position === 1011 && r.record === 0),
        JSON.stringify(reqs),
      );
      expect(
        (await lambda.locator('.seqlab-status').textContent()) === 'asked the host to generate after 1011',
        'status line',
      );
    });
    await check(
      `[${theme}] lambda: exports are built from what the view shows (BED regions, CSV of the visible positions)`,
      async () => {
        await lambda.locator('.seqlab-toolbar vscode-button', { hasText: 'Export BED' }).click();
        await lambda.locator('.seqlab-toolbar vscode-button', { hasText: 'Export CSV' }).click();
        const reqs = await page.evaluate(() => window.harness.requests.filter((r) => r.type === 'export'));
        const bed = reqs.find((r) => r.format === 'bed'),
          csv = reqs.find((r) => r.format === 'csv');
        const bedLines = bed.content.split('\n').filter(Boolean);
        expect(
          bed.suggestedName === 'gi_9626243_ref_NC_001416.1.high-surprisal.bed' && bed.encoding === 'utf8',
          `bed name ${bed.suggestedName}`,
        );
        expect(
          bedLines.length > 0 &&
            bedLines.every((l) => /^gi\|9626243\|ref\|NC_001416\.1\|\t\d+\t\d+\thigh_surprisal_\d+\t\d+\t\.$/.test(l)),
          `bed: ${bedLines.slice(0, 2).join(' / ')}`,
        );
        const csvLines = csv.content.split('\n').filter(Boolean);
        expect(
          csvLines[0] ===
            'record,position,base,surprisal_bits,surprisal_reverse_bits,gc_percent,delta_layer0,delta_layer1',
          `csv head ${csvLines[0]}`,
        );
        expect(
          csvLines.length === 81 && csvLines[1].startsWith('gi|9626243|ref|NC_001416.1|,1001,'),
          `csv: ${csvLines.length} lines, ${csvLines[1]}`,
        );
        console.log(`     exports: ${bedLines.length} BED regions; ${csv.suggestedName}`);
      },
    );
    await check(`[${theme}] a generated continuation shows as a record and saves as FASTA`, async () => {
      const gen = page.locator('#out-generated');
      const text = await gen.locator('.seqlab-summary').textContent();
      expect(
        /generated 166 bases \(300 requested\) after position 1,011 of record 1: temperature 1, top-k all, seed 1/.test(
          text,
        ),
        text,
      );
      await gen.locator('.seqlab-toolbar vscode-button', { hasText: 'Save as FASTA' }).click();
      const fa = (await page.evaluate(() => window.harness.requests)).find((r) => r.format === 'fasta');
      const lines = fa.content.split('\n').filter(Boolean);
      expect(fa.suggestedName === 'gi_9626243_ref_NC_001416.1__continued_from_1011.fa', fa.suggestedName);
      expect(
        lines[0] === '>gi|9626243|ref|NC_001416.1|_continued_from_1011' &&
          lines.slice(1).join('').length <= 300 &&
          /^[ACGTN-]+$/.test(lines.slice(1).join('')) /* specials decode to nothing */,
        lines.slice(0, 2).join(' / '),
      );
      await page.evaluate(() => {
        const v = window.harness.outputs.generated.dna;
        v.show(0, 100);
        v.draw();
      });
      await gen.screenshot({ path: join(artifacts, `generated-${theme}.png`) });
    });
    await check(`[${theme}] a FASTA header that is HTML shows as text`, async () => {
      const tricky = page.locator('#out-tricky');
      const name = await tricky.locator('.seqlab-records tbody td').first().textContent();
      const description = await tricky.locator('.seqlab-records tbody td').nth(1).textContent();
      expect(
        name === '<img' && description === 'src=x onerror=alert(1)> <b>bold</b> & "quotes"',
        `name ${name}, description ${description}`,
      );
      expect((await tricky.locator('img, b').count()) === 0, 'an element was made from the header');
      await page.evaluate(() => {
        const v = window.harness.outputs.tricky.dna;
        v.show(0, 64);
        v.draw();
      });
      await tricky.screenshot({ path: join(artifacts, `tricky-header-${theme}.png`) });
    });
    await check(`[${theme}] WAV: waveform, surprisal strip, spectrogram, regions and bits/sample`, async () => {
      const speech = page.locator('#out-speech');
      const rows = Object.fromEntries(
        await speech
          .locator('.seqlab-audio-summary tbody tr')
          .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent))),
      );
      const bits = Number(rows['bits/sample']);
      expect(bits > 0 && bits < 16, `bits/sample ${rows['bits/sample']}`);
      await page.waitForTimeout(1500); // the spectrogram renders after 'ready'
      const strip = await page.evaluate(drawnPixels, '#out-speech canvas.seqlab-wav-surprisal');
      expect(strip[0] > 2000, `surprisal strip: ${strip[0]} pixels`);
      const all = await speech.evaluate((el) => {
        const out = [];
        (function walk(r) {
          for (const e of r.querySelectorAll('*')) {
            if (e.tagName === 'CANVAS') out.push(e);
            if (e.shadowRoot) walk(e.shadowRoot);
          }
        })(el);
        return out.map((c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
          return n;
        });
      });
      expect(all.filter((n) => n > 1000).length >= 4, `canvases drawn: ${all.join(', ')}`);
      const regions = await page.evaluate(() => window.harness.outputs.speech.wav.regionCount());
      console.log(
        `     speech bits/sample ${rows['bits/sample']}, ${regions} unusual regions, canvases ${all.join(' ')}`,
      );
      await speech.screenshot({ path: join(artifacts, `speech-${theme}.png`) });
    });
    const variants = page.locator('#out-variants');
    const variantRows = variants.locator('.seqlab-variants tbody tr');
    /** The shown rows' cells, one array of texts per row. */
    const variantCells = () =>
      variantRows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    const positions = async () => (await variantCells()).map((r) => Number(r[1].replace(/,/g, '')));
    await check(`[${theme}] variants: a row per ALT of the S. aureus VCF, its LLRs and statuses`, async () => {
      const rows = await variantCells();
      const count = await variants.locator('.seqlab-variants .seqlab-hint').textContent();
      expect(
        rows.length === VCF_RECORDS && count === `${VCF_RECORDS} of ${VCF_RECORDS} rows`,
        `${rows.length} rows, "${count}"`,
      );
      const scored = rows.filter((r) => r[7] === 'scored');
      expect(
        scored.length > 100 && scored.every((r) => r[0] === 'NC_007795' && /^-?\d+\.\d{3}$/.test(r[6])),
        `${scored.length} scored; first ${rows[0].join(' ')}`,
      );
      const llr = scored.map((r) => Number(r[6]));
      expect(
        llr.every((v, i) => i === 0 || v >= llr[i - 1]),
        `not sorted by LLR mean at first: ${llr.slice(0, 6).join(' ')}`,
      );
      const summary = await variants.locator('.seqlab-summary').textContent();
      expect(/NC_007795 -> gi\|88193823\|ref\|NC_007795\.1\| \(accession_version\)/.test(summary), summary);
    });
    await check(`[${theme}] variants: a header click sorts by that column, again the other way`, async () => {
      const pos = variants.locator('.seqlab-variants th[data-column="pos"]');
      await pos.click();
      const up = await positions();
      expect(
        up.length === VCF_RECORDS && up.every((p, i) => i === 0 || p >= up[i - 1]),
        `ascending: ${up.slice(0, 5)}`,
      );
      expect((await pos.getAttribute('aria-sort')) === 'ascending', 'aria-sort');
      await pos.click();
      const down = await positions();
      expect(
        down.every((p, i) => i === 0 || p <= down[i - 1]) && down[0] === up.at(-1),
        `descending: ${down.slice(0, 5)}`,
      );
    });
    await check(`[${theme}] variants: the filter narrows the rows and the count says so`, async () => {
      const filter = variants.locator('.seqlab-filter');
      await filter.fill('33961');
      const rows = await variantCells();
      const count = await variants.locator('.seqlab-variants .seqlab-hint').textContent();
      expect(
        rows.length === 1 && rows[0][1] === '33,961' && count === `1 of ${VCF_RECORDS} rows`,
        `${rows.length} rows, "${count}"`,
      );
      await filter.fill('NC_007795');
      expect((await variantRows.count()) === VCF_RECORDS, 'every row holds the chromosome');
      await filter.fill('');
    });
    await check(`[${theme}] variants: a row click scrolls the track to the variant`, async () => {
      const track = variants.locator('.seqlab-dna-track');
      const row = variantRows.nth(VCF_RECORDS >> 1);
      const pos = Number((await row.locator('td').nth(1).textContent()).replace(/,/g, ''));
      await row.click();
      await page.waitForTimeout(100);
      const [start, end] = await track.evaluate((e) => [Number(e.dataset.windowStart), Number(e.dataset.windowEnd)]);
      expect(start <= pos - 1 && pos - 1 < end && end - start < 200, `POS ${pos}, window [${start}, ${end})`);
      expect(await row.evaluate((tr) => tr.classList.contains('selected')), 'the row is marked selected');
      await variants.screenshot({ path: join(artifacts, `variants-${theme}.png`) });
    });
    await check(
      `[${theme}] mutagenesis: the logo and heatmap drawn, hover shows a position's substitutions`,
      async () => {
        const mutagenesis = page.locator('#out-mutagenesis');
        const [pixels] = await page.evaluate(drawnPixels, '#out-mutagenesis canvas');
        expect(pixels > 20000, `only ${pixels} pixels drawn`);
        await mutagenesis.scrollIntoViewIfNeeded();
        const box = await mutagenesis.locator('canvas').boundingBox();
        await page.mouse.move(box.x + 96 + (box.width - 96) * 0.505, box.y + 100);
        const tip = await mutagenesis.locator('.seqlab-tooltip').textContent();
        expect(
          /^NC_007795:22,18\d {2}reference [ACGT]\n([ACGT]>[ACGT]: LLR -?\d+\.\d{3} bits \(\+ -?\d+\.\d{3}, − -?\d+\.\d{3}\)\n){3}mean cost of a substitution: \d+\.\d{3} bits$/.test(
            tip,
          ),
          `tooltip: ${tip}`,
        );
        await mutagenesis.screenshot({ path: join(artifacts, `mutagenesis-${theme}.png`) });
      },
    );
    await page.screenshot({ path: join(artifacts, `page-${theme}.png`), fullPage: true });
    await check(`[${theme}] no dialogs, page errors or console errors`, async () =>
      expect(problems.length === 0, problems.join('; ')),
    );
    await page.close();
  }
} finally {
  await browser.close();
}

// The engine page: WebGPU (SwiftShader, a fallback adapter, with --enable-unsafe-webgpu), the CPU worker and the ONNX worker.
const { compareClose, TOLERANCE } = createRequire(import.meta.url)(join(root, 'out/test/support/tolerance.js'));
const SCORED = 2048,
  CHUNK = 512; // SwiftShader runs the WebGPU kernels on the CPU: keep this small
for (const webgpuFlag of [true, false]) {
  const gpuBrowser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_FLAGS, ...(webgpuFlag ? ['--enable-unsafe-webgpu'] : [])],
  });
  try {
    const page = await gpuBrowser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${base}/engine.html`);
    const ready = await page.evaluate(() => window.engineTest.ready);
    const tag = webgpuFlag ? '[engine, webgpu flag]' : '[engine, no webgpu]';
    console.log(`     ${tag} ready: ${JSON.stringify(ready.webgpu)}`);
    const cpu = await page.evaluate(([n, c]) => window.engineTest.run('cpu', c, n), [SCORED, CHUNK]);
    await check(`${tag} CPU worker scores lambda in chunks, says why it ran there`, async () => {
      expect(cpu.backend === 'cpu' && cpu.reason === 'cpu: requested', `${cpu.backend}: ${cpu.reason}`);
      expect(
        cpu.surprisal.slice(1).every((v) => v > 0) && Number.isNaN(cpu.surprisal[0] ?? NaN) !== false,
        'positive bits after the first token',
      );
      console.log(
        `     CPU worker: load ${cpu.loadMs.toFixed(0)} ms, first chunk of ${CHUNK} after ${cpu.firstChunkMs.toFixed(0)} ms, ${SCORED} tokens in ${cpu.totalMs.toFixed(0)} ms = ${Math.round((SCORED / cpu.totalMs) * 1000)} tokens/s`,
      );
    });
    const auto = await page.evaluate(([n, c]) => window.engineTest.run('auto', c, n), [SCORED, CHUNK]);
    if (webgpuFlag) {
      await check(`${tag} auto passes the software fallback adapter over for the CPU worker and says why`, async () => {
        expect(
          auto.backend === 'cpu' && /^cpu: the only WebGPU adapter is a software fallback \(/.test(auto.reason),
          `${auto.backend}: ${auto.reason}`,
        );
      });
      const gpu = await page.evaluate(([n, c]) => window.engineTest.run('webgpu', c, n), [SCORED, CHUNK]);
      await check(
        `${tag} webgpu runs on the fallback adapter when asked and agrees with the CPU worker (logits tolerance, WebGPU)`,
        async () => {
          expect(gpu.backend === 'webgpu' && /^webgpu: /.test(gpu.reason), `${gpu.backend}: ${gpu.reason}`);
          const r = compareClose(gpu.surprisal.slice(1), cpu.surprisal.slice(1), TOLERANCE.logitsWebgpu);
          console.log(
            `     WebGPU (${gpu.device}): load ${gpu.loadMs.toFixed(0)} ms, first chunk after ${gpu.firstChunkMs.toFixed(0)} ms, ${SCORED} tokens in ${gpu.totalMs.toFixed(0)} ms = ${Math.round((SCORED / gpu.totalMs) * 1000)} tokens/s; vs CPU max abs err ${r.maxAbs.toExponential(2)}, mean ${r.meanAbs.toExponential(2)}`,
          );
          expect(r.violations === 0, `${r.violations} values out of tolerance, max abs err ${r.maxAbs}`);
        },
      );
    } else {
      await check(`${tag} auto falls back to the CPU worker and says why`, async () => {
        expect(
          auto.backend === 'cpu' && /^cpu: no WebGPU adapter \(/.test(auto.reason),
          `${auto.backend}: ${auto.reason}`,
        );
        expect(
          compareClose(auto.surprisal.slice(1), cpu.surprisal.slice(1), TOLERANCE.logitsCpu).violations === 0,
          'same scores as the CPU run',
        );
      });
    }
    await check(
      `${tag} onnx runs the model as an ONNX graph in onnxruntime-web and agrees with the CPU worker`,
      async () => {
        const onnx = await page.evaluate(([n, c]) => window.engineTest.run('onnx', c, n), [SCORED, CHUNK]);
        // No hardware adapter here: wasm, and the reason says why (a fallback adapter is passed over).
        expect(onnx.backend === 'onnx' && /^onnx: wasm \(/.test(onnx.reason), `${onnx.backend}: ${onnx.reason}`);
        const r = compareClose(onnx.surprisal.slice(1), cpu.surprisal.slice(1), TOLERANCE.logitsCpu);
        console.log(
          `     ONNX worker (${onnx.device}; ${onnx.reason}): load ${onnx.loadMs.toFixed(0)} ms, ${SCORED} tokens in ${onnx.totalMs.toFixed(0)} ms = ${Math.round((SCORED / onnx.totalMs) * 1000)} tokens/s; vs CPU max abs err ${r.maxAbs.toExponential(2)}, mean ${r.meanAbs.toExponential(2)}`,
        );
        expect(r.violations === 0, `${r.violations} values out of tolerance, max abs err ${r.maxAbs}`);
      },
    );
    if (!webgpuFlag) {
      await check(`${tag} the whole lambda genome on the CPU worker in the host's chunks (2^14 tokens)`, async () => {
        const full = await page.evaluate(() => window.engineTest.run('cpu', 1 << 14));
        expect(full.tokens === 48502 && full.surprisal.slice(1).every((v) => v > 0), `${full.tokens} tokens`);
        console.log(
          `     lambda on the CPU worker: first chunk after ${full.firstChunkMs.toFixed(0)} ms, ${full.tokens} tokens in ${full.totalMs.toFixed(0)} ms = ${Math.round((full.tokens / full.totalMs) * 1000)} tokens/s`,
        );
      });
    }
    await check(`${tag} cancel stops a job after the chunk in flight`, async () => {
      const r = await page.evaluate(() => window.engineTest.cancel('auto'));
      expect(r === 'cancelled after 1 chunk(s)', r);
    });
    await check(`${tag} the page shows the backend, why, and the speed`, async () => {
      const text = await page.evaluate(() => window.engineTest.status());
      expect(
        /WebGPU: (available|not available)/.test(text) &&
          /model fixture-cpu \(backend asked for: cpu\): cpu on .* \(cpu: requested\)/.test(text) &&
          /tokens\/s/.test(text),
        text,
      );
    });
    await check(`${tag} no page errors`, async () => expect(problems.length === 0, problems.join('; ')));
  } finally {
    await gpuBrowser.close();
  }
}
server.close();
console.log(`screenshots in ${artifacts}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
