// Fuzz targets of a training run's folder: run.json, status.json, manifest.json,
// checkpoints/latest.json (and the resume that follows it), a checkpoint's trainer-state.json and
// metrics.jsonl, each written to a scratch run folder and read back as the run code reads it. The
// seeds are the files of a real three-step run of a tiny model, made once per process.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { paramSpecs, type ParamSpec } from '../../kernels/train/params';
import { ModelFileError, loadModelDir } from '../../extension/core/models/load-model';
import { checkpointsDir, loadCheckpoint, readLatest } from '../../extension/core/runs/checkpoint';
import { parseRange } from '../../extension/core/runs/data-range';
import { RunFileError } from '../../extension/core/runs/json-fields';
import {
  latestMetrics,
  MAX_TAIL_BYTES,
  MetricsFollower,
  parseMetricLine,
  readMetricsFile,
} from '../../extension/core/runs/metrics-reader';
import { DEFAULT_HYPER, PRESETS } from '../../extension/core/runs/presets';
import { resumePoint } from '../../extension/core/runs/resume-point';
import {
  dropMetricsFrom,
  parseRunSpec,
  readManifest,
  readRunSpec,
  readStatus,
  runFiles,
  type RunSpec,
} from '../../extension/core/runs/run-dir';
import { createRun, runSession } from '../../extension/core/runs/train-session';
import { parseMetricRecord, type MetricRecord } from '../../protocol/training-messages';
import { longRunRecord } from '../support/long-metrics';
import { randomBases, writeFasta } from '../support/train-data';
import { consistent, PropertyError, refused, type FuzzInput, type FuzzTarget, type OpenTarget } from './fuzz-target';
import { mutateJson, mutateJsonFile, writeJson } from './json-mutate';
import { int, mutate, pick, type Rand } from './reader-fuzz';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const scratch = (what: string): string => mkdtempSync(join(tmpdir(), `seqlab-fuzz-${what}-`));

/** The run's two checkpoints, both complete; latest.json names the newer. */
const CHECKPOINTS = ['step-0000002', 'step-0000003'];

let seedRun: Promise<string> | undefined;

/** A finished run of three steps (checkpoints at 2 and 3), removed when the process exits. */
function theSeedRun(): Promise<string> {
  seedRun ??= (async () => {
    const dir = scratch('run');
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const fasta = writeFasta(join(dir, 'g.fa'), { a: randomBases(2000), b: randomBases(1500) });
    const spec: RunSpec = {
      name: 'fuzz',
      data: [fasta],
      range: parseRange('0%-90%'),
      size: { dModel: 8, nLayer: 1, dState: 4 },
      hyper: {
        ...DEFAULT_HYPER,
        batch: 2,
        length: 16,
        warmupSteps: 1,
        evalEvery: 1,
        checkpointEvery: 2,
        valWindows: 2,
      },
      budget: { steps: 3 },
      backend: 'cpu',
    };
    const runDir = join(dir, 'run');
    await createRun(runDir, spec);
    const result = await runSession(runDir);
    if (result.state !== 'finished') throw new Error(`the seed run ended ${result.state}: ${result.message}`);
    return runDir;
  })();
  return seedRun;
}

const read = (path: string): string => readFileSync(path, 'utf8');
const RUN_FILE_ERRORS = [RunFileError, ModelFileError];

/**
 * A JSON file of a run folder: written to a scratch run folder, read by `load` (given the folder);
 * `parse`, when the file has a parser of values, also takes some inputs as values.
 */
function runFileTarget(
  name: string,
  seeds: (run: string) => string[],
  load: (runDir: string) => Promise<unknown>,
  check: (parsed: unknown) => void = () => undefined,
  parse?: (value: unknown, file: string) => unknown,
): FuzzTarget {
  return {
    name,
    async open(): Promise<OpenTarget> {
      const texts = seeds(await theSeedRun());
      const runDir = scratch('file');
      const path = join(runDir, name);
      return {
        seeds: texts.map((s) => ({ bytes: utf8(s), how: [] })),
        mutate: (rand) => mutateJsonFile(texts, rand, parse !== undefined),
        async read(input, _rand, timed) {
          try {
            if (parse && 'value' in input) check(await timed(() => parse(input.value, path)));
            else {
              await writeFile(path, input.bytes);
              check(await timed(() => load(runDir)));
            }
            return 'ok';
          } catch (err) {
            return refused(err, RUN_FILE_ERRORS, `${path}: `);
          }
        },
        async close() {
          rmSync(runDir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** What createRun writes of a spec reads back to the same file (-0 is written 0). */
function checkRunSpec(parsed: unknown): void {
  const spec = parsed as RunSpec;
  let back: RunSpec;
  try {
    back = parseRunSpec(JSON.parse(JSON.stringify(spec)), 'written back');
  } catch (err) {
    throw new PropertyError(`written back, not read: ${(err as Error).message}`);
  }
  consistent(
    JSON.stringify(back) === JSON.stringify(spec),
    () => `written and read back: ${JSON.stringify(back).slice(0, 300)}`,
  );
}

export const runJsonTarget = runFileTarget(
  'run.json',
  (run) => {
    const spec = JSON.parse(read(runFiles(run).spec)) as RunSpec;
    return [
      JSON.stringify(spec, null, 2),
      JSON.stringify({ ...spec, preset: 'tiny', size: PRESETS.tiny, budget: { minutes: 1.5 } }),
      JSON.stringify({ ...spec, range: { startPct: 10, endPct: 50.5, records: ['a', 'b'] } }),
    ];
  },
  readRunSpec,
  checkRunSpec,
  parseRunSpec,
);

export const statusTarget = runFileTarget(
  'status.json',
  (run) => [
    read(runFiles(run).status),
    JSON.stringify({ state: 'running', step: 0, updated: new Date(0).toISOString(), pid: 4242 }),
    JSON.stringify({ state: 'failed', step: 2, updated: 'x', message: 'out of memory' }),
  ],
  readStatus,
);

export const manifestTarget = runFileTarget(
  'manifest.json',
  (run) => {
    const manifest = read(runFiles(run).manifest);
    const files = (JSON.parse(manifest) as { files: Record<string, unknown>[] }).files;
    return [manifest, JSON.stringify({ files: [...files, { ...files[0], path: 'b.wav', kind: 'audio' }] })];
  },
  readManifest,
);

/** A scratch copy of the seed run's checkpoints, and the parameter layout they hold. */
async function checkpointsCopy(): Promise<{ runDir: string; specs: ParamSpec[] }> {
  const run = await theSeedRun();
  const runDir = scratch('checkpoints');
  cpSync(checkpointsDir(run), checkpointsDir(runDir), { recursive: true });
  const specs = paramSpecs((await loadModelDir(join(checkpointsDir(runDir), CHECKPOINTS[1]))).config);
  return { runDir, specs };
}

/**
 * checkpoints/latest.json: readLatest reads it or refuses it naming it, and the resume that follows
 * always continues, from the checkpoint it names when that one is complete, else from the newest.
 */
export const latestTarget: FuzzTarget = {
  name: 'checkpoints/latest.json',
  async open() {
    const { runDir, specs } = await checkpointsCopy();
    const path = join(checkpointsDir(runDir), 'latest.json');
    const texts = [
      read(path),
      JSON.stringify({ checkpoint: CHECKPOINTS[0], step: 2 }),
      JSON.stringify({ checkpoint: 'step-3', step: 3 }),
    ];
    return {
      seeds: texts.map((s) => ({ bytes: utf8(s), how: [] })),
      mutate: (rand) => mutateJsonFile(texts, rand),
      async read(input, _rand, timed) {
        await writeFile(path, input.bytes);
        let named: string | undefined,
          outcome: 'ok' | 'rejected' = 'ok';
        try {
          named = (await timed(() => readLatest(runDir)))?.checkpoint;
        } catch (err) {
          outcome = refused(err, RUN_FILE_ERRORS, `${path}: `);
        }
        const from = await timed(() => resumePoint(runDir, specs, () => undefined));
        const want = named !== undefined && CHECKPOINTS.includes(named) ? named : CHECKPOINTS[1];
        consistent(from !== undefined && basename(from.dir) === want, () => `resumed from ${from?.dir}, not ${want}`);
        return outcome;
      },
      async close() {
        rmSync(runDir, { recursive: true, force: true });
      },
    };
  },
};

/** A checkpoint's trainer-state.json, through loadCheckpoint (the checkpoint's other files intact). */
export const trainerStateTarget: FuzzTarget = {
  name: 'trainer-state.json',
  async open() {
    const { runDir, specs } = await checkpointsCopy();
    const dir = join(checkpointsDir(runDir), CHECKPOINTS[1]);
    const path = join(dir, 'trainer-state.json');
    const state = JSON.parse(read(path)) as Record<string, unknown>;
    const texts = [
      JSON.stringify(state, null, 2),
      JSON.stringify({ ...state, rng: [0, -1, 2 ** 32 - 1, -(2 ** 31)], tokens: 0, elapsedSec: 0.5 }),
    ];
    return {
      seeds: texts.map((s) => ({ bytes: utf8(s), how: [] })),
      mutate: (rand) => mutateJsonFile(texts, rand),
      async read(input, _rand, timed) {
        await writeFile(path, input.bytes);
        try {
          const ck = await timed(() => loadCheckpoint(dir, specs));
          consistent(ck.progress.step === 3, () => `step ${ck.progress.step} from the folder of step 3`);
          return 'ok';
        } catch (err) {
          return refused(err, RUN_FILE_ERRORS, `${path}: `);
        }
      },
      async close() {
        rmSync(runDir, { recursive: true, force: true });
      },
    };
  },
};

/** Line changes of a metrics.jsonl: a record's JSON mutated, a line torn, doubled or dropped, line ends changed. */
function mutateMetrics(seeds: readonly string[], rand: Rand): FuzzInput {
  const seed = pick(rand, seeds),
    other = pick(rand, seeds);
  if (rand() < 0.35) return mutate(utf8(seed), utf8(other), rand);
  const lines = seed.split('\n');
  const how: string[] = [];
  for (let m = 1 + int(rand, 3); m > 0; m--) {
    const at = int(rand, lines.length - 1);
    switch (int(rand, 5)) {
      case 0: {
        // Only a record's line: an earlier change may have torn it.
        if (parseMetricLine(lines[at]) === undefined) break;
        const donor = pick(rand, other.split('\n').slice(0, -1));
        const r = mutateJson(JSON.parse(lines[at]), JSON.parse(donor), rand);
        lines[at] = writeJson(r.value, rand);
        how.push(...r.how);
        break;
      }
      case 1:
        lines.splice(at, 0, lines[at].slice(0, int(rand, lines[at].length)));
        how.push('torn line');
        break;
      case 2:
        lines.splice(at, 0, lines[at]);
        how.push('double');
        break;
      case 3:
        lines.splice(at, 1);
        how.push('drop');
        break;
      default:
        how.push('line ends');
        return { bytes: utf8(lines.join(pick(rand, ['\r\n', '\n\n', '\r']))), how };
    }
  }
  // The last line without its newline, as a crash mid-append leaves it.
  if (rand() < 0.2) lines.pop();
  return { bytes: utf8(lines.join('\n')), how };
}

/** The lines that hold no record, in order (what dropMetricsFrom must keep). */
function otherLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.filter((l) => parseMetricLine(l) === undefined);
}

/**
 * metrics.jsonl: never refused (lines that hold no record are skipped), so every input must read;
 * read forward whole and back from the end, the records agree; on a quarter of the inputs also
 * read in two appends, and dropping those from a step on keeps the others and every other line.
 */
export const metricsTarget: FuzzTarget = {
  name: 'metrics.jsonl',
  async open() {
    const run = await theSeedRun();
    const runDir = scratch('metrics');
    const path = runFiles(runDir).metrics;
    const long = Array.from({ length: 300 }, (_, i) => JSON.stringify(longRunRecord(i, 10, 7)) + '\n').join('');
    const texts = [read(runFiles(run).metrics), long];
    return {
      seeds: texts.map((s) => ({ bytes: utf8(s), how: [] })),
      mutate: (rand) => mutateMetrics(texts, rand),
      async read(input, rand, timed) {
        await writeFile(path, input.bytes);
        const all = await timed(() => readMetricsFile(path));
        for (const r of all) parseMetricRecord(r, 'a record read');
        if (input.bytes.length <= MAX_TAIL_BYTES) {
          const latest = await latestMetrics(path);
          const lastVal = all.filter((r) => r.valBits !== undefined).at(-1);
          consistent(
            isDeepStrictEqual(latest?.last, all.at(-1)) && isDeepStrictEqual(latest?.lastVal, lastVal),
            () =>
              `read back from the end: ${JSON.stringify(latest)}; forward: ${JSON.stringify([all.at(-1), lastVal])}`,
          );
        }
        // The slower checks on a quarter of the inputs.
        if (rand() < 0.75) return 'ok';
        // Two appends, split after a newline.
        const newlines: number[] = [];
        input.bytes.forEach((b, i) => b === 0x0a && newlines.push(i + 1));
        const cut = newlines.length > 0 ? pick(rand, newlines) : 0;
        await writeFile(path, input.bytes.subarray(0, cut));
        const follower = new MetricsFollower(path),
          followed: MetricRecord[] = [];
        const restart = () => {
          throw new PropertyError('an append read as a new file');
        };
        await follower.read((r) => followed.push(r), restart);
        await appendFile(path, input.bytes.subarray(cut));
        await follower.read((r) => followed.push(r), restart);
        consistent(isDeepStrictEqual(followed, all), () => `read in two appends (cut at ${cut}): not the same records`);
        const first = all.length > 0 ? pick(rand, all).step + int(rand, 2) : 1;
        await dropMetricsFrom(runDir, first);
        const kept = await readMetricsFile(path);
        consistent(
          isDeepStrictEqual(
            kept,
            all.filter((r) => r.step < first),
          ),
          () => `records from step ${first} dropped: not the others kept`,
        );
        const text = new TextDecoder().decode(input.bytes);
        consistent(
          isDeepStrictEqual(otherLines(read(path)), otherLines(text)),
          () => `records from step ${first} dropped: lines that hold none changed`,
        );
        return 'ok';
      },
      async close() {
        rmSync(runDir, { recursive: true, force: true });
      },
    };
  },
};
