// The bounded CI fuzz run: a few seconds per format of mutated real files through every reader
// (test/fuzz/run-long.ts is the long run). No input may crash, hang or read inconsistently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUZZ_FORMATS, fuzzFormat, loadSeeds, makeRand, readOne } from '../fuzz/reader-fuzz';

const SECONDS_PER_FORMAT = 2.5;

test(`fuzz: mutated real FASTA, gzip/BGZF FASTA, FASTQ and WAV for ${SECONDS_PER_FORMAT} s each`, async () => {
  const { seeds, cleanup } = loadSeeds();
  try {
    for (const [i, format] of FUZZ_FORMATS.entries()) {
      for (const seed of seeds[format])
        assert.equal(await readOne(format, seed, makeRand(i)), 'ok', `${format}: an unmutated seed reads`);
      const r = await fuzzFormat(
        format,
        seeds[format],
        Infinity,
        Date.now() + SECONDS_PER_FORMAT * 1000,
        1000 + i + (Date.now() % 100000),
      );
      assert.deepEqual(r.crashes, [], `${format}: ${r.crashes.length} crashing inputs`);
      assert.ok(r.inputs >= 50, `${format}: only ${r.inputs} inputs ran`);
      assert.ok(r.rejected > 0, `${format}: no mutation was rejected in ${r.inputs} inputs`);
      assert.ok(r.maxMs < 5000, `${format}: slowest input took ${r.maxMs.toFixed(0)} ms`);
    }
  } finally {
    cleanup();
  }
});
