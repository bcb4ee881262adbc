// Streaming: a long sequence scored chunk by chunk with the recurrent state carried, so memory
// depends on the chunk length and not on the sequence length (a chromosome, an hour of audio).
// Equal to the full forward over the concatenation. Each chunk's result reports the surprisal
// of its own tokens given everything before them, which needs the next chunk's first token, so
// the stream reads one chunk ahead.
import type { Backend, ScanVariant } from '../backend';
import { mambaForward } from './forward';
import { type MambaState, freeMambaState, zeroMambaState } from './state';
import type { MambaModel } from './weights';

/** One chunk of a batch of sequences: one Int32Array per row, all of the same length. */
export type IdChunk = readonly Int32Array[];

export interface StreamOptions {
  scan?: ScanVariant;
  /** Also return each chunk's logits [b, L, v]. */
  logits?: boolean;
  /** Also return each chunk's per-layer mean Δ [b, L]. */
  meanDelta?: boolean;
  signal?: AbortSignal;
}

export interface StreamChunkResult {
  /** Position of the chunk's first token in the sequence. */
  start: number;
  /** Tokens per row in this chunk (L). */
  length: number;
  /** [b, L] bits of each token given all before it; NaN for the sequence's first token. */
  surprisal: Float32Array;
  logits?: Float32Array;
  meanDelta?: Float32Array[];
}

/** Splits rows [b][total] into chunks of `chunkLength` tokens (the last may be shorter). */
export function* chunkRows(rows: readonly Int32Array[], chunkLength: number): Generator<IdChunk> {
  if (!(Number.isInteger(chunkLength) && chunkLength > 0))
    throw new RangeError(`chunk length ${chunkLength} must be a positive integer`);
  const total = rows[0]?.length ?? 0;
  for (let s = 0; s < total; s += chunkLength) yield rows.map((r) => r.subarray(s, Math.min(total, s + chunkLength)));
}

function flatten(chunk: IdChunk): Int32Array {
  const length = chunk[0].length,
    ids = new Int32Array(chunk.length * length);
  chunk.forEach((row, b) => {
    if (row.length !== length) throw new RangeError(`stream chunk row ${b} has ${row.length} ids, row 0 has ${length}`);
    ids.set(row, b * length);
  });
  return ids;
}

/** Scores the chunks of `source` in order, yielding one result per chunk. */
export async function* streamScores(
  backend: Backend,
  model: MambaModel,
  source: AsyncIterable<IdChunk> | Iterable<IdChunk>,
  options: StreamOptions = {},
): AsyncGenerator<StreamChunkResult> {
  const iterator = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()) as
    AsyncIterator<IdChunk> | Iterator<IdChunk>;
  // The next non-empty chunk, or undefined at the end of the source.
  const nextChunk = async (): Promise<IdChunk | undefined> => {
    for (;;) {
      const r = await iterator.next();
      if (r.done) return undefined;
      if (r.value.length > 0 && r.value[0].length > 0) return r.value;
    }
  };
  let chunk = await nextChunk();
  if (!chunk) return;
  const batch = chunk.length;
  let state: MambaState = zeroMambaState(backend, model.config, batch);
  let carried = new Float32Array(batch).fill(NaN); // surprisal of each row's current first token
  let start = 0;
  try {
    while (chunk) {
      options.signal?.throwIfAborted();
      const following = await nextChunk();
      if (following && following.length !== batch)
        throw new RangeError(
          `stream chunk at ${start + chunk[0].length} has ${following.length} rows, the stream has ${batch}`,
        );
      const L = chunk[0].length;
      const ids = flatten(chunk);
      // Row t's logits predict token t+1: the chunk shifted by one, then the next chunk's first.
      const targets = new Int32Array(batch * L);
      for (let b = 0; b < batch; b++) {
        targets.set(ids.subarray(b * L + 1, (b + 1) * L), b * L);
        targets[(b + 1) * L - 1] = following ? following[b][0] : 0; // no next token: value unused
      }
      const idsT = backend.uploadIds(ids, [batch, L]),
        targetsT = backend.uploadIds(targets, [batch, L]);
      const r = mambaForward(backend, model, idsT, {
        scan: options.scan,
        state,
        returnState: true,
        targets: targetsT,
        meanDelta: options.meanDelta,
      });
      backend.free(idsT);
      backend.free(targetsT);
      freeMambaState(backend, state);
      state = r.state as MambaState;
      const next = await backend.read(r.surprisal!);
      backend.free(r.surprisal!);
      const surprisal = new Float32Array(batch * L);
      for (let b = 0; b < batch; b++) {
        surprisal[b * L] = carried[b];
        surprisal.set(next.subarray(b * L, (b + 1) * L - 1), b * L + 1);
      }
      carried = Float32Array.from({ length: batch }, (_, b) => next[(b + 1) * L - 1]);
      const result: StreamChunkResult = { start, length: L, surprisal };
      if (options.logits) result.logits = await backend.read(r.logits);
      backend.free(r.logits);
      if (r.meanDelta) {
        result.meanDelta = await Promise.all(r.meanDelta.map((t) => backend.read(t)));
        r.meanDelta.forEach((t) => backend.free(t));
      }
      yield result;
      start += L;
      chunk = following;
    }
  } finally {
    freeMambaState(backend, state);
  }
}

/** The callback form of streamScores: calls `onChunk` for each chunk, resolves when done. */
export async function scoreStream(
  backend: Backend,
  model: MambaModel,
  source: AsyncIterable<IdChunk> | Iterable<IdChunk>,
  onChunk: (result: StreamChunkResult) => void | Promise<void>,
  options: StreamOptions = {},
): Promise<void> {
  for await (const result of streamScores(backend, model, source, options)) await onChunk(result);
}
