// The source of a SeqLab notebook cell: a short `key: value` spec (YAML-like, `#` comments) that
// says what to analyze, generate or score, with which model and options. The user edits and
// re-runs it; the Analyze and Score Variants commands write one. Pure: parsed and written here,
// run by the controller.
import type { EngineChoice } from '../../../protocol/engine-messages';
import type { Modality } from '../../../protocol/notebook-output';
import { DEFAULT_WINDOW } from '../variants/variant-effect';

export type Action = 'analyze' | 'generate' | 'variants' | 'mutagenesis';
export type Strand = 'forward' | 'both';

/** A range of one record: [start, end) in 0-based positions (the spec says 1-based inclusive). */
export interface Region {
  record: string;
  start: number;
  end: number;
}

export interface CellSpec {
  action: Action;
  /**
   * The file, as written: workspace-relative, relative to the notebook, or absolute (the VCF of a
   * variants cell); for a mutagenesis cell the region as written.
   */
  file: string;
  modality: Modality;
  /** Model folder (config.json + model.safetensors); undefined: the default model setting. */
  model: string | undefined;
  /** undefined: the seqlab.backend setting. */
  backend: EngineChoice | undefined;
  /** DNA: GC window in bases; variants and mutagenesis: reference bases each side of an allele. */
  window: number;
  /** Variants and mutagenesis: the reference FASTA; undefined: the seqlab.referenceFasta setting. */
  reference: string | undefined;
  /** DNA: score the reverse complement too. */
  strand: Strand;
  /** DNA: one record's range; undefined: whole records. Mutagenesis: the region scored. */
  region: Region | undefined;
  /** DNA: how many records to analyze from the start of the file; variants: VCF records scored. */
  records: number;
  /** Audio: analyzed span in seconds [start, end); end undefined = to the end of the file. */
  startS: number;
  endS: number | undefined;
  /** Generate: record name (DNA; undefined = first) and position to continue from (bases 1-based, or seconds for audio). */
  record: string | undefined;
  from: number;
  length: number;
  temperature: number;
  topK: number;
  seed: number;
}

export class SpecError extends Error {
  override name = 'SpecError';
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`cell spec line ${line}: ${problem}`);
  }
}

const DNA_FILE = /\.(fa|fasta|fna|ffn|fastq|fq)(\.gz)?$/i;
const AUDIO_FILE = /\.wav$/i;
const VCF_FILE = /\.vcf(\.gz)?$/i;
/** Most positions a mutagenesis cell scores (3 substitutions each, both strands). */
export const MAX_MUTAGENESIS_BASES = 2000;
/** VCF records a variants cell scores unless `records:` says otherwise. */
const DEFAULT_VARIANT_RECORDS = 10_000;
/** The backends a variants or mutagenesis cell runs on (the kernels run in a worker thread: no ONNX). */
const KERNEL_BACKENDS = ['auto', 'webgpu', 'cpu'] as const;

/** True for a VCF file name (plain or gzip). */
export function isVcfFile(file: string): boolean {
  return VCF_FILE.test(file);
}

/** Which model family reads a file, from its name; undefined when SeqLab does not read it. */
export function modalityOf(file: string): Modality | undefined {
  if (DNA_FILE.test(file)) return 'dna';
  if (AUDIO_FILE.test(file)) return 'audio';
  return undefined;
}

type Setter = (spec: CellSpec, value: string, line: number) => void;

function integer(value: string, line: number, key: string, min: number, max: number): number {
  const v = /^[+]?\d[\d_,]*$/.test(value) ? Number(value.replace(/[_,]/g, '')) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new SpecError(line, `${key} must be a whole number from ${min} to ${max}, got "${value}"`);
  return v;
}
function decimal(value: string, line: number, key: string, min: number, max: number): number {
  // Digits, then the point's group: `\d+\.?\d*` would try every split of a long run of digits.
  const v = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(v) || v < min || v > max)
    throw new SpecError(line, `${key} must be a number from ${min} to ${max}, got "${value}"`);
  return v;
}
function choice<T extends string>(value: string, line: number, key: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(value))
    throw new SpecError(line, `${key} must be one of ${values.join(', ')}, got "${value}"`);
  return value as T;
}

/** NAME:START-END, 1-based inclusive like samtools; commas allowed in numbers. */
export function parseRegion(value: string, line: number): Region {
  const m = /^(\S+):([\d,_]+)-([\d,_]+)$/.exec(value);
  if (!m) throw new SpecError(line, `region must look like NAME:START-END (1-based, inclusive), got "${value}"`);
  const start = integer(m[2], line, 'region start', 1, Number.MAX_SAFE_INTEGER);
  const end = integer(m[3], line, 'region end', 1, Number.MAX_SAFE_INTEGER);
  if (end < start) throw new SpecError(line, `region end ${end} is before its start ${start}`);
  return { record: m[1], start: start - 1, end };
}

const SETTERS: Record<string, Setter> = {
  model: (s, v) => {
    s.model = v;
  },
  backend: (s, v, l) => {
    s.backend =
      s.action === 'variants' || s.action === 'mutagenesis'
        ? choice(v, l, 'backend', KERNEL_BACKENDS)
        : choice(v, l, 'backend', ['auto', 'webgpu', 'cpu', 'onnx'] as const);
  },
  reference: (s, v) => {
    s.reference = v;
  },
  window: (s, v, l) => {
    s.window = integer(v, l, 'window', 1, 1_000_000);
  },
  strand: (s, v, l) => {
    s.strand = choice(v, l, 'strand', ['forward', 'both'] as const);
  },
  region: (s, v, l) => {
    s.region = parseRegion(v, l);
  },
  records: (s, v, l) => {
    s.records = integer(v, l, 'records', 1, 100_000);
  },
  start: (s, v, l) => {
    s.startS = decimal(v, l, 'start', 0, 1e7);
  },
  end: (s, v, l) => {
    s.endS = decimal(v, l, 'end', 0, 1e7);
  },
  record: (s, v) => {
    s.record = v;
  },
  from: (s, v, l) => {
    s.from = decimal(v, l, 'from', 0, Number.MAX_SAFE_INTEGER);
  },
  length: (s, v, l) => {
    s.length = integer(v, l, 'length', 1, 1 << 16);
  },
  temperature: (s, v, l) => {
    s.temperature = decimal(v, l, 'temperature', 0.01, 10);
  },
  topK: (s, v, l) => {
    s.topK = integer(v, l, 'topK', 0, 1 << 16);
  },
  seed: (s, v, l) => {
    s.seed = integer(v, l, 'seed', 0, 2 ** 31 - 1);
  },
};

/** Keys each action accepts (besides its own), for "unknown key" errors that help. */
const KEYS: Record<Action, Partial<Record<Modality, readonly string[]>>> = {
  analyze: {
    dna: ['model', 'backend', 'window', 'strand', 'region', 'records'],
    audio: ['model', 'backend', 'start', 'end'],
  },
  generate: {
    dna: ['model', 'backend', 'record', 'from', 'length', 'temperature', 'topK', 'seed'],
    audio: ['model', 'backend', 'from', 'length', 'temperature', 'topK', 'seed'],
  },
  variants: { dna: ['reference', 'model', 'backend', 'window', 'records'] },
  mutagenesis: { dna: ['reference', 'model', 'backend', 'window'] },
};

function defaults(action: Action, file: string, modality: Modality): CellSpec {
  return {
    action,
    file,
    modality,
    model: undefined,
    backend: undefined,
    window: action === 'variants' || action === 'mutagenesis' ? DEFAULT_WINDOW : 100,
    reference: undefined,
    strand: 'forward',
    region: undefined,
    records: action === 'variants' ? DEFAULT_VARIANT_RECORDS : 20,
    startS: 0,
    endS: undefined,
    record: undefined,
    from: 0,
    length: modality === 'dna' ? 500 : 8000,
    temperature: 1,
    topK: 0,
    seed: 1,
  };
}

/** How the writer escapes a character in a "..." value (YAML's escapes; others are written `\uXXXX`). */
const ESCAPE: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\0': '\\0',
};
/** What the letter after a backslash stands for, the other way round. */
const UNESCAPE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ESCAPE).map(([c, escaped]) => [escaped[1], c]),
);
/** Control characters, and the separators an editor may take for line ends or offer to remove: written escaped. */
function unprintable(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/** The "..." value opening `text`: its value and the index after its closing quote. */
function doubleQuoted(text: string, line: number): { value: string; end: number } {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = text[++i] ?? '';
    const hex = /^[0-9a-f]{4}/i.exec(text.slice(i + 1))?.[0];
    if (e === 'u' && hex) {
      value += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (Object.hasOwn(UNESCAPE, e)) value += UNESCAPE[e];
    else
      throw new SpecError(
        line,
        `unknown escape "\\${e}" in a "..." value: write \\\\ for a backslash, or quote with '...'`,
      );
  }
  throw new SpecError(line, 'a "..." value has no closing quote');
}

/** The '...' value opening `text` (a quote inside is written twice): its value and the index after it. */
function singleQuoted(text: string, line: number): { value: string; end: number } {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== "'") value += text[i];
    else if (text[i + 1] === "'") value += text[++i];
    else return { value, end: i + 1 };
  }
  throw new SpecError(line, "a '...' value has no closing quote");
}

/**
 * A value as written after its key: quoted as YAML does ("..." with backslash escapes, '...' taken
 * as it is), a trailing # comment allowed after the quote; otherwise trimmed, a trailing # comment
 * cut. undefined when nothing is written.
 */
function valueOf(raw: string, line: number): string | undefined {
  const t = raw.trim();
  const quote = t[0];
  if (quote !== '"' && quote !== "'") {
    // The first " #" starts the comment; `\s+#.*$` would rescan a long run of spaces from each of them.
    const comment = t.search(/\s#/);
    return (comment < 0 ? t : t.slice(0, comment)).trim() || undefined;
  }
  const { value, end } = quote === '"' ? doubleQuoted(t, line) : singleQuoted(t, line);
  if (!/^(\s+#.*)?$/s.test(t.slice(end)))
    throw new SpecError(line, `unexpected "${t.slice(end)}" after the closing quote (a comment starts with " #")`);
  return value;
}

/** A value as the parser reads it back exactly: bare when that is safe, '...' or, for control characters, "..." with escapes. */
function specValue(value: string): string {
  const chars = Array.from(value);
  if (chars.some(unprintable)) {
    const escaped = chars.map((c) =>
      c === '\\' || c === '"' || unprintable(c)
        ? (ESCAPE[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
        : c,
    );
    return `"${escaped.join('')}"`;
  }
  if (value === '' || /^\s|\s$|#|^["']/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return value;
}

const FIRST_KEYS = '"analyze: FILE", "generate: FILE", "variants: FILE.vcf" or "mutagenesis: NAME:START-END"';

/** The modality an action's first value reads, or a SpecError saying what the value should be. */
function modalityFor(action: Action, value: string, line: number): Modality {
  if (action === 'variants') {
    if (!VCF_FILE.test(value)) throw new SpecError(line, `"${value}" is not a VCF file (.vcf or .vcf.gz)`);
    return 'dna';
  }
  if (action === 'mutagenesis') {
    const r = parseRegion(value, line);
    if (r.end - r.start > MAX_MUTAGENESIS_BASES)
      throw new SpecError(
        line,
        `a mutagenesis region holds at most ${MAX_MUTAGENESIS_BASES} bases, got ${r.end - r.start} (seqlab mutagenesis takes any region)`,
      );
    return 'dna';
  }
  const modality = modalityOf(value);
  if (!modality)
    throw new SpecError(
      line,
      `"${value}" is not a FASTA/FASTQ (.fa .fasta .fna .ffn .fastq .fq, optionally .gz) or WAV file`,
    );
  return modality;
}

const ACTIONS: readonly string[] = ['analyze', 'generate', 'variants', 'mutagenesis'] satisfies Action[];

/** Parses a cell source. The first key must be an action: `analyze: FILE`, `generate: FILE`, `variants: FILE.vcf` or `mutagenesis: NAME:START-END`. */
export function parseCellSpec(source: string): CellSpec {
  let spec: CellSpec | undefined;
  const seen = new Set<string>();
  // Line ends as an editor's: CRLF, LF or a lone CR.
  const lines = source.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1,
      text = lines[i].trim();
    if (text === '' || text.startsWith('#')) continue;
    const m = /^([A-Za-z][\w-]*)\s*:(.*)$/s.exec(text);
    if (!m) throw new SpecError(lineNo, `expected "key: value", got "${text}"`);
    const key = m[1],
      value = valueOf(m[2], lineNo);
    if (value === undefined) throw new SpecError(lineNo, `${key} has no value`);
    if (seen.has(key)) throw new SpecError(lineNo, `${key} is given twice`);
    seen.add(key);
    if (!spec) {
      if (!ACTIONS.includes(key)) throw new SpecError(lineNo, `the spec must start with ${FIRST_KEYS}, got "${key}"`);
      const action = key as Action;
      spec = defaults(action, value, modalityFor(action, value, lineNo));
      if (action === 'mutagenesis') spec.region = parseRegion(value, lineNo);
      continue;
    }
    const allowed = KEYS[spec.action][spec.modality] ?? [];
    if (!allowed.includes(key))
      throw new SpecError(
        lineNo,
        `unknown key "${key}" for ${spec.action} ${spec.modality} (known: ${allowed.join(', ')})`,
      );
    SETTERS[key](spec, value, lineNo);
  }
  if (!spec) throw new SpecError(1, `empty spec: write ${FIRST_KEYS}`);
  if (spec.endS !== undefined && spec.endS <= spec.startS)
    throw new SpecError(1, `end ${spec.endS} s must be after start ${spec.startS} s`);
  return spec;
}

const HELP: Record<Action, Partial<Record<Modality, string>>> = {
  analyze: {
    dna:
      '# Mamba SeqLab: analyze a FASTA/FASTQ file. Edit and run the cell again.\n' +
      '# keys: model (folder), backend (auto|webgpu|cpu|onnx), window (GC bases), strand (forward|both),\n' +
      '#       region (NAME:START-END, 1-based), records (how many from the start)',
    audio:
      '# Mamba SeqLab: analyze a WAV file. Edit and run the cell again.\n' +
      '# keys: model (folder), backend (auto|webgpu|cpu|onnx), start, end (seconds)',
  },
  generate: {
    dna:
      '# Mamba SeqLab: continue a DNA record with the model (recurrent step mode).\n' +
      '# keys: model, backend, record (name), from (base, 1-based), length (bases), temperature, topK (0 = all), seed',
    audio:
      '# Mamba SeqLab: continue audio with the model (mu-law samples).\n' +
      '# keys: model, backend, from (seconds), length (samples), temperature, topK (0 = all), seed',
  },
  variants: {
    dna:
      '# Mamba SeqLab: score the variants of a VCF (LLR = log2 P(alt) - log2 P(ref), bits, both strands).\n' +
      '# keys: reference (FASTA), model (folder), backend (auto|webgpu|cpu), window (bases each side),\n' +
      '#       records (how many from the start)',
  },
  mutagenesis: {
    dna:
      '# Mamba SeqLab: every substitution of a region (NAME:START-END, 1-based), each scored as a variant.\n' +
      '# keys: reference (FASTA), model (folder), backend (auto|webgpu|cpu), window (bases each side)',
  },
};

/** Writes the source of a new cell: a help comment, the action line, then the given options. */
export function formatCellSpec(
  action: Action,
  file: string,
  options: Readonly<Record<string, string | number>> = {},
): string {
  const modality = modalityFor(action, file, 1);
  const lines = [HELP[action][modality] ?? '', `${action}: ${specValue(file)}`];
  for (const [k, v] of Object.entries(options)) lines.push(`${k}: ${typeof v === 'string' ? specValue(v) : v}`);
  const text = lines.join('\n') + '\n';
  parseCellSpec(text); // what we write must read back
  return text;
}
