// Streaming FASTA reader: plain, gzip or BGZF; records with name and description; wrapped or
// unwrapped lines, CRLF, empty lines, lowercase (soft-masked, kept as is), IUPAC codes, gaps.
// Bases arrive in chunks (never a whole record in memory), and each record's line layout is
// measured on the way so an index (fasta-index.ts) can seek into it later.
import { contentChunks, detectContainer, type ContentStreamOptions } from './container';
import { DataFormatError, showByte } from './errors';
import { RESIDUE } from './nucleotides';
import type { RandomAccessSource } from './source';

export interface FastaHeader {
  /** 0-based position of the record in the file. */
  readonly index: number;
  /** The header up to the first whitespace. */
  readonly name: string;
  /** The rest of the header line, trimmed. */
  readonly description: string;
  /** Content byte offset of the '>' and its 1-based line. */
  readonly offset: number;
  readonly line: number;
}

/**
 * Where a record's bases lie in the (decompressed) contents. When every line but the last holds
 * `lineBases` bases in `lineBytes` bytes, base p is at seqOffset + floor(p/lineBases)*lineBytes +
 * p%lineBases (as in samtools' .fai); otherwise lineBases is 0 and `checkpoints[k]` holds the byte
 * offset of base k*CHECKPOINT_BASES.
 */
export interface FastaRecordLayout {
  readonly length: number;
  /** Offset of the first base (of the line after the header when the record is empty). */
  readonly seqOffset: number;
  /** Offset just past the record (the next '>' or the end of the contents). */
  readonly endOffset: number;
  readonly lineBases: number;
  readonly lineBytes: number;
  readonly checkpoints?: number[];
}

export type FastaEvent =
  | { readonly type: 'header'; readonly header: FastaHeader }
  /** Residue bytes exactly as in the file (case kept), newlines removed; `start` is the position of bases[0] in the record. */
  | { readonly type: 'bases'; readonly record: number; readonly start: number; readonly bases: Uint8Array }
  | { readonly type: 'end'; readonly record: number; readonly layout: FastaRecordLayout };

export interface FastaReadOptions extends ContentStreamOptions {
  /** Longest header line accepted (bytes); longer means this is not FASTA. */
  maxHeaderBytes?: number;
}

export const CHECKPOINT_BASES = 65536;
/**
 * Bytes parsed at a time: a slice of short records makes an event each, and while they are
 * alive every young-generation GC copies them, so parsing 1 MiB of 33-byte records at once took
 * 5 times as long as 64 KiB slices of it (and held the event loop for 0.4 s).
 */
const PARSE_SLICE = 1 << 16;
const DEFAULT_MAX_HEADER = 1 << 20;
const LF = 10,
  CR = 13,
  GT = 62;

const enum Byte {
  Bad = 0,
  Residue,
  Newline,
  Blank,
  HeaderStart,
}
const BYTE_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) if (RESIDUE[b] !== 0) t[b] = Byte.Residue;
  t[LF] = Byte.Newline;
  t[CR] = Byte.Blank;
  t[32] = Byte.Blank;
  t[9] = Byte.Blank;
  t[GT] = Byte.HeaderStart;
  return t;
})();

/** Streams the events of a FASTA file (detects gzip/BGZF by content). */
export async function* readFasta(src: RandomAccessSource, opts: FastaReadOptions = {}): AsyncGenerator<FastaEvent> {
  const parser = new FastaParser(src.name, opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER);
  const container = await detectContainer(src);
  for await (const chunk of contentChunks(src, container, opts))
    for (let at = 0; at < chunk.length; at += PARSE_SLICE) yield* parser.push(chunk.subarray(at, at + PARSE_SLICE));
  yield* parser.finish();
}

/** The push parser behind readFasta: feed content chunks in order, then finish(). */
export class FastaParser {
  private offset = 0; // content offset of the next byte pushed
  private line = 1;
  private inHeader = false;
  private header: number[] = [];
  private headerOffset = 0;
  private headerLine = 0;
  private record = -1;
  private length = 0; // bases so far in the current record
  private prevByte = LF;
  // Layout of the current record.
  private seqOffset = 0;
  private lineStart = 0;
  private lineBaseCount = 0;
  private lineBases = 0;
  private lineBytes = 0;
  private uniform = true;
  private sawShortLine = false;
  private sawBlankAfterBases = false;
  private checkpoints: number[] = [];
  private nextCheckpoint = 0;

  constructor(
    private readonly file: string,
    private readonly maxHeaderBytes: number,
  ) {}

  push(chunk: Uint8Array): FastaEvent[] {
    const events: FastaEvent[] = [];
    const out = new Uint8Array(chunk.length); // fresh per chunk, so the events' views stay valid
    let n = 0,
      from = 0;
    const flush = () => {
      if (n > from)
        events.push({
          type: 'bases',
          record: this.record,
          start: this.length - (n - from),
          bases: out.subarray(from, n),
        });
      from = n;
    };
    const base = this.offset;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.inHeader) {
        if (b === LF) {
          this.finishHeader(events, base + i);
        } else if (this.header.length >= this.maxHeaderBytes) {
          this.fail(base + i, `header line longer than ${this.maxHeaderBytes} bytes`);
        } else if ((b < 32 && b !== 9 && b !== CR) || b === 127) {
          this.fail(base + i, `control byte ${showByte(b)} in a header line (binary data?)`);
        } else this.header.push(b);
        continue;
      }
      switch (BYTE_CLASS[b]) {
        case Byte.Residue:
          if (this.record < 0) this.fail(base + i, `sequence data ${showByte(b)} before any '>' header`);
          if (this.lineBaseCount === 0 && this.length === 0) this.seqOffset = base + i;
          if (this.length === this.nextCheckpoint) {
            this.checkpoints.push(base + i);
            this.nextCheckpoint += CHECKPOINT_BASES;
          }
          out[n++] = b;
          this.length++;
          this.lineBaseCount++;
          break;
        case Byte.Newline:
          this.endLine(base + i + 1, i > 0 ? chunk[i - 1] : this.prevByte);
          this.line++;
          break;
        case Byte.Blank:
          break;
        case Byte.HeaderStart:
          if (base + i !== this.lineStart) this.fail(base + i, `'>' inside a sequence line`);
          flush();
          if (this.record >= 0) events.push(this.endRecord(base + i));
          this.inHeader = true;
          this.header = [];
          this.headerOffset = base + i;
          this.headerLine = this.line;
          break;
        default:
          this.fail(
            base + i,
            `${showByte(b)} is not a nucleotide code${this.record < 0 ? ' (and no header yet)' : ''}`,
          );
      }
    }
    if (chunk.length > 0) this.prevByte = chunk[chunk.length - 1];
    this.offset += chunk.length;
    flush();
    return events;
  }

  finish(): FastaEvent[] {
    const events: FastaEvent[] = [];
    if (this.inHeader)
      this.finishHeader(events, this.offset - 1); // a header at the end of the file: no LF, no bases
    else if (this.offset > this.lineStart) this.endLine(this.offset, -1); // last line without a newline
    if (this.record >= 0) events.push(this.endRecord(this.offset));
    return events;
  }

  private fail(offset: number, problem: string): never {
    throw new DataFormatError(this.file, { offset, line: this.line }, problem);
  }

  private finishHeader(events: FastaEvent[], lfOffset: number): void {
    let bytes = this.header;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.slice(0, -1);
    const text = Buffer.from(bytes).toString('utf8').trim();
    const space = text.search(/\s/);
    const name = space < 0 ? text : text.slice(0, space);
    if (name.length === 0) this.fail(this.headerOffset, 'header without a name');
    this.record++;
    this.inHeader = false;
    this.resetRecord(lfOffset + 1);
    this.line++;
    events.push({
      type: 'header',
      header: {
        index: this.record,
        name,
        description: space < 0 ? '' : text.slice(space + 1).trim(),
        offset: this.headerOffset,
        line: this.headerLine,
      },
    });
  }

  private resetRecord(seqStart: number): void {
    this.length = 0;
    this.seqOffset = seqStart;
    this.lineStart = seqStart;
    this.lineBaseCount = 0;
    this.lineBases = 0;
    this.lineBytes = 0;
    this.uniform = true;
    this.sawShortLine = false;
    this.sawBlankAfterBases = false;
    this.checkpoints = [];
    this.nextCheckpoint = 0;
  }

  /** Accounts for the line [lineStart, end); `lastByte` is the byte before its LF (-1 at EOF). */
  private endLine(end: number, lastByte: number): void {
    const bases = this.lineBaseCount;
    const bytes = end - this.lineStart;
    this.lineStart = end;
    this.lineBaseCount = 0;
    if (bases === 0) {
      if (this.length > 0) this.sawBlankAfterBases = true;
      return;
    }
    if (!this.uniform) return;
    // Clean: the bases are the line's first bytes, then only LF, CRLF, or nothing at EOF.
    const extra = bytes - bases;
    const clean = lastByte < 0 ? extra === 0 : extra === 1 || (extra === 2 && lastByte === CR);
    if (!clean || this.sawShortLine || this.sawBlankAfterBases) {
      this.uniform = false;
      return;
    }
    if (this.lineBases === 0) {
      this.lineBases = bases;
      this.lineBytes = bytes;
      return;
    }
    if (bases > this.lineBases) this.uniform = false;
    else if (bases < this.lineBases || (lastByte >= 0 && bytes !== this.lineBytes)) this.sawShortLine = true;
  }

  private endRecord(endOffset: number): FastaEvent {
    const uniform = this.uniform && this.length > 0;
    const layout: FastaRecordLayout = uniform
      ? {
          length: this.length,
          seqOffset: this.seqOffset,
          endOffset,
          lineBases: this.lineBases,
          lineBytes: this.lineBytes,
        }
      : {
          length: this.length,
          seqOffset: this.seqOffset,
          endOffset,
          lineBases: 0,
          lineBytes: 0,
          checkpoints: this.checkpoints,
        };
    return { type: 'end', record: this.record, layout };
  }
}
