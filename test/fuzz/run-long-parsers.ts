// The long fuzz run of the file parsers (not part of the unit tier): 100,000 mutated inputs per
// target by default (parser-targets.ts), each target in a process of its own so that its peak RSS
// is its own, J targets at a time. A process says which input it starts before reading it; one
// silent for KILL_MS is killed, its input counted as a hang, and the target goes on from the next
// input (a process that dies, out of memory say, is counted as a crash the same way). Prints one
// row per target and exits 1 on any crash or hang.
//   npx tsc -p tsconfig.json && node out/test/fuzz/run-long-parsers.js [--inputs N] [--seed S] [--jobs J] [--target NAME]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { emptyReport, fuzzTarget, type Crash, type ParserFuzzReport } from './fuzz-target';
import { PARSER_TARGETS } from './parser-targets';

/** An input silent this long is a hang: its process is killed. */
const KILL_MS = 10_000;
/** Time a process has to open its target (the run folders' seed run trains a tiny model first). */
const OPEN_MS = 300_000;
const HEAP_LIMIT_MB = 2048;

interface TargetResult extends ParserFuzzReport {
  peakRssMB: number;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** In the child: runs inputs from..from+inputs-1 of one target, a line per input, the report last. */
async function child(name: string, from: number, inputs: number, seed: number): Promise<void> {
  const target = PARSER_TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no target "${name}"`);
  const open = await target.open();
  try {
    const report = await fuzzTarget(name, open, {
      seed,
      from,
      inputs,
      onInput: (i, input) => process.stdout.write(`input ${i} ${input.how.join(', ')}\n`),
    });
    const peakRssMB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`report ${JSON.stringify({ ...report, peakRssMB })}\n`);
  } finally {
    await open.close();
  }
}

interface ChildEnd {
  report?: TargetResult;
  /** The input it was reading when it was killed or died, and how that input was made. */
  last: number;
  how: string;
  problem?: string;
}

function runChild(name: string, from: number, inputs: number, seed: number): Promise<ChildEnd> {
  const args = [`--max-old-space-size=${HEAP_LIMIT_MB}`, __filename, '--child', name];
  args.push('--from', String(from), '--inputs', String(inputs), '--seed', String(seed));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const end: ChildEnd = { last: from, how: '' };
  let stderr = '',
    beat = Date.now(),
    started = false;
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  createInterface({ input: proc.stdout }).on('line', (line) => {
    beat = Date.now();
    started = true;
    if (line.startsWith('input ')) {
      const [, index, ...how] = line.split(' ');
      end.last = Number(index);
      end.how = how.join(' ');
    } else if (line.startsWith('report ')) end.report = JSON.parse(line.slice(7)) as TargetResult;
  });
  const watchdog = setInterval(() => {
    if (Date.now() - beat > (started ? KILL_MS : OPEN_MS)) {
      end.problem = `hang: input ${end.last} still running after ${KILL_MS / 1000} s, killed`;
      proc.kill('SIGKILL');
    }
  }, 500);
  return new Promise((resolve) => {
    proc.on('close', (code, signal) => {
      clearInterval(watchdog);
      if (!end.report && !end.problem)
        end.problem = `process died (${signal ?? `exit ${code}`}) reading input ${end.last}: ${stderr.trim().slice(-500)}`;
      resolve(end);
    });
  });
}

function merge(into: TargetResult, r: TargetResult): void {
  for (const k of ['inputs', 'ok', 'rejected', 'crashCount', 'hangs', 'seconds'] as const) into[k] += r[k];
  into.crashes.push(...r.crashes.slice(0, 20 - into.crashes.length));
  if (r.slowestMs > into.slowestMs)
    Object.assign(into, { slowestMs: r.slowestMs, slowestIndex: r.slowestIndex, slowestHow: r.slowestHow });
  into.peakHeapMB = Math.max(into.peakHeapMB, r.peakHeapMB);
  into.peakRssMB = Math.max(into.peakRssMB, r.peakRssMB);
}

/** Inputs from..to-1 of one target, in as many processes as hangs and deaths take. */
async function runRange(name: string, from: number, to: number, seed: number): Promise<TargetResult> {
  const result: TargetResult = { ...emptyReport(name), peakRssMB: 0 };
  while (from < to) {
    const end = await runChild(name, from, to - from, seed);
    if (end.report) {
      merge(result, end.report);
      break;
    }
    // Killed or died at input end.last: the inputs before it are read again (their report went
    // with the process), it is counted, and the run goes on after it.
    if (end.last > from) merge(result, await runRange(name, from, end.last, seed));
    const lost: Crash = { index: end.last, how: [end.how], error: end.problem ?? '', at: '', bytes: 0, input: '' };
    if (end.problem?.startsWith('hang')) {
      result.hangs++;
      if (KILL_MS > result.slowestMs)
        Object.assign(result, { slowestMs: KILL_MS, slowestIndex: end.last, slowestHow: [`${end.how} (killed)`] });
    } else result.crashCount++;
    if (result.crashes.length < 20) result.crashes.push(lost);
    result.inputs++;
    from = end.last + 1;
  }
  return result;
}

function row(r: TargetResult): string {
  const cells = [r.target, r.inputs, r.ok, r.rejected, r.crashCount, r.hangs, r.slowestMs.toFixed(1)];
  return `| ${[...cells, r.peakHeapMB.toFixed(0), r.peakRssMB.toFixed(0), r.seconds.toFixed(0)].join(' | ')} |`;
}

async function main(): Promise<number> {
  const seed = Number(option('seed') ?? 1),
    inputs = Number(option('inputs') ?? 100_000),
    jobs = Number(option('jobs') ?? 1);
  const childName = option('child');
  if (childName !== undefined) {
    await child(childName, Number(option('from') ?? 0), inputs, seed);
    return 0;
  }
  const only = option('target');
  const t0 = performance.now();
  const todo = PARSER_TARGETS.filter((t) => only === undefined || t.name === only).map((t) => t.name);
  const results = new Map<string, TargetResult>();
  // `jobs` targets at a time, each in its own process.
  const worker = async () => {
    for (let name = todo.shift(); name !== undefined; name = todo.shift()) {
      const t = performance.now();
      const r = await runRange(name, 0, inputs, seed);
      r.seconds = (performance.now() - t) / 1000;
      results.set(name, r);
      console.error(`${name}: done in ${r.seconds.toFixed(0)} s`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  console.log(
    '| target | inputs | read ok | refused (own error) | crashes | hangs (> 1 s) | slowest input ms | peak heap MB | peak RSS MB | seconds |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  let bad = 0;
  const details: string[] = [];
  for (const target of PARSER_TARGETS) {
    const r = results.get(target.name);
    if (!r) continue;
    bad += r.crashCount + r.hangs;
    console.log(row(r));
    details.push(`${r.target}: slowest input ${r.slowestIndex} (${r.slowestHow.join(', ')})`);
    for (const c of r.crashes.slice(0, 5))
      details.push(
        `  crash at input ${c.index} (${c.how.join(', ')}): ${c.error} ${c.at}\n  input (base64): ${c.input}`,
      );
  }
  console.log(details.join('\n'));
  console.log(`${jobs} at a time, total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return bad > 0 ? 1 : 0;
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
