// The tokenizer of a Hugging Face model folder as SeqLab's tokenizer.json. The model keeps its own
// ids: no row of its embedding or head moves, so its logits are the original's for the same ids.
// SeqLab's DNA tokenizer (seqlab-dna) is a table, so the table is written over the model's
// vocabulary: each token's name at its id, each base character to the id the Hugging Face
// tokenizer gives it (characters it lacks to its unknown token, as it reads them), complements,
// and the pad/bos/eos/sep/mask roles. A vocabulary of k-mers or subwords is refused, naming the
// first token that is neither one character nor a special token. Where a folder has SeqLab's own
// tokenizer (seqlab_tokenizer.json from an export, or a SeqLab tokenizer.json) it is taken as it
// is; without any tokenizer the model is imported with raw ids.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { showJson } from '../../../kernels/io/show-json';
import { DEFAULT_DNA_VOCABULARY, DnaTokenizer, type DnaTokenizerJson } from '../datasets/dna-tokenizer';
import {
  declareRoles,
  type HfVocab,
  type Role,
  TokenizerImportError,
  vocabFromCharacterConfig,
  vocabFromList,
  vocabFromTokenizerJson,
} from './hf-vocab';
import { readJsonFile, readTextFile } from './load-model';

/** Where an export keeps the model's SeqLab tokenizer, so an import restores it exactly. */
export const SEQLAB_TOKENIZER_FILE = 'seqlab_tokenizer.json';

export interface ImportedTokenizer {
  /** SeqLab's tokenizer.json for the model (seqlab-dna or seqlab-mulaw); undefined: raw ids. */
  readonly json: Record<string, unknown> | undefined;
  /** The file it came from. */
  readonly from: string | undefined;
  /** One line: what reads as what. */
  readonly summary: string;
  /** What differs from the original tokenizer, and what stands in for what. */
  readonly notes: string[];
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Special tokens by role, by name, tried after what the tokenizer's config declares. */
const ROLE_NAMES: Record<Role, string[]> = {
  pad: ['[PAD]', '<pad>', '<|pad|>'],
  bos: ['[BOS]', '<bos>', '<s>', '[CLS]', '<cls>'],
  eos: ['[EOS]', '<eos>', '</s>', '[SEP]', '<sep>', '<|endoftext|>'],
  sep: ['[SEP]', '<sep>', '</s>', '[EOS]', '<eos>'],
  mask: ['[MASK]', '<mask>'],
  unk: ['[UNK]', '<unk>'],
};

const NAMED = /^<[^<>]+>$|^\[[^[\]]+\]$/;
const printable = (c: string): boolean => c.length === 1 && c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127;
const isLetter = (c: string): boolean => c.toUpperCase() !== c.toLowerCase();

/** The base characters SeqLab's default vocabulary reads, each of which the mapping places. */
const BASE_CHARACTERS = Object.keys(DEFAULT_DNA_VOCABULARY.encode);

function checkTokens(v: HfVocab, vocabSize: number): void {
  const rewriteTargets = new Set(v.rewrites.values());
  for (const [id, name] of [...v.names].sort((a, b) => a[0] - b[0])) {
    if (id >= vocabSize)
      throw new TokenizerImportError(
        `${v.file}: token ${showJson(name)} has id ${id}, past the model's vocab_size ${vocabSize}`,
      );
    if (name.length !== 1 && !NAMED.test(name) && !v.special.has(id) && !rewriteTargets.has(id))
      throw new TokenizerImportError(
        `${v.file}: token ${showJson(name)} (id ${id}) is neither one character nor a special token; SeqLab reads DNA one base per token, so a k-mer or subword vocabulary cannot be mapped`,
      );
  }
}

/** Each readable character (uppercase key; SeqLab reads either case) and its id. */
function encodeTable(v: HfVocab, notes: string[]): Record<string, number> {
  const reachable = (c: string): boolean =>
    v.caseFold === 'lower' ? c === c.toLowerCase() : v.caseFold === 'upper' ? c === c.toUpperCase() : true;
  const chars = [...v.names].filter(([, c]) => printable(c) && reachable(c)).sort((a, b) => a[0] - b[0]);
  const encode: Record<string, number> = {};
  // Uppercase (and non-letters) first: where both cases are tokens, the uppercase one is read.
  for (const [id, c] of chars) if (c === c.toUpperCase()) encode[c] = id;
  for (const [id, c] of chars) {
    if (c === c.toUpperCase()) continue;
    const key = c.toUpperCase();
    if (encode[key] === undefined) encode[key] = id;
    else if (encode[key] !== id)
      notes.push(
        `token ${showJson(c)} (id ${id}) is never read: SeqLab reads either case of a character as one token, ${showJson(key)} (id ${encode[key]})`,
      );
  }
  for (const [c, id] of v.rewrites) if (printable(c)) encode[c.toUpperCase()] = id;
  if (v.caseFold === undefined) {
    const lowerKnown = (c: string): boolean =>
      [...v.names.values()].includes(c.toLowerCase()) || v.rewrites.has(c.toLowerCase());
    const differ = Object.keys(encode).filter((c) => isLetter(c) && !lowerKnown(c));
    if (differ.length > 0)
      notes.push(
        `lowercase ${differ.join(' ').toLowerCase()}: SeqLab reads them as their uppercase tokens (soft-masking is kept beside the tokens); this tokenizer does not know them${v.unk === undefined ? '' : ` and reads them as ${showJson(v.names.get(v.unk))}`}`,
      );
  }
  return encode;
}

/** SeqLab's DNA tokenizer over the model's ids, from what a Hugging Face tokenizer says. */
export function seqlabDnaFromVocab(
  v: HfVocab,
  vocabSize: number,
): { json: DnaTokenizerJson; summary: string; notes: string[] } {
  checkTokens(v, vocabSize);
  const notes: string[] = [];
  const encode = encodeTable(v, notes);
  for (const base of ['A', 'C', 'G'])
    if (encode[base] === undefined)
      throw new TokenizerImportError(`${v.file}: no token reads the base "${base}": not a DNA tokenizer`);
  if (encode.T === undefined && encode.U === undefined)
    throw new TokenizerImportError(`${v.file}: no token reads the base "T" (or "U"): not a DNA tokenizer`);
  const unknown = BASE_CHARACTERS.filter((c) => encode[c] === undefined);
  if (unknown.length > 0 && v.unk !== undefined) {
    for (const c of unknown) encode[c] = v.unk;
    notes.push(
      `${unknown.join(' ')} are not in its vocabulary: read as ${showJson(v.names.get(v.unk))} (id ${v.unk}), as the Hugging Face tokenizer reads them`,
    );
  } else if (unknown.length > 0) {
    notes.push(`${unknown.join(' ')} are not in its vocabulary and it has no unknown token: SeqLab refuses them`);
  }
  const byName = new Map([...v.names].map(([id, name]) => [name, id]));
  const special = {} as Record<Exclude<Role, 'unk'>, number>;
  for (const role of ['pad', 'bos', 'eos', 'sep', 'mask'] as const) {
    const tried = [v.declared[role], ...ROLE_NAMES[role]].filter((n): n is string => n !== undefined);
    const found = tried.map((n) => byName.get(n)).find((id) => id !== undefined);
    if (found !== undefined) special[role] = found;
    else if (v.unk !== undefined) {
      special[role] = v.unk;
      notes.push(`no ${role} token (tried ${tried.join(', ')}): its unknown token stands in`);
    } else
      throw new TokenizerImportError(
        `${v.file}: no ${role} token (tried ${tried.join(', ')}) and no unknown token to stand in; SeqLab's DNA tokenizer needs pad, bos, eos, sep and mask`,
      );
  }
  const complements = v.complements ?? { A: 'T', C: 'G' };
  const pairs = new Map<string, [number, number]>();
  for (const [a, b] of Object.entries(complements)) {
    const ia = encode[a.toUpperCase()],
      ib = typeof b === 'string' ? encode[b.toUpperCase()] : undefined;
    if (ia === undefined || ib === undefined || ia === ib || ia === v.unk || ib === v.unk) continue;
    pairs.set(`${Math.min(ia, ib)},${Math.max(ia, ib)}`, [Math.min(ia, ib), Math.max(ia, ib)]);
  }
  const tokens = Array.from({ length: vocabSize }, (_, id) => v.names.get(id) ?? `<unused_${id}>`);
  const decode = tokens.map((name, id) => {
    const d = v.decodes.get(id);
    if (d !== undefined) return d.length <= 1 ? d : '';
    return printable(name) && v.names.has(id) ? name : '';
  });
  const json: DnaTokenizerJson = {
    type: 'seqlab-dna',
    version: 1,
    tokens,
    encode,
    decode,
    complementPairs: [...pairs.values()],
    special,
  };
  DnaTokenizer.fromJSON(json, v.file);
  if (v.addsSpecials)
    notes.push('it adds special tokens around a sequence when it encodes; SeqLab reads the bases alone');
  const shown = ['A', 'C', 'G', 'T', 'N'].filter((c) => encode[c] !== undefined);
  const summary = `${shown.map((c) => `${c}=${encode[c]}`).join(' ')}; ${(['pad', 'bos', 'eos', 'sep', 'mask'] as const).map((r) => `${r}=${special[r]}`).join(' ')}`;
  return { json, summary, notes };
}

/** A SeqLab tokenizer found as it is (seqlab-dna checked here; seqlab-mulaw when the model is read). */
function seqlabTokenizer(json: Record<string, unknown>, file: string): ImportedTokenizer {
  if (json.type === 'seqlab-dna') DnaTokenizer.fromJSON(json, file);
  return { json, from: file, summary: `SeqLab's own (${String(json.type)})`, notes: [] };
}

async function extraRoles(dir: string, v: HfVocab): Promise<HfVocab> {
  for (const name of ['tokenizer_config.json', 'special_tokens_map.json']) {
    const path = join(dir, name);
    if (!(await exists(path))) continue;
    const config = await readJsonFile(path);
    if (isObject(config)) declareRoles(v, config);
  }
  return v;
}

function mapped(v: HfVocab, vocabSize: number): ImportedTokenizer {
  const { json, summary, notes } = seqlabDnaFromVocab(v, vocabSize);
  return { json: json as unknown as Record<string, unknown>, from: v.file, summary, notes };
}

/** The tokenizer of the model folder `dir` as SeqLab's, over a model of `vocabSize` ids. */
export async function importTokenizer(dir: string, vocabSize: number): Promise<ImportedTokenizer> {
  const own = join(dir, SEQLAB_TOKENIZER_FILE);
  if (await exists(own)) {
    const json = await readJsonFile(own);
    if (!isObject(json) || typeof json.type !== 'string' || !json.type.startsWith('seqlab-'))
      throw new TokenizerImportError(`${own}: not a SeqLab tokenizer (no "type" seqlab-dna or seqlab-mulaw)`);
    return seqlabTokenizer(json, own);
  }
  const tokenizerJson = join(dir, 'tokenizer.json');
  if (await exists(tokenizerJson)) {
    const json = await readJsonFile(tokenizerJson);
    if (isObject(json) && typeof json.type === 'string' && json.type.startsWith('seqlab-'))
      return seqlabTokenizer(json, tokenizerJson);
    return mapped(await extraRoles(dir, vocabFromTokenizerJson(json, tokenizerJson)), vocabSize);
  }
  for (const name of ['vocab.json', 'vocab.txt']) {
    const path = join(dir, name);
    if (!(await exists(path))) continue;
    const v = await extraRoles(dir, vocabFromList(await readTextFile(path), path));
    v.unk ??= [v.declared.unk, ...ROLE_NAMES.unk]
      .map((n) => [...v.names].find(([, t]) => t === n)?.[0])
      .find((id) => id !== undefined);
    return mapped(v, vocabSize);
  }
  const configPath = join(dir, 'tokenizer_config.json');
  const config = (await exists(configPath)) ? await readJsonFile(configPath) : undefined;
  const chars = isObject(config) ? vocabFromCharacterConfig(config, configPath) : undefined;
  if (chars) return mapped(await extraRoles(dir, chars), vocabSize);
  return { json: undefined, from: undefined, summary: 'none: raw ids', notes: [] };
}
