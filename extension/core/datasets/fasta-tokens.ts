// FASTA records as token chunks for the model: each record's bases, tokenized, in Int32Arrays
// of `chunkTokens` (a record's last chunk may be shorter; a chunk never spans two records),
// streamed with bounded memory.
import type { DnaTokenizer } from './dna-tokenizer';
import { readFasta, type FastaHeader, type FastaReadOptions } from './fasta';
import type { RandomAccessSource } from './source';

export interface TokenChunk {
  readonly record: FastaHeader;
  /** Position in the record of tokens[0]. */
  readonly start: number;
  readonly tokens: Int32Array;
}

export async function* fastaTokenChunks(
  src: RandomAccessSource,
  tokenizer: DnaTokenizer,
  chunkTokens: number,
  opts: FastaReadOptions = {},
): AsyncGenerator<TokenChunk> {
  if (!(Number.isSafeInteger(chunkTokens) && chunkTokens > 0))
    throw new RangeError(`chunkTokens must be a positive integer, got ${chunkTokens}`);
  let header: FastaHeader | undefined;
  let buf = new Int32Array(chunkTokens),
    n = 0,
    start = 0;
  for await (const ev of readFasta(src, opts)) {
    if (ev.type === 'header') {
      header = ev.header;
      n = 0;
      start = 0;
    } else if (ev.type === 'end') {
      if (header && n > 0) yield { record: header, start, tokens: buf.slice(0, n) };
    } else {
      const ids = tokenizer.encode(ev.bases);
      for (let i = 0; i < ids.length;) {
        const take = Math.min(chunkTokens - n, ids.length - i);
        buf.set(ids.subarray(i, i + take), n);
        n += take;
        i += take;
        if (n === chunkTokens && header) {
          yield { record: header, start, tokens: buf };
          buf = new Int32Array(chunkTokens); // the consumer may keep the chunk it was given
          start += n;
          n = 0;
        }
      }
    }
  }
}
