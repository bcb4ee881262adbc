// The bounded CI fuzz run of the file parsers: three hundred mutated inputs per target of
// safetensors, config.json, cell specs, .seqlab notebooks, run-folder files and VCF (plain, gzip,
// BGZF), seeded so that a failure names an input its index makes again (test/fuzz/run-long-parsers.ts
// is the long run). Unmutated seeds read; no input may crash or break a property, and none may
// take five times the long run's hang bound (a loaded CI machine runs slow; the long run counts
// every input over the bound itself).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzTarget, HANG_MS, inputRand, type Timed } from '../fuzz/fuzz-target';
import { PARSER_TARGETS } from '../fuzz/parser-targets';

const INPUTS = 300;
const untimed: Timed = async (parse) => parse();

for (const [i, target] of PARSER_TARGETS.entries()) {
  test(`fuzz: ${target.name}, ${INPUTS} inputs`, async () => {
    const open = await target.open();
    try {
      for (const seed of open.seeds)
        assert.equal(await open.read(seed, inputRand(0, 0), untimed), 'ok', `${target.name}: an unmutated seed reads`);
      const r = await fuzzTarget(target.name, open, { seed: 1000 + i, inputs: INPUTS });
      assert.deepEqual(r.crashes, [], `${target.name}: ${r.crashCount} crashing inputs`);
      assert.equal(r.ok + r.rejected, INPUTS);
      assert.ok(r.slowestMs < 5 * HANG_MS, `${target.name}: input ${r.slowestIndex} took ${r.slowestMs.toFixed(0)} ms`);
    } finally {
      await open.close();
    }
  });
}
