// The bounded CI fuzz run of the file parsers: about a second per target of mutated safetensors,
// config.json, cell specs, .seqlab notebooks and run-folder files (test/fuzz/run-long-parsers.ts
// is the long run). No input may crash, break a property or take over a second.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzTarget, HANG_MS, inputRand, type Timed } from '../fuzz/fuzz-target';
import { PARSER_TARGETS } from '../fuzz/parser-targets';

const SECONDS_PER_TARGET = 1;
const untimed: Timed = async (parse) => parse();

for (const [i, target] of PARSER_TARGETS.entries()) {
  test(`fuzz: ${target.name} for ${SECONDS_PER_TARGET} s`, async () => {
    const open = await target.open();
    try {
      for (const seed of open.seeds)
        assert.equal(await open.read(seed, inputRand(0, 0), untimed), 'ok', `${target.name}: an unmutated seed reads`);
      const r = await fuzzTarget(target.name, open, {
        seed: 1000 + i + (Date.now() % 100000),
        inputs: Infinity,
        deadline: Date.now() + SECONDS_PER_TARGET * 1000,
      });
      assert.deepEqual(r.crashes, [], `${target.name}: ${r.crashCount} crashing inputs`);
      assert.ok(r.inputs >= 20, `${target.name}: only ${r.inputs} inputs ran`);
      assert.ok(r.ok + r.rejected === r.inputs);
      assert.ok(r.slowestMs < HANG_MS, `${target.name}: input ${r.slowestIndex} took ${r.slowestMs.toFixed(0)} ms`);
    } finally {
      await open.close();
    }
  });
}
