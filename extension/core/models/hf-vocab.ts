// What a Hugging Face tokenizer says about its vocabulary, read from its files: token names by id,
// which are special, which input characters the normalizer rewrites to which token, what a token
// decodes to, the unknown token, case folding, and the special roles it declares. Readers:
// tokenizer.json (the tokenizers library: WordLevel, WordPiece, BPE or Unigram), vocab.json,
// vocab.txt, and the character tokenizers that keep their vocabulary in code and save only their
// characters in tokenizer_config.json (HyenaDNA's CharacterTokenizer, CaduceusTokenizer).
// Mapping that onto SeqLab's DNA tokenizer is hf-tokenizer-import.ts.
import { showJson } from '../../../kernels/io/show-json';

export class TokenizerImportError extends Error {
  override name = 'TokenizerImportError';
}

export const ROLES = ['pad', 'bos', 'eos', 'sep', 'mask', 'unk'] as const;
export type Role = (typeof ROLES)[number];

export interface HfVocab {
  /** The file the vocabulary came from, for messages. */
  readonly file: string;
  readonly names: Map<number, string>;
  readonly special: Set<number>;
  /** Input characters a normalizer rewrites to a token (Replace "U" -> "T"). */
  readonly rewrites: Map<string, number>;
  /** What a token decodes to where a decoder says (Replace "<iupac>" -> "N"). */
  readonly decodes: Map<number, string>;
  /** The token the tokenizer gives a character it does not know. */
  unk: number | undefined;
  /** 'lower' or 'upper' when the tokenizer folds case before it looks characters up. */
  caseFold: 'lower' | 'upper' | undefined;
  /** Special tokens by role, as its config declares them (token text). */
  readonly declared: Partial<Record<Role, string>>;
  /** Complements by character (CaduceusTokenizer's complement_map). */
  complements: Record<string, string> | undefined;
  /** It adds special tokens around a sequence when it encodes (a post-processor, or its code). */
  addsSpecials: boolean;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function emptyVocab(file: string): HfVocab {
  return {
    file,
    names: new Map(),
    special: new Set(),
    rewrites: new Map(),
    decodes: new Map(),
    unk: undefined,
    caseFold: undefined,
    declared: {},
    complements: undefined,
    addsSpecials: false,
  };
}

function idOf(v: HfVocab, token: string): number | undefined {
  for (const [id, name] of v.names) if (name === token) return id;
  return undefined;
}

function addToken(v: HfVocab, token: unknown, id: unknown, where: string): void {
  if (typeof token !== 'string' || !Number.isSafeInteger(id) || (id as number) < 0)
    throw new TokenizerImportError(
      `${v.file}: ${where}: ${showJson(token)} -> ${showJson(id)} is not a token and an id`,
    );
  if (!v.names.has(id as number)) v.names.set(id as number, token);
}

/** The token text of a declared special token: a string, or an AddedToken object's content. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/** The special roles a tokenizer_config.json or special_tokens_map.json declares. */
export function declareRoles(v: HfVocab, config: Json): void {
  for (const role of ROLES) {
    const text = tokenText(config[`${role}_token`]);
    if (text !== undefined && v.declared[role] === undefined) v.declared[role] = text;
  }
  if (config.do_lower_case === true) v.caseFold ??= 'lower';
}

/** The characters a Replace pattern matches: one character, or a regex of one or a class of them. */
function patternChars(pattern: unknown): string[] | undefined {
  if (!isObject(pattern)) return undefined;
  if (typeof pattern.String === 'string') return pattern.String.length === 1 ? [pattern.String] : undefined;
  if (typeof pattern.Regex !== 'string') return undefined;
  const m = /^\[((?:\\.|[^\\\]^])+)\]$|^(\\.|[^\\[\]().*+?|{}^$])$/.exec(pattern.Regex);
  if (!m) return undefined;
  const body = m[1] ?? m[2];
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') chars.push(body[++i]);
    else if (body[i + 1] === '-' && i + 2 < body.length)
      return undefined; // ranges are not read
    else chars.push(body[i]);
  }
  return chars;
}

/** Normalizers that leave ASCII bases as they are. */
const ASCII_NEUTRAL = new Set(['NFC', 'NFD', 'NFKC', 'NFKD', 'StripAccents', 'Strip', 'Precompiled', 'Nmt']);

function readNormalizer(v: HfVocab, n: unknown): void {
  if (n === null || n === undefined) return;
  if (!isObject(n)) throw new TokenizerImportError(`${v.file}: "normalizer" is not an object`);
  if (n.type === 'Sequence' && Array.isArray(n.normalizers)) {
    for (const m of n.normalizers) readNormalizer(v, m);
  } else if (n.type === 'Lowercase' || (n.type === 'BertNormalizer' && n.lowercase !== false)) {
    v.caseFold = 'lower';
  } else if (n.type === 'Replace') {
    const chars = patternChars(n.pattern);
    // Whitespace removed: SeqLab's readers never pass it on as a base.
    if (n.content === '' && chars?.every((c) => c.trim() === '')) return;
    const target = typeof n.content === 'string' ? idOf(v, n.content) : undefined;
    if (!chars || target === undefined)
      throw new TokenizerImportError(
        `${v.file}: normalizer Replace ${showJson(n.pattern)} -> ${showJson(n.content)} is not a character (class) rewritten to a token`,
      );
    for (const c of chars) v.rewrites.set(c, target);
  } else if (!(n.type === 'BertNormalizer' || ASCII_NEUTRAL.has(String(n.type)))) {
    throw new TokenizerImportError(`${v.file}: normalizer ${showJson(n.type)} is not supported`);
  }
}

function readDecoder(v: HfVocab, d: unknown): void {
  if (!isObject(d)) return;
  if (d.type === 'Sequence' && Array.isArray(d.decoders)) for (const e of d.decoders) readDecoder(v, e);
  if (d.type !== 'Replace' || !isObject(d.pattern) || typeof d.content !== 'string') return;
  const id = typeof d.pattern.String === 'string' ? idOf(v, d.pattern.String) : undefined;
  if (id !== undefined) v.decodes.set(id, d.content);
}

/** Whether a post-processor puts special tokens around a sequence (transformers 5 writes one that adds none). */
function addsSpecials(p: unknown): boolean {
  if (!isObject(p)) return false;
  if (p.type === 'Sequence' && Array.isArray(p.processors)) return p.processors.some(addsSpecials);
  if (p.type === 'TemplateProcessing')
    return Array.isArray(p.single) && p.single.some((e) => isObject(e) && e.SpecialToken !== undefined);
  return p.type === 'BertProcessing' || p.type === 'RobertaProcessing';
}

/** tokenizer.json of the tokenizers library. */
export function vocabFromTokenizerJson(json: unknown, file: string): HfVocab {
  const v = emptyVocab(file);
  if (!isObject(json) || !isObject(json.model))
    throw new TokenizerImportError(`${file}: no "model" object (not a tokenizers tokenizer.json)`);
  const model = json.model;
  if (model.type === 'Unigram' && Array.isArray(model.vocab)) {
    model.vocab.forEach((e, i) => addToken(v, Array.isArray(e) ? e[0] : e, i, 'model.vocab'));
    if (Number.isSafeInteger(model.unk_id)) v.unk = model.unk_id as number;
  } else if (isObject(model.vocab)) {
    for (const [token, id] of Object.entries(model.vocab)) addToken(v, token, id, 'model.vocab');
  } else {
    throw new TokenizerImportError(`${file}: model type ${showJson(model.type)} has no vocabulary SeqLab reads`);
  }
  for (const t of Array.isArray(json.added_tokens) ? json.added_tokens : []) {
    if (!isObject(t)) continue;
    addToken(v, t.content, t.id, 'added_tokens');
    if (t.special === true) v.special.add(t.id as number);
  }
  if (typeof model.unk_token === 'string') v.unk = idOf(v, model.unk_token);
  readNormalizer(v, json.normalizer);
  readDecoder(v, json.decoder);
  v.addsSpecials = addsSpecials(json.post_processor);
  return v;
}

/** vocab.json ({token: id}) or vocab.txt (one token a line, the id its line number). */
export function vocabFromList(content: string, file: string): HfVocab {
  const v = emptyVocab(file);
  if (file.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch (err) {
      throw new TokenizerImportError(`${file}: invalid JSON (${(err as Error).message})`);
    }
    if (!isObject(json)) throw new TokenizerImportError(`${file}: not a {token: id} object`);
    for (const [token, id] of Object.entries(json)) addToken(v, token, id, 'entry');
  } else {
    const lines = content.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    lines.forEach((token, i) => addToken(v, token, i, `line ${i + 1}`));
  }
  return v;
}

/**
 * Character tokenizers whose ids live in their code: the special tokens first, then one id per
 * character of the list their tokenizer_config.json saves.
 */
const CHARACTER_LAYOUTS: Record<string, { specials: string[]; caseFold: 'upper' | undefined; addsSpecials: boolean }> =
  {
    // HyenaDNA's CharacterTokenizer reads characters as they are and wraps a sequence in [CLS] … [SEP].
    CharacterTokenizer: {
      specials: ['[CLS]', '[SEP]', '[BOS]', '[MASK]', '[PAD]', '[RESERVED]', '[UNK]'],
      caseFold: undefined,
      addsSpecials: true,
    },
    // Caduceus uppercases its input and ends a sequence with [SEP].
    CaduceusTokenizer: {
      specials: ['[CLS]', '[EOS]', '[SEP]', '[REF]', '[MUT]', '[BOS]', '[MASK]', '[PAD]', '[RESERVED]', '[UNK]'],
      caseFold: 'upper',
      addsSpecials: true,
    },
  };

/** A character tokenizer's tokenizer_config.json, or undefined when it lists no characters. */
export function vocabFromCharacterConfig(config: Json, file: string): HfVocab | undefined {
  const chars = Array.isArray(config.characters)
    ? config.characters
    : Array.isArray(config.char_ords)
      ? config.char_ords.map((o) => (Number.isSafeInteger(o) ? String.fromCharCode(o as number) : o))
      : undefined;
  if (!chars) return undefined;
  // HyenaDNA's own save writes only char_ords and model_max_length.
  const cls = typeof config.tokenizer_class === 'string' ? config.tokenizer_class : 'CharacterTokenizer';
  const layout = CHARACTER_LAYOUTS[cls];
  if (!layout)
    throw new TokenizerImportError(
      `${file}: tokenizer_class ${showJson(cls)} lists characters but keeps its ids in its code; SeqLab knows ${Object.keys(CHARACTER_LAYOUTS).join(' and ')}`,
    );
  const v = emptyVocab(file);
  layout.specials.forEach((t, i) => {
    v.names.set(i, t);
    v.special.add(i);
  });
  chars.forEach((c, i) => addToken(v, c, layout.specials.length + i, 'characters'));
  const added = config.added_tokens_decoder;
  for (const [id, t] of isObject(added) ? Object.entries(added) : []) {
    const content = tokenText(t);
    if (v.names.get(Number(id)) !== content)
      throw new TokenizerImportError(
        `${file}: added_tokens_decoder puts ${showJson(content)} at id ${id}, where ${cls} has ${showJson(v.names.get(Number(id)))}`,
      );
  }
  v.unk = idOf(v, '[UNK]');
  v.caseFold = layout.caseFold;
  v.addsSpecials = layout.addsSpecials;
  if (isObject(config.complement_map)) v.complements = config.complement_map as Record<string, string>;
  return v;
}
