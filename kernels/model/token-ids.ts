// Token id batches [b][l] as users give them (JSON arrays of arrays): validated into one
// Int32Array with clear errors naming the source and the position.

export interface TokenBatch {
  readonly ids: Int32Array; // [batch, length], row-major
  readonly batch: number;
  readonly length: number;
}

export class TokenIdsError extends Error {
  override name = 'TokenIdsError';
}

/** Checks that `rows` is a non-empty rectangular [b][l] array of integer ids in [0, vocab). */
export function tokenBatch(rows: unknown, vocab: number, source: string): TokenBatch {
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) || ArrayBuffer.isView(r))) {
    throw new TokenIdsError(`${source}: expected a non-empty array of arrays of token ids [batch][length]`);
  }
  const list = rows as ArrayLike<unknown>[];
  const length = list[0].length;
  if (length === 0) throw new TokenIdsError(`${source}: row 0 is empty`);
  const ids = new Int32Array(list.length * length);
  list.forEach((row, b) => {
    if (row.length !== length)
      throw new TokenIdsError(`${source}: row ${b} has ${row.length} ids, row 0 has ${length}`);
    for (let t = 0; t < length; t++) {
      const id = row[t];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new TokenIdsError(
          `${source}: id ${JSON.stringify(id)} at [${b}][${t}] is not an integer in the vocabulary [0, ${vocab})`,
        );
      }
      ids[b * length + t] = id;
    }
  });
  return { ids, batch: list.length, length };
}
