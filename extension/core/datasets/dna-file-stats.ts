// Statistics of a whole FASTA or FASTQ file (plain, gzip or BGZF), streamed: each record's
// statistics (up to a limit kept), the total, and for FASTQ read lengths and mean quality.
import { contentChunks, detectContainer, type Container } from './container';
import { DnaStatsAccumulator, type DnaStats, type DnaStatsOptions } from './dna-stats';
import { DataFormatError, showByte } from './errors';
import { readFasta, type FastaReadOptions } from './fasta';
import { readFastq } from './fastq';
import type { RandomAccessSource } from './source';

export type SequenceFormat = 'fasta' | 'fastq';

export interface ReadSummary {
  readonly minLength: number;
  readonly maxLength: number;
  readonly meanLength: number;
  /** Mean Phred quality over all bases (qualities as Phred+33). */
  readonly meanQuality: number | null;
}

export interface DnaFileStats {
  readonly file: string;
  readonly format: SequenceFormat;
  readonly container: Container;
  /** The first `maxRecords` records' statistics. */
  readonly records: DnaStats[];
  /** How many records there were in all. */
  readonly recordCount: number;
  readonly total: DnaStats;
  readonly reads?: ReadSummary;
}

export interface DnaFileStatsOptions extends DnaStatsOptions, FastaReadOptions {
  /** Per-record statistics kept (the total always covers every record). */
  maxRecords?: number;
}

/** FASTA or FASTQ, from the first byte that is not blank; anything else is an error at that byte. */
export async function detectSequenceFormat(
  src: RandomAccessSource,
  container: Container,
): Promise<SequenceFormat | undefined> {
  let offset = 0;
  for await (const chunk of contentChunks(src, container, { chunkSize: 1 << 16 })) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 62) return 'fasta';
      if (b === 64) return 'fastq';
      if (b !== 10 && b !== 13 && b !== 32 && b !== 9) {
        throw new DataFormatError(
          src.name,
          { offset: offset + i },
          `expected a FASTA '>' or FASTQ '@' record, found ${showByte(b)}`,
        );
      }
    }
    offset += chunk.length;
  }
  return undefined; // empty, or only blank lines
}

export async function dnaFileStats(src: RandomAccessSource, opts: DnaFileStatsOptions = {}): Promise<DnaFileStats> {
  const container = await detectContainer(src);
  const format = (await detectSequenceFormat(src, container)) ?? 'fasta';
  const acc = new DnaStatsAccumulator(opts);
  const maxRecords = opts.maxRecords ?? Infinity;
  const records: DnaStats[] = [];
  let recordCount = 0;
  const keep = (s: DnaStats) => {
    if (records.length < maxRecords) records.push(s);
    recordCount++;
  };
  if (format === 'fasta') {
    for await (const ev of readFasta(src, opts)) {
      if (ev.type === 'header') acc.start(ev.header.name, ev.header.description);
      else if (ev.type === 'bases') acc.add(ev.bases);
      else keep(acc.end());
    }
    return { file: src.name, format, container, records, recordCount, total: acc.total() };
  }
  let minLength = Infinity,
    maxLength = 0,
    qualitySum = 0;
  for await (const rec of readFastq(src, opts)) {
    acc.start(rec.name, rec.description);
    acc.add(rec.bases);
    keep(acc.end());
    minLength = Math.min(minLength, rec.bases.length);
    maxLength = Math.max(maxLength, rec.bases.length);
    for (let i = 0; i < rec.quality.length; i++) qualitySum += rec.quality[i] - 33;
  }
  const total = acc.total();
  const reads: ReadSummary = {
    minLength: recordCount > 0 ? minLength : 0,
    maxLength,
    meanLength: recordCount > 0 ? total.length / recordCount : 0,
    meanQuality: total.length > 0 ? qualitySum / total.length : null,
  };
  return { file: src.name, format, container, records, recordCount, total, reads };
}
