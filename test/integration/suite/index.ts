// The integration suite's entry, the run() contract of --extensionTestsPath (what
// @vscode/test-electron calls, and what the VS Code server calls here): mocha over the *.test.js
// beside this file (SEQLAB_TEST_GREP: only the tests whose title matches it). Mocha's console output reaches the runner mangled, so each test's result is
// also written to SEQLAB_TEST_RESULTS (JSON) for test/integration/run.mjs to print.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha = require('mocha');

interface Outcome {
  title: string;
  state: 'passed' | 'failed';
  ms: number;
  error?: string;
}

export function run(): Promise<void> {
  const grep = process.env.SEQLAB_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, ...(grep ? { grep } : {}) });
  for (const f of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort())
    mocha.addFile(join(__dirname, f));
  const outcomes: Outcome[] = [];
  const started = new Map<string, number>();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const out = process.env.SEQLAB_TEST_RESULTS;
      if (out)
        writeFileSync(
          out,
          JSON.stringify({ passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0, outcomes }, null, 1),
        );
      if (failures) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
    runner.on('test', (t) => started.set(t.fullTitle(), Date.now()));
    runner.on('pass', (t) =>
      outcomes.push({
        title: t.fullTitle(),
        state: 'passed',
        ms: Date.now() - (started.get(t.fullTitle()) ?? Date.now()),
      }),
    );
    runner.on('fail', (t, err: Error) =>
      outcomes.push({
        title: t.fullTitle(),
        state: 'failed',
        ms: Date.now() - (started.get(t.fullTitle()) ?? Date.now()),
        error: err.stack ?? err.message,
      }),
    );
  });
}
