// SeqLab's DNA tokenizer as Hugging Face tokenizer files that PreTrainedTokenizerFast and
// AutoTokenizer load: tokenizer.json for the tokenizers library (a WordLevel vocabulary of the
// token names at their ids; the special tokens as added tokens; a normalizer of Replace rules that
// rewrites each readable character, either case, to its token's name, as SeqLab's table reads it;
// a pre-tokenizer that splits one token a piece; a decoder that writes each token's character),
// tokenizer_config.json and special_tokens_map.json. No special token is added around a sequence,
// and a character SeqLab does not read is an error there too (the unknown token is absent).
// hf-tokenizer-import.ts reads these files back to the same table.
import { showJson } from '../../../kernels/io/show-json';
import type { DnaTokenizerJson } from '../datasets/dna-tokenizer';

export class TokenizerExportError extends Error {
  override name = 'TokenizerExportError';
}

type Json = Record<string, unknown>;

const escapeRegex = (s: string): string => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
const escapeInClass = (c: string): string => (/[\\\]^[-]/.test(c) ? `\\${c}` : c);
const bothCases = (c: string): string[] => [...new Set([c.toUpperCase(), c.toLowerCase()])];

/** The ids of special tokens: read from no character and written as none. */
function specialIds(t: DnaTokenizerJson): number[] {
  const read = new Set(Object.values(t.encode));
  return t.tokens.map((_, id) => id).filter((id) => t.decode[id] === '' && !read.has(id));
}

/**
 * Replace rules, each readable character (either case) to its token's name. Rules that write one
 * character go first and a rule never matches what an earlier one wrote, so no character is
 * rewritten twice.
 */
function replaceRules(t: DnaTokenizerJson): Json[] {
  const chars = new Map<number, string[]>();
  for (const [c, id] of Object.entries(t.encode)) chars.set(id, [...(chars.get(id) ?? []), ...bothCases(c)]);
  const order = [...chars.keys()].sort(
    (a, b) => Number(t.tokens[a].length > 1) - Number(t.tokens[b].length > 1) || a - b,
  );
  order.forEach((id, i) => {
    const earlier = order
      .slice(0, i)
      .map((e) => t.tokens[e])
      .join('');
    const clash = chars.get(id)!.find((c) => earlier.includes(c));
    if (clash !== undefined)
      throw new TokenizerExportError(
        `the character ${showJson(clash)} of token ${showJson(t.tokens[id])} is in another token's name: no Replace rules express this vocabulary`,
      );
  });
  return order.map((id) => ({
    type: 'Replace',
    pattern: { Regex: `[${[...new Set(chars.get(id))].sort().map(escapeInClass).join('')}]` },
    content: t.tokens[id],
  }));
}

function tokenizerJson(t: DnaTokenizerJson, specials: number[]): Json {
  const vocab: Record<string, number> = {};
  t.tokens.forEach((name, id) => {
    if (vocab[name] !== undefined)
      throw new TokenizerExportError(`token ${showJson(name)} is at ids ${vocab[name]} and ${id}`);
    vocab[name] = id;
  });
  const named = t.tokens
    .filter((name, id) => name.length > 1 && !specials.includes(id))
    .sort((a, b) => b.length - a.length);
  let unk = '<unk>';
  while (vocab[unk] !== undefined) unk = `<${unk}>`;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((id) => ({
      id,
      content: t.tokens[id],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Sequence', normalizers: replaceRules(t) },
    pre_tokenizer: {
      type: 'Split',
      pattern: { Regex: [...named.map(escapeRegex), '.'].join('|') },
      behavior: 'Isolated',
      invert: false,
    },
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        ...t.tokens.flatMap((name, id) =>
          specials.includes(id) || t.decode[id] === name
            ? []
            : [{ type: 'Replace', pattern: { String: name }, content: t.decode[id] }],
        ),
        { type: 'Fuse' },
      ],
    },
    // The unknown token is not in the vocabulary: an unread character fails, as in SeqLab.
    model: { type: 'WordLevel', vocab, unk_token: unk },
  };
}

export interface HfTokenizerFiles {
  readonly 'tokenizer.json': Json;
  readonly 'tokenizer_config.json': Json;
  readonly 'special_tokens_map.json': Json;
}

export function hfTokenizerFiles(t: DnaTokenizerJson): HfTokenizerFiles {
  const specials = specialIds(t);
  const roles = {
    pad_token: t.tokens[t.special.pad],
    bos_token: t.tokens[t.special.bos],
    eos_token: t.tokens[t.special.eos],
    sep_token: t.tokens[t.special.sep],
    mask_token: t.tokens[t.special.mask],
  };
  const named = new Set(Object.values(roles));
  const additional = specials.map((id) => t.tokens[id]).filter((name) => !named.has(name));
  return {
    'tokenizer.json': tokenizerJson(t, specials),
    'tokenizer_config.json': {
      tokenizer_class: 'PreTrainedTokenizerFast',
      ...roles,
      additional_special_tokens: additional,
      // Mamba takes no token_type_ids.
      model_input_names: ['input_ids', 'attention_mask'],
      clean_up_tokenization_spaces: false,
    },
    'special_tokens_map.json': { ...roles, additional_special_tokens: additional },
  };
}
