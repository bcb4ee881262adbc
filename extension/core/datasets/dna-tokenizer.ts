// The DNA tokenizer: bytes of bases -> token ids (Int32Array) and back, table-driven from a
// serialisable vocabulary (tokenizer.json) that is saved with each model. The default
// vocabulary and the reasons for it are in dna-vocabulary.md.

export interface DnaTokenizerJson {
  readonly type: 'seqlab-dna';
  readonly version: 1;
  /** Token names by id; the length is the vocabulary size. */
  readonly tokens: readonly string[];
  /** Each readable character (uppercase; reading is case-insensitive) and its token id. */
  readonly encode: Readonly<Record<string, number>>;
  /** The character each id decodes to ('' for specials). */
  readonly decode: readonly string[];
  /** Pairs of ids that are each other's complement; ids not listed are their own. */
  readonly complementPairs: ReadonlyArray<readonly [number, number]>;
  readonly special: Readonly<{ pad: number; bos: number; eos: number; sep: number; mask: number }>;
}

export const DEFAULT_DNA_VOCABULARY: DnaTokenizerJson = {
  type: 'seqlab-dna',
  version: 1,
  tokens: [
    '<pad>',
    'A',
    'C',
    'G',
    'T',
    'N',
    '<iupac>',
    '<gap>',
    '<bos>',
    '<eos>',
    '<sep>',
    '<mask>',
    '<reserved_12>',
    '<reserved_13>',
    '<reserved_14>',
    '<reserved_15>',
  ],
  encode: {
    A: 1,
    C: 2,
    G: 3,
    T: 4,
    U: 4,
    N: 5,
    R: 6,
    Y: 6,
    S: 6,
    W: 6,
    K: 6,
    M: 6,
    B: 6,
    D: 6,
    H: 6,
    V: 6,
    '-': 7,
    '.': 7,
  },
  decode: ['', 'A', 'C', 'G', 'T', 'N', 'N', '-', '', '', '', '', '', '', '', ''],
  complementPairs: [
    [1, 4],
    [2, 3],
  ],
  special: { pad: 0, bos: 8, eos: 9, sep: 10, mask: 11 },
};

const UNMAPPED = -1;

export class DnaTokenizer {
  private readonly table = new Int32Array(256).fill(UNMAPPED);
  private readonly complementOf: Int32Array;
  private readonly decodeBytes: Int32Array;

  private constructor(private readonly vocab: DnaTokenizerJson) {
    const v = vocab.tokens.length;
    for (const [ch, id] of Object.entries(vocab.encode)) {
      const up = ch.toUpperCase().charCodeAt(0),
        low = ch.toLowerCase().charCodeAt(0);
      this.table[up] = id;
      this.table[low] = id;
    }
    this.complementOf = Int32Array.from({ length: v }, (_, i) => i);
    for (const [a, b] of vocab.complementPairs) {
      this.complementOf[a] = b;
      this.complementOf[b] = a;
    }
    this.decodeBytes = Int32Array.from(vocab.decode, (s) => (s.length === 0 ? UNMAPPED : s.charCodeAt(0)));
  }

  static default(): DnaTokenizer {
    return new DnaTokenizer(DEFAULT_DNA_VOCABULARY);
  }

  /** Builds the tokenizer a model was saved with; `where` names the file in errors. */
  static fromJSON(json: unknown, where = 'tokenizer.json'): DnaTokenizer {
    const bad = (why: string): never => {
      throw new Error(`${where}: not a seqlab-dna tokenizer: ${why}`);
    };
    const j = json as Partial<DnaTokenizerJson> | null;
    if (!j || j.type !== 'seqlab-dna') bad('type must be "seqlab-dna"');
    if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
    const tokens = j!.tokens;
    if (
      !Array.isArray(tokens) ||
      tokens.length < 1 ||
      tokens.length > 65536 ||
      !tokens.every((t) => typeof t === 'string')
    )
      bad('tokens must be a list of names');
    const v = tokens!.length;
    const isId = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) < v;
    if (!j!.encode || typeof j!.encode !== 'object') bad('encode must map characters to ids');
    for (const [ch, id] of Object.entries(j!.encode!)) {
      if (ch.length !== 1 || ch.charCodeAt(0) > 127) bad(`encode key "${ch}" is not one ASCII character`);
      if (!isId(id)) bad(`encode["${ch}"] = ${String(id)} is not a token id below ${v}`);
    }
    if (
      !Array.isArray(j!.decode) ||
      j!.decode.length !== v ||
      !j!.decode.every((s) => typeof s === 'string' && s.length <= 1)
    )
      bad(`decode must list ${v} characters ('' for none)`);
    if (
      !Array.isArray(j!.complementPairs) ||
      !j!.complementPairs.every((p) => Array.isArray(p) && p.length === 2 && isId(p[0]) && isId(p[1]))
    )
      bad('complementPairs must be pairs of ids');
    const s = j!.special;
    if (!s || !(['pad', 'bos', 'eos', 'sep', 'mask'] as const).every((k) => isId(s[k])))
      bad('special must give pad, bos, eos, sep and mask ids');
    return new DnaTokenizer(j as DnaTokenizerJson);
  }

  toJSON(): DnaTokenizerJson {
    return this.vocab;
  }

  get vocabSize(): number {
    return this.vocab.tokens.length;
  }

  get special(): DnaTokenizerJson['special'] {
    return this.vocab.special;
  }

  /** Token ids of residue bytes (any case). A byte outside the vocabulary is an error naming its index. */
  encode(bases: Uint8Array, out = new Int32Array(bases.length)): Int32Array {
    if (out.length < bases.length) throw new RangeError(`output holds ${out.length} tokens, ${bases.length} needed`);
    for (let i = 0; i < bases.length; i++) {
      const id = this.table[bases[i]];
      if (id === UNMAPPED) throw new RangeError(`byte ${bases[i]} at index ${i} is not in the DNA vocabulary`);
      out[i] = id;
    }
    return out;
  }

  encodeString(text: string): Int32Array {
    return this.encode(Buffer.from(text, 'latin1'));
  }

  /** The bases the ids stand for; specials and padding are dropped. */
  decode(ids: ArrayLike<number>): string {
    const bytes = new Uint8Array(ids.length);
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!(id >= 0 && id < this.decodeBytes.length))
        throw new RangeError(`token id ${id} at index ${i} is outside the vocabulary of ${this.vocabSize}`);
      if (this.decodeBytes[id] !== UNMAPPED) bytes[n++] = this.decodeBytes[id];
    }
    return Buffer.from(bytes.buffer, 0, n).toString('latin1');
  }

  /** Reverse complement of a token sequence. */
  reverseComplement(ids: Int32Array): Int32Array {
    const out = new Int32Array(ids.length);
    for (let i = 0, j = ids.length - 1; j >= 0; i++, j--) {
      const id = ids[j];
      if (!(id >= 0 && id < this.complementOf.length))
        throw new RangeError(`token id ${id} at index ${j} is outside the vocabulary of ${this.vocabSize}`);
      out[i] = this.complementOf[id];
    }
    return out;
  }
}
