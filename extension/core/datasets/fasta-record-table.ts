// The records of a FASTA index in a compact layout: one column of numbers per field, in typed
// array blocks, and every name and description in one string, so a file of millions of short
// records costs 41 bytes per record plus its names, and no object each (an object per
// record took 409 MB of heap for a million). A record object is made only when asked for.
// Names hold no whitespace and headers no newline, so the text is "\n" name "\t" description per
// record, and a name is found with one indexOf over it.
import { CHECKPOINT_BASES, type FastaHeader, type FastaRecordLayout } from './fasta';

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

/** The table as plain arrays (what the saved index stores). */
export interface FastaRecordColumns {
  /** Per record "\n" name "\t" description; record i's entry starts at textStart[i]. */
  readonly text: string;
  readonly textStart: readonly number[];
  readonly headerOffset: readonly number[];
  /** Where the last record ends (the end of the contents); each other record ends at the next '>'. */
  readonly contentEnd: number;
  readonly seqOffset: readonly number[];
  readonly length: readonly number[];
  readonly lineBases: readonly number[];
  /** lineBytes - lineBases: the line end (0 for a single line at the end of the file, 1 for LF, 2 for CRLF). */
  readonly lineEnd: readonly number[];
  /** Record i's checkpoints start at checkpointStart[i] in checkpoints. */
  readonly checkpointStart: readonly number[];
  readonly checkpoints: readonly number[];
}

type BlockKind = Float64ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
const BLOCK_SHIFT = 14;
const BLOCK = 1 << BLOCK_SHIFT;

/**
 * A column of numbers in typed-array blocks of BLOCK values: appending allocates a block at a
 * time and never copies (growing one array by doubling copied tens of MB at once, a long
 * pause of the event loop), and at most one block is unused.
 */
class Column {
  private readonly blocks: Array<Float64Array | Uint32Array | Uint8Array> = [];
  length = 0;
  bytes = 0;

  constructor(private readonly kind: BlockKind) {}

  push(v: number): void {
    if ((this.length & (BLOCK - 1)) === 0) {
      this.blocks.push(new this.kind(BLOCK));
      this.bytes += BLOCK * this.kind.BYTES_PER_ELEMENT;
    }
    this.blocks[this.length >> BLOCK_SHIFT][this.length & (BLOCK - 1)] = v;
    this.length++;
  }

  at(i: number): number {
    return this.blocks[i >> BLOCK_SHIFT][i & (BLOCK - 1)];
  }

  toArray(): number[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}

/** The columns with a value per record, and the checkpoints. */
const PER_RECORD = [
  'textStart',
  'headerOffset',
  'seqOffset',
  'length',
  'lineBases',
  'lineEnd',
  'checkpointStart',
] as const;

function newColumns() {
  return {
    textStart: new Column(Uint32Array),
    headerOffset: new Column(Float64Array),
    seqOffset: new Column(Float64Array),
    length: new Column(Float64Array),
    lineBases: new Column(Float64Array),
    lineEnd: new Column(Uint8Array),
    checkpointStart: new Column(Uint32Array),
    checkpoints: new Column(Float64Array),
  };
}
type Columns = ReturnType<typeof newColumns>;

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export class FastaRecordTable {
  /** Takes the columns as they are: fromColumns checks what comes from outside, the builder makes them right. */
  constructor(
    private readonly text: string,
    private readonly columns: Columns,
    private readonly contentEnd: number,
    readonly totalBases: number,
  ) {}

  /** The table of checked columns (a saved index); undefined when they do not describe one. */
  static fromColumns(c: FastaRecordColumns): FastaRecordTable | undefined {
    const n = Array.isArray(c.seqOffset) ? c.seqOffset.length : -1;
    const counts = (a: readonly number[], want: number) => Array.isArray(a) && a.length === want && a.every(isCount);
    if (typeof c.text !== 'string' || !isCount(c.contentEnd) || !counts(c.checkpoints, c.checkpoints?.length))
      return undefined;
    if (!PER_RECORD.every((k) => counts(c[k], n))) return undefined;
    const columns = newColumns();
    let total = 0;
    for (let i = 0; i < n; i++) {
      const textEnd = i + 1 < n ? c.textStart[i + 1] : c.text.length;
      const end = i + 1 < n ? c.headerOffset[i + 1] : c.contentEnd;
      const pointsEnd = i + 1 < n ? c.checkpointStart[i + 1] : c.checkpoints.length;
      const from = c.textStart[i],
        tab = c.text.indexOf('\t', from),
        newline = c.text.indexOf('\n', from + 1);
      const points = pointsEnd - c.checkpointStart[i];
      const ok =
        (i > 0 || (from === 0 && c.checkpointStart[0] === 0)) &&
        c.text[from] === '\n' &&
        from + 1 < tab &&
        tab < textEnd &&
        !(newline >= 0 && newline < textEnd) &&
        c.headerOffset[i] < c.seqOffset[i] &&
        c.seqOffset[i] <= end &&
        (c.lineBases[i] > 0
          ? c.lineEnd[i] <= 2 && points === 0
          : c.lineEnd[i] === 0 && points === Math.ceil(c.length[i] / CHECKPOINT_BASES));
      if (!ok) return undefined;
      for (const k of PER_RECORD) columns[k].push(c[k][i]);
      total += c.length[i];
    }
    if (n === 0 && c.text !== '') return undefined;
    for (const p of c.checkpoints) columns.checkpoints.push(p);
    return new FastaRecordTable(c.text, columns, c.contentEnd, total);
  }

  get count(): number {
    return this.columns.seqOffset.length;
  }

  /** Record `i` as an object (made now: the table holds none). */
  get(i: number): FastaIndexRecord {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count))
      throw new RangeError(`no record ${i} (the index has ${this.count})`);
    const c = this.columns,
      last = i + 1 === this.count;
    const from = c.textStart.at(i) + 1;
    const tab = this.text.indexOf('\t', from);
    const lineBases = c.lineBases.at(i);
    const pointsFrom = c.checkpointStart.at(i),
      pointsEnd = last ? c.checkpoints.length : c.checkpointStart.at(i + 1);
    return {
      name: this.text.slice(from, tab),
      description: this.text.slice(tab + 1, last ? this.text.length : c.textStart.at(i + 1)),
      length: c.length.at(i),
      headerOffset: c.headerOffset.at(i),
      seqOffset: c.seqOffset.at(i),
      endOffset: last ? this.contentEnd : c.headerOffset.at(i + 1),
      lineBases,
      lineBytes: lineBases > 0 ? lineBases + c.lineEnd.at(i) : 0,
      ...(lineBases > 0
        ? {}
        : { checkpoints: Array.from({ length: pointsEnd - pointsFrom }, (_, k) => c.checkpoints.at(pointsFrom + k)) }),
    };
  }

  /** The position of the first record with this name, or -1. */
  find(name: string): number {
    if (name === '' || /\s/.test(name)) return -1;
    const at = this.text.indexOf(`\n${name}\t`);
    if (at < 0) return -1;
    let lo = 0,
      hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.columns.textStart.at(mid) <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The columns as plain arrays, for JSON. */
  toColumns(): FastaRecordColumns {
    const c = this.columns;
    return {
      text: this.text,
      contentEnd: this.contentEnd,
      textStart: c.textStart.toArray(),
      headerOffset: c.headerOffset.toArray(),
      seqOffset: c.seqOffset.toArray(),
      length: c.length.toArray(),
      lineBases: c.lineBases.toArray(),
      lineEnd: c.lineEnd.toArray(),
      checkpointStart: c.checkpointStart.toArray(),
      checkpoints: c.checkpoints.toArray(),
    };
  }
}

/** Adds records while the table stays within `maxBytes` (its blocks and its text; past it by a block at most). */
export class FastaRecordTableBuilder {
  private readonly columns = newColumns();
  private contentEnd = 0;
  private totalBases = 0;
  /** Finished text pieces, and the entries of the piece being filled (joined every 64 Ki characters). */
  private readonly pieces: string[] = [];
  private entries: string[] = [];
  private pieceChars = 0;
  private textChars = 0;

  constructor(readonly maxBytes: number) {}

  get count(): number {
    return this.columns.seqOffset.length;
  }

  /** Adds a record; false (and nothing added) when the table would then pass maxBytes. */
  add(header: FastaHeader, layout: FastaRecordLayout): boolean {
    const c = this.columns;
    const entry = `\n${header.name}\t${header.description}`;
    const bytes = Object.values(c).reduce((n, col) => n + col.bytes, this.textChars);
    if (bytes + entry.length > this.maxBytes) return false;
    c.textStart.push(this.textChars);
    this.entries.push(entry);
    this.pieceChars += entry.length;
    this.textChars += entry.length;
    if (this.pieceChars >= 1 << 16) this.closePiece();
    c.headerOffset.push(header.offset);
    c.seqOffset.push(layout.seqOffset);
    c.length.push(layout.length);
    c.lineBases.push(layout.lineBases);
    c.lineEnd.push(layout.lineBases > 0 ? layout.lineBytes - layout.lineBases : 0);
    c.checkpointStart.push(c.checkpoints.length);
    for (const p of layout.checkpoints ?? []) c.checkpoints.push(p);
    this.contentEnd = layout.endOffset;
    this.totalBases += layout.length;
    return true;
  }

  finish(): FastaRecordTable {
    this.closePiece();
    return new FastaRecordTable(this.pieces.join(''), this.columns, this.contentEnd, this.totalBases);
  }

  private closePiece(): void {
    this.pieces.push(this.entries.join(''));
    this.entries = [];
    this.pieceChars = 0;
  }
}
