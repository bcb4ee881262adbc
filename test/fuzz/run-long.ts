// The long fuzz run (not part of the unit tier): at least 100k mutated inputs per format by
// default. Prints one row per format and exits 1 if any input crashed.
//   npx tsc -p tsconfig.json && node out/test/fuzz/run-long.js [--inputs N] [--seed S]
import { FUZZ_FORMATS, fuzzFormat, loadSeeds } from './reader-fuzz';

async function main(): Promise<number> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const inputs = arg('inputs', 100000),
    seed = arg('seed', 1);
  const { seeds, cleanup } = loadSeeds();
  let crashes = 0;
  console.log('| format | inputs | read ok | rejected (DataFormatError) | crashes | slowest input ms | seconds |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  try {
    for (const [i, format] of FUZZ_FORMATS.entries()) {
      const r = await fuzzFormat(format, seeds[format], inputs, Infinity, seed * 100 + i);
      crashes += r.crashes.length;
      console.log(
        `| ${format} | ${r.inputs} | ${r.ok} | ${r.rejected} | ${r.crashes.length} | ${r.maxMs.toFixed(1)} | ${r.seconds.toFixed(1)} |`,
      );
      for (const c of r.crashes.slice(0, 5))
        console.log(`  crash (${c.how.join(', ')}): ${c.error}\n  input (base64): ${c.input.slice(0, 200)}…`);
    }
  } finally {
    cleanup();
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  return crashes > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
