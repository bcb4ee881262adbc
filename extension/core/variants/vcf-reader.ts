// A VCF file read as a stream of records: plain, gzip or BGZF (container.ts), line by line with
// bounded memory. The header ('##' lines and the '#CHROM' line) is read first and handed to
// @gmod/vcf, which parses each data line's columns. Every data line comes out, in order: as a
// record (CHROM, POS, ID, REF, ALT list; the line's text kept for writing it back), or as a bad
// line with its problem, so one broken line never stops the rest. Problems of the file itself (no
// header, columns split by spaces) are notes naming the file and line; a corrupt or truncated
// compressed file ends the stream after the lines before it, and says where.
import VCF from '@gmod/vcf';
import { contentChunks, detectContainer, type Container } from '../datasets/container';
import { DataFormatError } from '../datasets/errors';
import { openFileSource, type RandomAccessSource, type StreamOptions } from '../datasets/source';

/** The fixed columns every record has, in order (VCF 4.x). */
export const VCF_COLUMNS = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'] as const;
/** A line longer than this is not VCF (a 2,500-sample 1000 Genomes line is about 50 KB). */
const MAX_LINE_CHARS = 1 << 26;

export interface VcfHeader {
  /** The '##' lines, as in the file. */
  readonly meta: readonly string[];
  /** The '#CHROM' line, tab-separated; undefined when the file has none. */
  readonly columns: string | undefined;
  readonly samples: readonly string[];
}

export interface VcfRecord {
  readonly kind: 'record';
  /** 1-based line in the file. */
  readonly line: number;
  /** The fixed columns CHROM to INFO (split on tabs, or on whitespace in a file whose header is split so). */
  readonly fields: readonly string[];
  /** FORMAT and the sample columns, tab-separated and left unsplit; undefined when the line has none. */
  readonly rest: string | undefined;
  readonly chrom: string;
  /** 1-based position of REF's first base. */
  readonly pos: number;
  readonly id: string | undefined;
  readonly ref: string;
  /** The ALT alleles; empty for '.'. */
  readonly alts: readonly string[];
}

export interface VcfBadLine {
  readonly kind: 'bad';
  readonly line: number;
  readonly fields: readonly string[];
  readonly rest: string | undefined;
  /** What is wrong, naming the file and line. */
  readonly problem: string;
}

export type VcfEntry = VcfRecord | VcfBadLine;

interface Line {
  readonly line: number;
  readonly text: string;
}

/** The lines of a source's contents (CR LF or LF), numbered from 1; the last may lack its newline. */
async function* contentLines(src: RandomAccessSource, container: Container, opts: StreamOptions): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8');
  let partial = '',
    line = 0;
  const overlong = (): Error =>
    new Error(`${src.name}: line ${line + 1}: longer than ${MAX_LINE_CHARS} characters: not VCF`);
  for await (const chunk of contentChunks(src, container, opts)) {
    const text = partial + decoder.decode(chunk, { stream: true });
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { line: ++line, text: text.slice(from, end) };
      from = nl + 1;
    }
    partial = text.slice(from);
    if (partial.length > MAX_LINE_CHARS) throw overlong();
  }
  partial += decoder.decode();
  if (partial.length > 0) yield { line: ++line, text: partial.endsWith('\r') ? partial.slice(0, -1) : partial };
}

/**
 * The fixed columns and the rest of a line, split on tabs (or on runs of blanks when the file
 * separates them so); the sample columns, which can be thousands, are not split.
 */
function split(text: string, onWhitespace: boolean): { fields: string[]; rest: string | undefined } {
  const n = VCF_COLUMNS.length;
  let cut = -1; // the tab after INFO
  for (let i = 0; i < n; i++) {
    cut = text.indexOf('\t', cut + 1);
    if (cut < 0) break;
  }
  const tabbed = cut >= 0 ? text.slice(0, cut).split('\t') : text.split('\t');
  if (!onWhitespace || tabbed.length >= n) return { fields: tabbed, rest: cut >= 0 ? text.slice(cut + 1) : undefined };
  const blank = text.trim().split(/\s+/);
  return { fields: blank.slice(0, n), rest: blank.length > n ? blank.slice(n).join('\t') : undefined };
}

/**
 * @gmod/vcf's parser of the data lines, over the '##' lines it accepts: one it refuses (no '=', a
 * bare CR inside, a malformed <...> value) is left out of it with a note naming its line, and
 * stays in the header as written.
 */
function lineParser(meta: readonly Line[], columns: string, where: (line: number) => string, notes: string[]): VCF {
  const build = (lines: readonly Line[]) =>
    new VCF({ header: [...lines.map((l) => l.text), columns].join('\n'), strict: false });
  try {
    return build(meta);
  } catch {
    // Some line is refused: each is tried on its own below.
  }
  const accepted = meta.filter((l) => {
    try {
      build([l]);
      return true;
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).split(/[\r\n]/)[0].slice(0, 200);
      notes.push(`${where(l.line)}: a header line the VCF parser refuses (${why}); left out of reading the records`);
      return false;
    }
  });
  return build(accepted);
}

export class VcfReader {
  private constructor(
    readonly source: RandomAccessSource,
    readonly container: Container,
    readonly header: VcfHeader,
    /** Problems of the file itself, each naming the file and line. */
    readonly notes: readonly string[],
    private readonly parser: VCF,
    private readonly onWhitespace: boolean,
    private readonly lines: AsyncGenerator<Line>,
    private readonly firstData: Line | undefined,
  ) {}

  static async open(path: string, opts: StreamOptions = {}): Promise<VcfReader> {
    const src = await openFileSource(path);
    try {
      return await VcfReader.fromSource(src, opts);
    } catch (err) {
      await src.close();
      throw err;
    }
  }

  /** Reads the header of `src` (up to its first record); the records follow from entries(). */
  static async fromSource(src: RandomAccessSource, opts: StreamOptions = {}): Promise<VcfReader> {
    const container = await detectContainer(src);
    const lines = contentLines(src, container, opts);
    const metaLines: Line[] = [],
      notes: string[] = [];
    let columnsLine: Line | undefined, firstData: Line | undefined;
    for (;;) {
      const r = await lines.next();
      if (r.done) break;
      const { text } = r.value;
      if (text.startsWith('##')) metaLines.push(r.value);
      else if (text.startsWith('#')) columnsLine = r.value;
      else if (text.trim() !== '') {
        firstData = r.value;
        break;
      }
    }
    const where = (line: number) => `${src.name}: line ${line}`;
    let columns = columnsLine?.text,
      onWhitespace = false;
    if (columnsLine && columns !== undefined) {
      const tabbed = columns.split('\t'),
        blank = columns.trim().split(/\s+/);
      const fixed = (cols: string[]) => VCF_COLUMNS.every((c, i) => cols[i] === c);
      if (!fixed(tabbed) && fixed(blank)) {
        onWhitespace = true;
        columns = blank.join('\t');
        notes.push(
          `${where(columnsLine.line)}: columns separated by spaces, not tabs as VCF requires; read by whitespace, written with tabs`,
        );
      } else if (!fixed(tabbed)) {
        notes.push(
          `${where(columnsLine.line)}: the #CHROM line does not name the VCF columns; read in VCF column order`,
        );
        columns = undefined;
      } else if (columns.includes('\r')) {
        // The VCF parser would take what follows the CR for a line of its own.
        notes.push(`${where(columnsLine.line)}: a bare CR in the #CHROM line; read in VCF column order`);
        columns = undefined;
      }
    } else if (firstData) {
      notes.push(`${where(firstData.line)}: no header (#CHROM line) before the first record; read in VCF column order`);
    }
    const parser = lineParser(metaLines, columns ?? VCF_COLUMNS.join('\t'), where, notes);
    const header = { meta: metaLines.map((l) => l.text), columns, samples: columns ? parser.samples : [] };
    return new VcfReader(src, container, header, notes, parser, onWhitespace, lines, firstData);
  }

  /** Set when a corrupt or truncated compressed file ended entries() early: the problem, naming the file, where, and the last line read. */
  stoppedBy: string | undefined;

  /** The data lines in order; a corrupt or truncated compressed file ends them early (see stoppedBy). */
  async *entries(): AsyncGenerator<VcfEntry> {
    let last = this.firstData?.line ?? 0;
    if (this.firstData) yield this.entry(this.firstData);
    try {
      for await (const l of this.lines) {
        last = l.line;
        if (l.text.trim() !== '') yield this.entry(l);
      }
    } catch (err) {
      if (!(err instanceof DataFormatError)) throw err;
      this.stoppedBy = `${err.message} (after line ${last}: the lines before it were read)`;
    }
  }

  private entry({ line, text }: Line): VcfEntry {
    const { fields, rest } = split(text, this.onWhitespace);
    const bad = (problem: string): VcfBadLine => ({
      kind: 'bad',
      line,
      fields,
      rest,
      problem: `${this.source.name}: line ${line}: ${problem}`,
    });
    if (text.startsWith('#')) return bad('a header line after the first record');
    if (fields.length < VCF_COLUMNS.length)
      return bad(`${fields.length} columns; a record has at least ${VCF_COLUMNS.length} (CHROM to INFO)`);
    let v: ReturnType<VCF['parseLine']>;
    try {
      v = this.parser.parseLine(fields.join('\t'));
    } catch (err) {
      return bad(err instanceof Error ? err.message : String(err));
    }
    if (!v.CHROM) return bad('CHROM is empty');
    if (!/^\d+$/.test(fields[1]) || !(v.POS >= 1) || !Number.isSafeInteger(v.POS))
      return bad(`POS "${fields[1]}" is not a position (a whole number from 1 to ${Number.MAX_SAFE_INTEGER})`);
    if (!v.REF || v.REF === '.') return bad(`REF "${fields[3]}" holds no bases`);
    return {
      kind: 'record',
      line,
      fields,
      rest,
      chrom: v.CHROM,
      pos: v.POS,
      id: v.ID?.join(';'),
      ref: v.REF,
      alts: v.ALT ?? [],
    };
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
