// Runs the test tiers and prints one closing line `N passed, N failed` over all of them.
// Usage: node scripts/test.mjs all|unit|gpu|webview|integration|e2e [more tiers…]
//   unit         node:test over out/test/unit (compiled by tsc first)
//   gpu          the engine tests on WebGPU (Dawn for Node; SwiftShader unless a GPU is there)
//   webview      the webview components and engine page in headless chromium (WebGPU and CPU worker)
//   integration  the mocha suite inside a VS Code extension host (VS Code server from code-server)
//   e2e          a real VS Code (code-server) driven by playwright-core in Debian's chromium; also `npm start`
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const tiers = args.length === 0 || args.includes('all') ? ['unit', 'gpu', 'webview', 'integration', 'e2e'] : args;
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function run(cmd, cmdArgs, env = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return findTests(p);
      return name.endsWith('.test.js') ? [p] : [];
    })
    .sort();
}

// node:test with the spec reporter on screen and TAP in a file whose summary we read.
function nodeTests(tier, env = {}) {
  const files = findTests(join(root, 'out', 'test', tier));
  if (files.length === 0) {
    console.log(`[${tier}] no test files`);
    return { passed: 0, failed: 1 };
  }
  const tap = join(root, 'out', `${tier}.tap`);
  rmSync(tap, { force: true });
  run(
    process.execPath,
    [
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    env,
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (key) => Number((text.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [0, 0])[1]);
  return { passed: count('pass'), failed: count('fail') + (text ? 0 : 1) };
}

// Tiers run by their own scripts report `N passed, N failed` on their last such line.
function scriptTests(tier, script) {
  const r = spawnSync(process.execPath, [script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  process.stdout.write(r.stdout ?? '');
  const m = [...(r.stdout ?? '').matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
  if (!m) return { passed: 0, failed: 1 };
  return { passed: Number(m[1]), failed: Number(m[2]) + (r.status === 0 ? 0 : Number(m[2]) === 0 ? 1 : 0) };
}

let passed = 0,
  failed = 0;
const add = (tier, r) => {
  console.log(`[${tier}] ${r.passed} passed, ${r.failed} failed`);
  passed += r.passed;
  failed += r.failed;
};

if (run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']) !== 0)
  add('typecheck', { passed: 0, failed: 1 });
if (run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'webview/tsconfig.json']) !== 0)
  add('typecheck webview', { passed: 0, failed: 1 });
if (run(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '.']) !== 0)
  add('lint', { passed: 0, failed: 1 });
if (
  run(process.execPath, [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level=warn', '.']) !==
  0
)
  add('format (npm run format fixes it)', { passed: 0, failed: 1 });
if (run(process.execPath, ['scripts/build.mjs']) !== 0) add('build', { passed: 0, failed: 1 });
else process.env.SEQLAB_BUILT = '1'; // out/ and dist/ are fresh: the VS Code tiers need not compile again

for (const tier of tiers) {
  if (tier === 'unit') add(tier, nodeTests('unit'));
  else if (tier === 'gpu') {
    const env =
      process.env.VK_ICD_FILENAMES || process.env.SEQLAB_GPU_NATIVE ? {} : { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
    add(tier, nodeTests('gpu', env));
  } else if (tier === 'webview') add(tier, scriptTests(tier, 'test/webview/run.mjs'));
  else if (tier === 'integration') add(tier, scriptTests(tier, 'test/integration/run.mjs'));
  else if (tier === 'e2e')
    for (const script of [
      'test/e2e/run.mjs',
      'test/e2e/train.mjs',
      'test/e2e/variants.mjs',
      'test/e2e/export-run.mjs',
      'test/e2e/start.mjs',
    ])
      add(`${tier} ${script.split('/').pop()}`, scriptTests(tier, script));
  else {
    console.error(`unknown tier ${tier}`);
    process.exit(2);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
