// Streaming FASTQ reader (plain, gzip or BGZF): records of name, description, bases and
// qualities (Phred+33 bytes as in the file). Sequence and quality may wrap over several lines
// (the Sanger definition); a '+' line that repeats the title must repeat it exactly.
import { contentChunks, detectContainer, type ContentStreamOptions } from './container';
import { DataFormatError, showByte } from './errors';
import { RESIDUE } from './nucleotides';
import type { RandomAccessSource } from './source';

export interface FastqRecord {
  readonly index: number;
  readonly name: string;
  readonly description: string;
  /** Residue bytes as in the file (case kept). */
  readonly bases: Uint8Array;
  /** Quality bytes as in the file: Phred score + 33. */
  readonly quality: Uint8Array;
  /** Content offset of the '@' and its 1-based line. */
  readonly offset: number;
  readonly line: number;
}

export interface FastqReadOptions extends ContentStreamOptions {
  /** Longest read accepted, in bases; memory per record is about twice this. */
  maxReadLength?: number;
}

const DEFAULT_MAX_READ = 1 << 27;
const MAX_TITLE = 1 << 20;
const LF = 10,
  CR = 13,
  AT = 64,
  PLUS = 43;
const QUAL_MIN = 33,
  QUAL_MAX = 126;

export async function* readFastq(src: RandomAccessSource, opts: FastqReadOptions = {}): AsyncGenerator<FastqRecord> {
  const parser = new FastqParser(src.name, opts.maxReadLength ?? DEFAULT_MAX_READ);
  const container = await detectContainer(src);
  for await (const chunk of contentChunks(src, container, opts)) yield* parser.push(chunk);
  yield* parser.finish();
}

/** A byte buffer that doubles as it grows, up to a limit. */
class GrowBuffer {
  bytes = new Uint8Array(256);
  length = 0;
  append(src: Uint8Array, from: number, to: number): void {
    const need = this.length + (to - from);
    if (need > this.bytes.length) {
      const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(src.subarray(from, to), this.length);
    this.length = need;
  }
  take(): Uint8Array {
    const out = this.bytes.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

const enum Expect {
  Title,
  Sequence,
  Quality,
}

export class FastqParser {
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private pending = new GrowBuffer(); // the current line, when it spans chunks
  private state = Expect.Title;
  private index = -1;
  private title = '';
  private titleOffset = 0;
  private titleLine = 0;
  private bases = new GrowBuffer();
  private quality = new GrowBuffer();

  constructor(
    private readonly file: string,
    private readonly maxReadLength: number,
  ) {}

  push(chunk: Uint8Array): FastqRecord[] {
    const records: FastqRecord[] = [];
    let from = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, from);
      if (lf < 0) break;
      this.takeLine(chunk, from, lf, records);
      from = lf + 1;
      this.line++;
      this.lineStart = this.offset + from;
    }
    if (from < chunk.length) {
      if (this.pending.length + chunk.length - from > this.lineLimit())
        this.fail(this.lineStart, `line longer than ${this.lineLimit()} bytes`);
      this.pending.append(chunk, from, chunk.length);
    }
    this.offset += chunk.length;
    return records;
  }

  finish(): FastqRecord[] {
    const records: FastqRecord[] = [];
    if (this.pending.length > 0) this.takeLine(new Uint8Array(0), 0, 0, records);
    if (this.state === Expect.Sequence)
      this.fail(this.offset, `file ends inside record "${this.title}" before its '+' line`);
    if (this.state === Expect.Quality) {
      this.fail(
        this.offset,
        `file ends inside record "${this.title}": ${this.quality.length} quality values for ${this.bases.length} bases`,
      );
    }
    return records;
  }

  private lineLimit(): number {
    return this.state === Expect.Title ? MAX_TITLE : this.maxReadLength + 2;
  }

  private fail(offset: number, problem: string, line = this.line): never {
    throw new DataFormatError(this.file, { offset, line }, problem);
  }

  /** Handles the line chunk[from, to) (preceded by any pending bytes), without its LF. */
  private takeLine(chunk: Uint8Array, from: number, to: number, records: FastqRecord[]): void {
    let text = chunk.subarray(from, to);
    if (this.pending.length > 0) {
      this.pending.append(chunk, from, to);
      text = this.pending.take();
    }
    if (text.length > 0 && text[text.length - 1] === CR) text = text.subarray(0, text.length - 1);
    if (this.state === Expect.Title) this.takeTitle(text);
    else if (this.state === Expect.Sequence) this.takeSequence(text);
    else this.takeQuality(text, records);
  }

  private takeTitle(text: Uint8Array): void {
    if (text.length === 0) return; // blank lines between records
    if (text[0] !== AT) this.fail(this.lineStart, `expected a '@' title line, found ${showByte(text[0])}`);
    if (text.length > MAX_TITLE) this.fail(this.lineStart, `title line longer than ${MAX_TITLE} bytes`);
    for (let i = 1; i < text.length; i++) {
      if ((text[i] < 32 && text[i] !== 9) || text[i] === 127)
        this.fail(this.lineStart + i, `control byte ${showByte(text[i])} in a title line (binary data?)`);
    }
    this.title = Buffer.from(text.subarray(1)).toString('utf8').trim();
    if (this.title.length === 0) this.fail(this.lineStart, 'title line without a name');
    this.titleOffset = this.lineStart;
    this.titleLine = this.line;
    this.index++;
    this.state = Expect.Sequence;
  }

  private takeSequence(text: Uint8Array): void {
    if (text.length > 0 && text[0] === PLUS) {
      const repeat = Buffer.from(text.subarray(1)).toString('utf8').trim();
      if (repeat.length > 0 && repeat !== this.title)
        this.fail(this.lineStart, `'+' line repeats "${repeat}", not the title "${this.title}"`);
      this.state = Expect.Quality; // an empty read (allowed) takes one empty quality line
      return;
    }
    for (let i = 0; i < text.length; i++) {
      if (RESIDUE[text[i]] === 0)
        this.fail(this.lineStart + i, `${showByte(text[i])} is not a nucleotide code (record "${this.title}")`);
    }
    if (this.bases.length + text.length > this.maxReadLength)
      this.fail(this.lineStart, `read "${this.title}" longer than ${this.maxReadLength} bases`);
    this.bases.append(text, 0, text.length);
  }

  private takeQuality(text: Uint8Array, records: FastqRecord[]): void {
    for (let i = 0; i < text.length; i++) {
      if (text[i] < QUAL_MIN || text[i] > QUAL_MAX)
        this.fail(this.lineStart + i, `quality byte ${showByte(text[i])} outside '!'..'~' (record "${this.title}")`);
    }
    if (this.quality.length + text.length > this.bases.length) {
      this.fail(this.lineStart, `record "${this.title}" has more quality values than its ${this.bases.length} bases`);
    }
    this.quality.append(text, 0, text.length);
    if (this.quality.length < this.bases.length) return;
    const space = this.title.search(/\s/);
    records.push({
      index: this.index,
      name: space < 0 ? this.title : this.title.slice(0, space),
      description: space < 0 ? '' : this.title.slice(space + 1).trim(),
      bases: this.bases.take(),
      quality: this.quality.take(),
      offset: this.titleOffset,
      line: this.titleLine,
    });
    this.state = Expect.Title;
  }
}
