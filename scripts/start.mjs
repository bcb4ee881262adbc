// `npm start`: Mamba SeqLab in a browser. Runs VS Code (code-server, as the tests do) with this
// extension installed, on a workspace of sample data (the lambda phage genome, a spoken WAV),
// bound to 127.0.0.1 behind a password, and prints the URL and the password. Ctrl-C stops the
// server and every process it started. Packages the extension first when its sources are newer
// than dist/mamba-seqlab.vsix.
//   node scripts/start.mjs [--port N] [--dir DIR]
// DIR (default .seqlab-test/lab, git-ignored) keeps the server's state and the workspace between
// starts: settings and files you add there stay.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  base,
  freePort,
  installExtension,
  LAMBDA_GZ,
  must,
  packagerInstalled,
  packageVsix,
  prepareServerDir,
  root,
  serverInstalled,
  spawnServer,
  stopServer,
  vsixStale,
  waitUntilServing,
} from './vscode-server.mjs';

const SETUP = 'bash scripts/setup.sh';

/** The sample files of the workspace, each made only when missing (so edits to them stay). */
const SAMPLES = [
  {
    file: 'lambda_virus.fa',
    needs: [LAMBDA_GZ, "Debian's bowtie2-examples"],
    make: (path) => writeFileSync(path, gunzipSync(readFileSync(LAMBDA_GZ))),
  },
  {
    file: 'speech.wav',
    needs: ['/usr/bin/espeak-ng', 'espeak-ng'],
    make: (path) =>
      must('espeak-ng', ['-w', path, 'Mamba reads sequences: one, two, three, four, five.'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
  },
];

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

function options() {
  try {
    const { values } = parseArgs({ options: { port: { type: 'string' }, dir: { type: 'string' } } });
    const port = values.port === undefined ? 0 : Number(values.port); // 0: any free port
    if (values.port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
      throw new Error(`--port must be a port number (1-65535), got "${values.port}"`);
    return { port, dir: resolve(values.dir ?? join(root, '.seqlab-test', 'lab')) };
  } catch (e) {
    fail(`${e.message}\nusage: npm start -- [--port N] [--dir DIR]`);
  }
}

function checkSetup() {
  const missing = [];
  if (!packagerInstalled()) missing.push('the npm packages (node_modules)');
  if (!serverInstalled()) missing.push(`the VS Code server (code-server in ${base})`);
  for (const s of SAMPLES) if (!existsSync(s.needs[0])) missing.push(`${s.needs[1]} (${s.needs[0]})`);
  if (missing.length) fail(`setup has not been run; missing: ${missing.join('; ')}.\nRun \`${SETUP}\` first.`);
}

function prepareWorkspace(ws) {
  mkdirSync(ws, { recursive: true });
  for (const s of SAMPLES) {
    const path = join(ws, s.file);
    if (!existsSync(path)) s.make(path);
  }
}

async function main() {
  const { port: askedPort, dir } = options();
  checkSetup();
  if (vsixStale()) {
    console.log('packaging the extension (dist/mamba-seqlab.vsix)…');
    try {
      packageVsix();
    } catch {
      fail('packaging the extension failed (the build errors are above); `npm run package` runs the same step');
    }
  }
  const serverDir = join(dir, 'server'),
    ws = join(dir, 'workspace');
  prepareWorkspace(ws);
  const env = prepareServerDir(serverDir, {}, { keepSettings: true });
  console.log('installing the extension into the lab’s VS Code…');
  installExtension(serverDir, env);
  const port = await freePort(askedPort).catch((e) => fail(`${e.message}; pick another with --port N`));
  const password = randomBytes(12).toString('base64url');
  const running = spawnServer({ serverDir, env, port, ws, password });
  const logFile = join(dir, 'server.log'),
    log = createWriteStream(logFile);
  running.server.stdout.pipe(log, { end: false });
  running.server.stderr.pipe(log, { end: false });
  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping the server…`);
    await stopServer(running);
    console.log('stopped.');
    process.exit(0);
  };
  // From here on the server (in a process group of its own) must not outlive this script.
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  void running.exited.then((how) => {
    if (!stopping) fail(`the server exited by itself (${how}); its log: ${logFile}`);
  });
  await waitUntilServing(running).catch(async (e) => {
    stopping = true;
    await stopServer(running);
    fail(e.message);
  });
  console.log(`
Mamba SeqLab is running: VS Code in your browser, with the extension and a workspace of samples
(${ws}: the lambda phage genome, a spoken WAV).

    URL:       http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}
    Password:  ${password}

Open the URL, log in with the password, then right-click lambda_virus.fa in the Explorer and pick
"Mamba: Analyze Sequence File". Only this machine can connect (127.0.0.1). Server log: ${logFile}
Press Ctrl-C to stop.`);
}

await main();
