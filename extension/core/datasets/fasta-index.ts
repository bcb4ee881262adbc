// Random access into FASTA files, like samtools' .fai (plus a BGZF block table like .gzi):
// built while streaming the file once, kept in memory in a compact table (fasta-record-table.ts)
// under a memory bound, and written beside the file (FILE.seqlab-index.json) only when asked.
// Records with ragged line wrapping, which .fai cannot describe, get a checkpoint every
// CHECKPOINT_BASES bases instead.
import { stat, writeFile } from 'node:fs/promises';
import { contentRangeChunks, detectContainer, type BgzfBlock, type Container } from './container';
import { CHECKPOINT_BASES, readFasta, type FastaHeader, type FastaReadOptions } from './fasta';
import { FastaRecordTable, FastaRecordTableBuilder, type FastaRecordColumns } from './fasta-record-table';
import { DataFormatError, throwIfAborted } from './errors';
import { RESIDUE } from './nucleotides';
import { nRuns, softMaskedRuns, type Run } from './sequence-runs';
import { openFileSource, readAll, withFileSource, type RandomAccessSource, type StreamOptions } from './source';

export type { FastaIndexRecord } from './fasta-record-table';

export interface FastaIndex {
  readonly format: 'seqlab-fasta-index';
  readonly version: 2;
  readonly fileSize: number;
  readonly fileMtimeMs?: number;
  readonly container: Container;
  /** [compressed offset, content offset] of each BGZF block. */
  readonly bgzfBlocks?: ReadonlyArray<readonly [number, number]>;
  readonly records: FastaRecordTable;
}

/** What the pane draws for a region: the bases (case as in the file) and where they are masked or N. */
export interface FastaRegion {
  readonly record: number;
  readonly start: number;
  readonly end: number;
  readonly bases: Uint8Array;
  readonly softMasked: Run[];
  readonly nRuns: Run[];
}

export function indexPathFor(fastaPath: string): string {
  return `${fastaPath}.seqlab-index.json`;
}

export interface BuildIndexOptions extends FastaReadOptions {
  /** Most bytes the index may hold (about; its arrays and names); past it, indexing fails saying so. */
  maxIndexBytes?: number;
}

/** 256 MiB: about five million records with short names. */
export const DEFAULT_MAX_INDEX_BYTES = 1 << 28;
/** The longest the index builder runs before it lets the event loop (in the extension host, every extension's) run. */
const SLICE_MS = 10;

/**
 * Streams the file once and returns its index. It yields to the event loop every SLICE_MS of
 * work rather than running in a worker thread: the parser works in 64 KiB slices, so each
 * stretch stays short; the total work is the same either way; and a worker would need a bundle
 * entry of its own and send the names back as a copy, for an index the host then holds anyway.
 */
export async function buildFastaIndex(src: RandomAccessSource, opts: BuildIndexOptions = {}): Promise<FastaIndex> {
  const container = await detectContainer(src);
  const blocks: Array<readonly [number, number]> = [];
  const table = new FastaRecordTableBuilder(opts.maxIndexBytes ?? DEFAULT_MAX_INDEX_BYTES);
  let header: FastaHeader | undefined;
  const onBgzfBlock = (b: BgzfBlock) => {
    blocks.push([b.compressedOffset, b.contentOffset]);
    opts.onBgzfBlock?.(b);
  };
  let sliceStart = performance.now();
  for await (const ev of readFasta(src, { ...opts, onBgzfBlock })) {
    if (ev.type === 'header') header = ev.header;
    else if (ev.type === 'end' && header && !table.add(header, ev.layout)) {
      throw new DataFormatError(
        src.name,
        { offset: header.offset, line: header.line },
        `record ${table.count + 1} would take the index past ${table.maxBytes} bytes; ` +
          'a file of this many records cannot be indexed (split it, or read it with seqlab stats)',
      );
    }
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      throwIfAborted(opts.signal, src.name);
      sliceStart = performance.now();
    }
  }
  return {
    format: 'seqlab-fasta-index',
    version: 2,
    fileSize: src.size,
    container,
    ...(container === 'bgzf' ? { bgzfBlocks: blocks } : {}),
    records: table.finish(),
  };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The index as JSON: its fields, the record table as columns. */
export function fastaIndexToJson(index: FastaIndex): object {
  return { ...index, records: index.records.toColumns() };
}

/** Checks an index read from disk; returns undefined when it is not a usable index. */
export function parseFastaIndex(json: unknown): FastaIndex | undefined {
  const ix = json as (Omit<Partial<FastaIndex>, 'records'> & { records?: FastaRecordColumns }) | null;
  if (!ix || ix.format !== 'seqlab-fasta-index' || ix.version !== 2 || !isCount(ix.fileSize)) return undefined;
  if (ix.fileMtimeMs !== undefined && typeof ix.fileMtimeMs !== 'number') return undefined;
  if (ix.container !== 'plain' && ix.container !== 'gzip' && ix.container !== 'bgzf') return undefined;
  if (
    ix.container === 'bgzf' &&
    !(
      Array.isArray(ix.bgzfBlocks) &&
      ix.bgzfBlocks.every((b) => Array.isArray(b) && b.length === 2 && isCount(b[0]) && isCount(b[1]))
    )
  )
    return undefined;
  if (typeof ix.records !== 'object' || ix.records === null) return undefined;
  const records = FastaRecordTable.fromColumns(ix.records);
  return records ? { ...(ix as unknown as FastaIndex), records } : undefined;
}

/**
 * A saved index, or undefined when there is none, it is not a regular file, it is larger than an
 * index may be, or it is not valid JSON of an index (then it is rebuilt).
 */
async function loadSavedIndex(indexPath: string, maxIndexBytes: number): Promise<FastaIndex | undefined> {
  let bytes: Uint8Array;
  try {
    // JSON spells each number in about as many characters as its binary form takes bytes.
    bytes = await withFileSource(indexPath, (src) => readAll(src, 2 * maxIndexBytes));
  } catch {
    return undefined;
  }
  try {
    return parseFastaIndex(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof RangeError) return undefined;
    throw err;
  }
}

export interface OpenFastaOptions extends BuildIndexOptions {
  /** Write the index beside the file (FILE.seqlab-index.json) when it had to be built. */
  saveIndex?: boolean;
}

/** A FASTA file with its index: records by name or position, bases of any range. */
export class IndexedFasta {
  private readonly blocks: BgzfBlock[];

  constructor(
    readonly source: RandomAccessSource,
    readonly index: FastaIndex,
    readonly indexOrigin: 'loaded' | 'built',
  ) {
    this.blocks = (index.bgzfBlocks ?? []).map(([compressedOffset, contentOffset]) => ({
      compressedOffset,
      contentOffset,
    }));
  }

  /** Opens a file: loads a saved index that still matches it (size and mtime), or builds one by streaming the file. */
  static async open(path: string, opts: OpenFastaOptions = {}): Promise<IndexedFasta> {
    const src = await openFileSource(path);
    try {
      const { mtimeMs } = await stat(path);
      const saved = await loadSavedIndex(indexPathFor(path), opts.maxIndexBytes ?? DEFAULT_MAX_INDEX_BYTES);
      if (saved && saved.fileSize === src.size && saved.fileMtimeMs === mtimeMs)
        return new IndexedFasta(src, saved, 'loaded');
      const index = { ...(await buildFastaIndex(src, opts)), fileMtimeMs: mtimeMs };
      if (opts.saveIndex) await writeFile(indexPathFor(path), JSON.stringify(fastaIndexToJson(index)));
      return new IndexedFasta(src, index, 'built');
    } catch (err) {
      await src.close();
      throw err;
    }
  }

  get records(): FastaRecordTable {
    return this.index.records;
  }

  /** The position of the first record with this name, or -1. */
  recordNamed(name: string): number {
    return this.index.records.find(name);
  }

  /** Bases [start, end) of record `i`, exactly as in the file (case kept), newlines removed. */
  async readBases(i: number, start: number, end: number, opts: StreamOptions = {}): Promise<Uint8Array> {
    if (!(Number.isInteger(i) && i >= 0 && i < this.index.records.count))
      throw new RangeError(`${this.source.name}: no record ${i} (the file has ${this.index.records.count})`);
    const rec = this.index.records.get(i);
    if (!(
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(end) &&
      0 <= start &&
      start <= end &&
      end <= rec.length
    )) {
      throw new RangeError(
        `${this.source.name}: range [${start}, ${end}) is outside record "${rec.name}" of length ${rec.length}`,
      );
    }
    const out = new Uint8Array(end - start);
    if (out.length === 0) return out;
    // Seek to a known base: exact on regular lines, the checkpoint at or before `start` otherwise.
    let basePos: number, byte: number;
    if (rec.lineBases > 0) {
      basePos = start;
      byte = rec.seqOffset + Math.floor(start / rec.lineBases) * rec.lineBytes + (start % rec.lineBases);
    } else {
      const k = Math.floor(start / CHECKPOINT_BASES);
      basePos = k * CHECKPOINT_BASES;
      byte = rec.checkpoints![k];
    }
    let n = 0;
    for await (const chunk of contentRangeChunks(
      this.source,
      this.index.container,
      byte,
      rec.endOffset,
      this.blocks,
      opts,
    )) {
      for (let j = 0; j < chunk.length && n < out.length; j++) {
        if (RESIDUE[chunk[j]] === 0) continue;
        if (basePos >= start) out[n++] = chunk[j];
        basePos++;
      }
      if (n === out.length) return out;
    }
    throw new DataFormatError(
      this.source.name,
      { offset: rec.endOffset },
      `record "${rec.name}" ended after ${start + n} of ${end} bases: the file changed since it was indexed`,
    );
  }

  /** Bases [start, end) of record `i` with their soft-masked and N runs (record coordinates). */
  async readRegion(i: number, start: number, end: number, opts: StreamOptions = {}): Promise<FastaRegion> {
    const bases = await this.readBases(i, start, end, opts);
    return { record: i, start, end, bases, softMasked: softMaskedRuns(bases, start), nRuns: nRuns(bases, start) };
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
