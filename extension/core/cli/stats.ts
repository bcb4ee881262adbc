// `seqlab stats FILE… [--json] [--k N] [--top N] [--max-records N]`: per record and total
// statistics of FASTA/FASTQ (plain, gzip, BGZF) and WAV files, streamed with bounded memory.
// A file that cannot be read prints one line naming it and the byte or line; the others still
// run, and the exit code is 1.
import { dnaFileStats, type DnaFileStats } from '../datasets/dna-file-stats';
import type { DnaStats } from '../datasets/dna-stats';
import { DataFormatError } from '../datasets/errors';
import { withFileSource, type RandomAccessSource } from '../datasets/source';
import { readWavInfo, WavReader } from '../datasets/wav';
import { wavStats, type ChannelStats, type WavStats } from '../datasets/wav-stats';
import { CliError, parseOptions, type Command } from './command';

type FileReport = ({ kind: 'dna' } & DnaFileStats) | ({ kind: 'wav' } & WavStats);

function intOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min && n <= max))
    throw new CliError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

async function isWav(src: RandomAccessSource): Promise<boolean> {
  const magic = Buffer.from(await src.read(0, 4)).toString('latin1');
  return magic === 'RIFF' || magic === 'RIFX' || magic === 'RF64' || magic === 'BW64';
}

async function statsOf(path: string, k: number, top: number, maxRecords: number): Promise<FileReport> {
  return withFileSource(path, async (src) => {
    if (await isWav(src)) {
      const reader = new WavReader(src, await readWavInfo(src));
      return { kind: 'wav', ...(await wavStats(reader)) };
    }
    return { kind: 'dna', ...(await dnaFileStats(src, { k, top, maxRecords })) };
  });
}

const pct = (x: number | null) => (x === null ? '-' : x.toFixed(2));
const db = (x: number) => (x > 0 ? (20 * Math.log10(x)).toFixed(2) : '-inf');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function printDna(s: DnaFileStats, k: number): void {
  const what = (s.format === 'fastq' ? 'read' : 'record') + (s.recordCount === 1 ? '' : 's');
  console.log(
    `${s.file}: ${s.format.toUpperCase()}${s.container === 'plain' ? '' : ` (${s.container})`}, ${s.recordCount} ${what}, ${s.total.length} bases`,
  );
  const row = (r: DnaStats) => [
    r.name,
    String(r.length),
    pct(r.gcPercent),
    String(r.n),
    String(r.otherIupac),
    String(r.gaps),
    pct(r.softMaskedPercent),
    String(r.longestNRun),
    r.topKmers.map((x) => `${x.kmer}:${x.count}`).join(' '),
  ];
  const rows = [
    ['record', 'length', 'GC%', 'N', 'IUPAC', 'gaps', 'masked%', 'longestN', `top ${k}-mers`],
    ...s.records.map(row),
    row(s.total),
  ];
  console.log(table(rows));
  if (s.records.length < s.recordCount)
    console.log(
      `(${s.recordCount - s.records.length} more ${what} not listed; --max-records N lists more; the total covers all)`,
    );
  if (s.reads) {
    const q = s.reads.meanQuality;
    console.log(
      `read length min ${s.reads.minLength}, mean ${s.reads.meanLength.toFixed(1)}, max ${s.reads.maxLength}; mean quality ${q === null ? '-' : q.toFixed(2)}`,
    );
  }
}

function printWav(s: WavStats): void {
  const f = s.format;
  const depth =
    f.encoding === 'pcm' && f.validBits !== f.bitsPerSample
      ? `${f.validBits}-bit in ${f.bitsPerSample}`
      : `${f.bitsPerSample}-bit`;
  console.log(
    `${s.file}: WAV ${f.encoding} ${depth}${f.extensible ? ' (extensible)' : ''}, ${f.sampleRate} Hz, ${f.channels} channel${f.channels === 1 ? '' : 's'}, ${s.frames} frames, ${s.durationSeconds.toFixed(3)} s`,
  );
  const row = (name: string, c: ChannelStats) => [
    name,
    c.peak.toFixed(6),
    db(c.peak),
    c.rms.toFixed(6),
    db(c.rms),
    String(c.clipped),
    '',
  ];
  const rows = [
    ['channel', 'peak', 'peak dBFS', 'RMS', 'RMS dBFS', 'clipped', ''],
    ...s.channels.map((c, i) => row(String(i), c)),
    row('all', s.overall),
  ];
  console.log(table(rows));
  if (s.overall.nonFinite > 0) console.log(`${s.overall.nonFinite} samples are NaN or infinite`);
  for (const w of s.warnings) console.log(`warning: ${w}`);
}

export const statsCommand: Command = {
  help:
    'seqlab stats FILE… [--json] [--k N] [--top N] [--max-records N]\n' +
    '  FASTA/FASTQ (plain, .gz, BGZF): per record and total length, GC % (G+C over A+C+G+T), N and other\n' +
    '  IUPAC counts, gaps, soft-masked %, longest N run, top k-mers (--k 1..10, default 6; --top, default 5;\n' +
    '  --max-records rows listed, default 1000).\n' +
    '  WAV: format, rate, channels, bit depth, duration, and per channel peak, RMS and clipped samples.\n' +
    '  --json prints one JSON array of per-file reports.',
  async run(args) {
    const o = parseOptions(args, { json: 'flag', k: 'value', top: 'value', 'max-records': 'value' });
    if (o.positional.length === 0) throw new CliError('stats needs at least one FILE');
    const k = intOption(o.values.k, 'k', 6, 1, 10);
    const top = intOption(o.values.top, 'top', 5, 0, 1000);
    const maxRecords = intOption(o.values['max-records'], 'max-records', 1000, 0, Number.MAX_SAFE_INTEGER);
    const reports: FileReport[] = [];
    let failed = 0;
    for (const path of o.positional) {
      let report: FileReport;
      try {
        report = await statsOf(path, k, top, maxRecords);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (!(err instanceof DataFormatError || code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES')) throw err;
        console.error(
          `seqlab: ${err instanceof DataFormatError ? err.message : `${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`}`,
        );
        failed++;
        continue;
      }
      if (o.flags.has('json')) reports.push(report);
      else if (report.kind === 'dna') printDna(report, k);
      else printWav(report);
    }
    if (o.flags.has('json')) console.log(JSON.stringify(reports));
    return failed > 0 ? 1 : 0;
  },
};
