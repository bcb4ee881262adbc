// The front door: `npm start` as a user runs it. Reads the URL and password it prints, logs in
// with Debian's chromium (playwright-core), right-clicks the lambda genome of the samples
// workspace, picks "Mamba: Analyze Sequence File" and checks that the sample DNA model's track is
// drawn (screenshot in .seqlab-test/artifacts/); then Ctrl-C (SIGINT) must stop the server, leave
// none of its processes behind and free the port. Prints `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/vscode-server.mjs';
import { artifacts, root } from '../vscode/harness.mjs';
import { briefly, openBrowser, packageExtension, report } from './code-server.mjs';
import { analyzeFromExplorer, finishedOutput, showNewestOutput } from './notebook-ui.mjs';

const lab = join(root, '.seqlab-test', 'e2e-start');
const FILE = 'lambda_virus.fa';

/** Starts `npm start` on a fresh lab folder; resolves with the child, its output so far and the URL and password it printed. */
async function npmStart() {
  rmSync(lab, { recursive: true, force: true });
  // A process group of its own, as in a terminal, where Ctrl-C signals the whole foreground group.
  const child = spawn('npm', ['start', '--', '--dir', lab], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => out.push(String(d)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // npm itself may exit on SIGINT before the script it runs has finished: the output closes once every process is done.
  const closed = new Promise((resolve) => child.stdout.once('close', resolve));
  const t0 = Date.now();
  for (;;) {
    const text = out.join('');
    const url = /^\s*URL:\s+(http:\/\/127\.0\.0\.1:(\d+)\/\S*)$/m.exec(text),
      password = /^\s*Password:\s+(\S+)$/m.exec(text);
    if (url && password) return { child, out, closed, url: url[1], port: Number(url[2]), password: password[1] };
    const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 200))]);
    if (done) throw new Error(`npm start exited (${done.code ?? done.signal}) before printing a URL:\n${text}`);
    if (Date.now() - t0 > 300_000) throw new Error(`no URL and password from npm start within 5 minutes:\n${text}`);
  }
}

/** Processes still running whose command line names the lab folder (npm start and the server), as "pid args" lines. */
function labProcesses() {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes(lab) && !l.includes('ps -eo'));
}

/** Every process in the process groups of the lab's processes: with the server's helpers (extension host, pty host, watchers). */
function labGroupMembers() {
  const pids = new Set(labProcesses().map((l) => l.trim().split(/\s+/)[0]));
  const rows = spawnSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
  const groups = new Set(rows.filter(([pid]) => pids.has(pid)).map(([, pgid]) => pgid));
  return rows.filter(([, pgid]) => groups.has(pgid)).map(([pid]) => Number(pid));
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function main() {
  packageExtension(); // npm start packages only when the .vsix is stale: after this it is not
  const outcomes = [];
  const step = async (name, f) => {
    const t0 = Date.now();
    try {
      await f();
      outcomes.push({ name, ok: true, ms: Date.now() - t0 });
      return true;
    } catch (e) {
      outcomes.push({ name, ok: false, ms: Date.now() - t0, error: briefly(e) });
      return false;
    }
  };
  let started;
  if (!(await step('npm start prints the URL (127.0.0.1) and a password', async () => (started = await npmStart()))))
    return report(outcomes);
  console.log(`  ${started.url} (password ${started.password.length} characters)`);
  let browser;
  await step(
    'log in with the password; Analyze Sequence File draws the lambda track with the sample model',
    async () => {
      const opened = await openBrowser(started.url, { ...process.env, XDG_CONFIG_HOME: join(lab, 'chromium') });
      browser = opened.browser;
      const page = opened.page;
      try {
        const password = page.locator('input[type="password"]');
        await password.waitFor({ timeout: 30_000 });
        await password.fill(started.password);
        await password.press('Enter');
        const clicked = await analyzeFromExplorer(page, FILE);
        const { frame, text, firstPictureMs } = await finishedOutput(page, FILE, clicked);
        await showNewestOutput(page);
        if (!/model: dna-saureus/.test(text))
          throw new Error(`not scored by the sample model dna-saureus: ${text.slice(0, 400)}`);
        const bits = /\s48,502\s+49\.86 %\s+0\s+0\s+(\d+\.\d{4})\s/.exec(text);
        if (!bits || !(Number(bits[1]) > 1 && Number(bits[1]) < 2.5))
          throw new Error(`no lambda row (48,502 bases, GC 49.86 %) with bits/base near 2 in: ${text.slice(0, 400)}`);
        // The track is a canvas: count the pixels it has drawn.
        const inked = await frame.evaluate((f) => {
          const out = [...document.querySelectorAll('.seqlab-output')].find((o) => o.innerText.includes(`file: ${f}`));
          let n = 0;
          for (const c of out ? out.querySelectorAll('.seqlab-dna-track canvas') : []) {
            const px = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
          }
          return n;
        }, FILE);
        await page.screenshot({ path: join(artifacts, 'e2e-start-lambda.png') });
        if (inked < 5000) throw new Error(`the lambda track drew only ${inked} pixels`);
        console.log(
          `  first picture ${firstPictureMs} ms after the menu click; ${bits[1]} bits/base; track ${inked} pixels drawn`,
        );
      } catch (e) {
        await page.screenshot({ path: join(artifacts, 'e2e-start-lambda-fail.png') }).catch(() => undefined);
        throw e;
      } finally {
        await browser.close();
      }
    },
  );
  await step('Ctrl-C stops the server: no process left, the port free again', async () => {
    const members = labGroupMembers();
    if (members.length < 4)
      throw new Error(`only ${members.length} processes in the lab's process groups before stopping`);
    process.kill(-started.child.pid, 'SIGINT'); // what Ctrl-C in the terminal does
    const timeout = new Promise((r) => setTimeout(() => r('timeout'), 30_000));
    if ((await Promise.race([started.closed, timeout])) === 'timeout')
      throw new Error(`npm start still running 30 s after SIGINT:\n${started.out.join('')}`);
    const text = started.out.join('');
    if (!/^Ctrl-C: stopping the server…\nstopped\.$/m.test(text)) throw new Error(`no "stopped." in:\n${text}`);
    // Exited processes linger a moment until they are reaped.
    for (let i = 0; i < 50 && members.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    const left = members.filter(alive);
    if (left.length) throw new Error(`${left.length} of ${members.length} processes left running: ${left.join(' ')}`);
    console.log(`  SIGINT stopped all ${members.length} processes of npm start and the server`);
    await freePort(started.port);
  });
  // After a failed stop: end what this test started, by process id.
  for (const line of labProcesses()) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
  report(outcomes);
}

await main();
