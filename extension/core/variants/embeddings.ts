// Sequence embeddings: the output of one block (layer) of the model, averaged over the positions
// of each FASTA record, or of each window of N bases of each record (the last window of a record
// may be shorter; each window is read on its own, from a zero state). Long sequences run in chunks
// with the recurrent state carried, so memory does not grow with their length; windows of equal
// length run as rows of one forward. Records with no bases have no embedding.
import type { Backend } from '../../../kernels/backend';
import { mambaForward } from '../../../kernels/model/forward';
import { freeMambaState, type MambaState, zeroMambaState } from '../../../kernels/model/state';
import type { MambaModel } from '../../../kernels/model/weights';
import type { DnaTokenizer } from '../datasets/dna-tokenizer';
import { fastaTokenChunks } from '../datasets/fasta-tokens';
import type { RandomAccessSource } from '../datasets/source';
import { defaultBatchTokens } from './branch-scorer';

/** Tokens per forward along a sequence. */
const CHUNK = 4096;

/** What one embedding stands for: bases [start, end) of a record. */
export interface EmbeddingEntry {
  name: string;
  start: number;
  end: number;
}

export interface EmbeddingSet {
  entries: EmbeddingEntry[];
  /** [entries, d_model], row i the mean of entry i's layer outputs. */
  vectors: Float32Array;
  width: number;
}

export interface EmbedOptions {
  /** The block whose output is pooled, 0-based. */
  layer: number;
  /** Bases per window; absent: one embedding per record. */
  window?: number;
  signal?: AbortSignal;
  /** Called after each chunk with bases read so far. */
  onProgress?: (bases: number) => void;
}

/** Sums of one layer's outputs over positions, for rows of equal length fed in chunks with the state carried. */
class MeanPooler {
  private readonly sums: Float64Array;
  private state: MambaState;
  private count = 0;

  constructor(
    private readonly backend: Backend,
    private readonly model: MambaModel,
    private readonly layer: number,
    private readonly rows: number,
  ) {
    this.sums = new Float64Array(rows * model.config.hiddenSize);
    this.state = zeroMambaState(backend, model.config, rows);
  }

  async add(chunk: readonly Int32Array[]): Promise<void> {
    const L = chunk[0].length,
      d = this.model.config.hiddenSize;
    const ids = new Int32Array(this.rows * L);
    chunk.forEach((r, b) => ids.set(r, b * L));
    const idsT = this.backend.uploadIds(ids, [this.rows, L]);
    const r = mambaForward(this.backend, this.model, idsT, {
      state: this.state,
      returnState: true,
      hiddenStates: true,
    });
    this.backend.free(idsT);
    this.backend.free(r.logits);
    freeMambaState(this.backend, this.state);
    this.state = r.state!;
    const hidden = await this.backend.read(r.hiddenStates![this.layer]);
    for (const t of r.hiddenStates!) this.backend.free(t);
    for (let b = 0; b < this.rows; b++)
      for (let t = 0; t < L; t++) {
        const at = (b * L + t) * d;
        for (let k = 0; k < d; k++) this.sums[b * d + k] += hidden[at + k];
      }
    this.count += L;
  }

  /** The means, row by row; the pooler is done. */
  finish(): Float32Array {
    freeMambaState(this.backend, this.state);
    return Float32Array.from(this.sums, (s) => s / this.count);
  }
}

export async function embedFasta(
  src: RandomAccessSource,
  backend: Backend,
  model: MambaModel,
  tokenizer: DnaTokenizer,
  options: EmbedOptions,
): Promise<EmbeddingSet> {
  const { layer, window } = options;
  const d = model.config.hiddenSize;
  if (!(Number.isInteger(layer) && layer >= 0 && layer < model.config.numLayers))
    throw new RangeError(`layer ${layer}: the model has layers 0 to ${model.config.numLayers - 1}`);
  const entries: EmbeddingEntry[] = [],
    vectors: Float32Array[] = [];
  let bases = 0;
  const progress = (n: number) => {
    bases += n;
    options.onProgress?.(bases);
  };
  if (window === undefined) {
    let pooler: MeanPooler | undefined,
      current: EmbeddingEntry | undefined,
      currentRecord = -1;
    const close = () => {
      if (pooler && current) {
        vectors.push(pooler.finish());
        entries.push(current);
      }
    };
    for await (const chunk of fastaTokenChunks(src, tokenizer, CHUNK, { signal: options.signal })) {
      options.signal?.throwIfAborted();
      if (chunk.record.index !== currentRecord) {
        currentRecord = chunk.record.index;
        close();
        pooler = new MeanPooler(backend, model, layer, 1);
        current = { name: chunk.record.name, start: 0, end: 0 };
      }
      await pooler!.add([chunk.tokens]);
      current!.end = chunk.start + chunk.tokens.length;
      progress(chunk.tokens.length);
    }
    close();
  } else {
    // Windows of the same length, in file order, batched as rows.
    const maxRows = Math.max(1, Math.floor(defaultBatchTokens(backend, model.config) / Math.min(window, CHUNK)));
    let group: { entry: EmbeddingEntry; tokens: Int32Array }[] = [];
    const flush = async () => {
      if (group.length === 0) return;
      const pooler = new MeanPooler(backend, model, layer, group.length);
      const length = group[0].tokens.length;
      for (let s = 0; s < length; s += CHUNK) {
        options.signal?.throwIfAborted();
        await pooler.add(group.map((g) => g.tokens.subarray(s, Math.min(length, s + CHUNK))));
      }
      const means = pooler.finish();
      group.forEach((g, b) => {
        entries.push(g.entry);
        vectors.push(means.subarray(b * d, (b + 1) * d));
      });
      progress(length * group.length);
      group = [];
    };
    for await (const chunk of fastaTokenChunks(src, tokenizer, window, { signal: options.signal })) {
      if (group.length === maxRows || (group.length > 0 && group[0].tokens.length !== chunk.tokens.length))
        await flush();
      const entry = { name: chunk.record.name, start: chunk.start, end: chunk.start + chunk.tokens.length };
      group.push({ entry, tokens: chunk.tokens });
    }
    await flush();
  }
  const out = new Float32Array(entries.length * d);
  vectors.forEach((v, i) => out.set(v, i * d));
  return { entries, vectors: out, width: d };
}
