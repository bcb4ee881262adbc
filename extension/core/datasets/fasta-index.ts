// Random access into FASTA files, like samtools' .fai (plus a BGZF block table like .gzi):
// built while streaming the file once, kept in memory, and written beside the file
// (FILE.seqlab-index.json) only when asked. Records with ragged line wrapping, which .fai
// cannot describe, get a checkpoint every CHECKPOINT_BASES bases instead.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { contentRangeChunks, detectContainer, type BgzfBlock, type Container } from './container';
import { CHECKPOINT_BASES, readFasta, type FastaReadOptions } from './fasta';
import { DataFormatError } from './errors';
import { RESIDUE } from './nucleotides';
import { nRuns, softMaskedRuns, type Run } from './sequence-runs';
import { openFileSource, type RandomAccessSource, type StreamOptions } from './source';

export interface FastaIndexRecord {
  readonly name: string;
  readonly description: string;
  readonly length: number;
  /** Content offsets: the '>', the first base, just past the record. */
  readonly headerOffset: number;
  readonly seqOffset: number;
  readonly endOffset: number;
  /** Bases and bytes per full line (0 when lines are ragged: then checkpoints are set). */
  readonly lineBases: number;
  readonly lineBytes: number;
  readonly checkpoints?: readonly number[];
}

export interface FastaIndex {
  readonly format: 'seqlab-fasta-index';
  readonly version: 1;
  readonly fileSize: number;
  readonly fileMtimeMs?: number;
  readonly container: Container;
  /** [compressed offset, content offset] of each BGZF block. */
  readonly bgzfBlocks?: ReadonlyArray<readonly [number, number]>;
  readonly records: readonly FastaIndexRecord[];
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

/** Streams the file once and returns its index. */
export async function buildFastaIndex(src: RandomAccessSource, opts: FastaReadOptions = {}): Promise<FastaIndex> {
  const container = await detectContainer(src);
  const blocks: Array<readonly [number, number]> = [];
  const records: FastaIndexRecord[] = [];
  let header: { name: string; description: string; offset: number } | undefined;
  const onBgzfBlock = (b: BgzfBlock) => {
    blocks.push([b.compressedOffset, b.contentOffset]);
    opts.onBgzfBlock?.(b);
  };
  for await (const ev of readFasta(src, { ...opts, onBgzfBlock })) {
    if (ev.type === 'header') header = ev.header;
    else if (ev.type === 'end' && header) {
      const { layout } = ev;
      records.push({
        name: header.name,
        description: header.description,
        length: layout.length,
        headerOffset: header.offset,
        seqOffset: layout.seqOffset,
        endOffset: layout.endOffset,
        lineBases: layout.lineBases,
        lineBytes: layout.lineBytes,
        ...(layout.checkpoints ? { checkpoints: layout.checkpoints } : {}),
      });
    }
  }
  return {
    format: 'seqlab-fasta-index',
    version: 1,
    fileSize: src.size,
    container,
    ...(container === 'bgzf' ? { bgzfBlocks: blocks } : {}),
    records,
  };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks an index read from disk; returns undefined when it is not a usable index. */
export function parseFastaIndex(json: unknown): FastaIndex | undefined {
  const ix = json as Partial<FastaIndex> | null;
  if (!ix || ix.format !== 'seqlab-fasta-index' || ix.version !== 1 || !isCount(ix.fileSize)) return undefined;
  if (ix.container !== 'plain' && ix.container !== 'gzip' && ix.container !== 'bgzf') return undefined;
  if (!Array.isArray(ix.records)) return undefined;
  if (
    ix.container === 'bgzf' &&
    !(
      Array.isArray(ix.bgzfBlocks) &&
      ix.bgzfBlocks.every((b) => Array.isArray(b) && b.length === 2 && isCount(b[0]) && isCount(b[1]))
    )
  )
    return undefined;
  const recordOk = (r: FastaIndexRecord | null) =>
    typeof r === 'object' &&
    r !== null &&
    typeof r.name === 'string' &&
    typeof r.description === 'string' &&
    [r.length, r.headerOffset, r.seqOffset, r.endOffset, r.lineBases, r.lineBytes].every(isCount) &&
    r.headerOffset < r.seqOffset &&
    r.seqOffset <= r.endOffset &&
    (r.lineBases > 0
      ? r.lineBytes >= r.lineBases && r.checkpoints === undefined
      : r.length === 0 ||
        (Array.isArray(r.checkpoints) &&
          r.checkpoints.length === Math.ceil(r.length / CHECKPOINT_BASES) &&
          r.checkpoints.every(isCount)));
  return ix.records.every(recordOk) ? (ix as FastaIndex) : undefined;
}

/** A saved index, or undefined when there is none or it is not valid JSON of an index (then it is rebuilt). */
async function loadSavedIndex(indexPath: string): Promise<FastaIndex | undefined> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseFastaIndex(JSON.parse(text));
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export interface OpenFastaOptions extends FastaReadOptions {
  /** Write the index beside the file (FILE.seqlab-index.json) when it had to be built. */
  saveIndex?: boolean;
}

/** A FASTA file with its index: records by name or position, bases of any range. */
export class IndexedFasta {
  private readonly byName = new Map<string, number>();
  private readonly blocks: BgzfBlock[];

  constructor(
    readonly source: RandomAccessSource,
    readonly index: FastaIndex,
    readonly indexOrigin: 'loaded' | 'built',
  ) {
    index.records.forEach((r, i) => {
      if (!this.byName.has(r.name)) this.byName.set(r.name, i);
    });
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
      const saved = await loadSavedIndex(indexPathFor(path));
      if (saved && saved.fileSize === src.size && saved.fileMtimeMs === mtimeMs)
        return new IndexedFasta(src, saved, 'loaded');
      const index = { ...(await buildFastaIndex(src, opts)), fileMtimeMs: mtimeMs };
      if (opts.saveIndex) await writeFile(indexPathFor(path), JSON.stringify(index));
      return new IndexedFasta(src, index, 'built');
    } catch (err) {
      await src.close();
      throw err;
    }
  }

  get records(): readonly FastaIndexRecord[] {
    return this.index.records;
  }

  /** The position of the first record with this name, or -1. */
  recordNamed(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  /** Bases [start, end) of record `i`, exactly as in the file (case kept), newlines removed. */
  async readBases(i: number, start: number, end: number, opts: StreamOptions = {}): Promise<Uint8Array> {
    const rec = this.index.records[i];
    if (!rec) throw new RangeError(`${this.source.name}: no record ${i} (the file has ${this.index.records.length})`);
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
