// A model's weights read by the engine page from the files the host named (webview resource URLs),
// so that they never pass through the extension host: the head the host sent, then each file's part,
// passed on in order as `weights` chunks to wherever the model is loading (this page's GPU core or
// a worker). A file whose length is not what the host read (changed since) fails the load.
import { MAX_WEIGHT_CHUNK_BYTES, type WeightsFetch } from '../../protocol/engine-messages';

/** Passes bytes [offset, offset + bytes.length) of the weights on; `bytes` is the callee's to keep or transfer. */
export type FeedWeights = (offset: number, bytes: Uint8Array) => Promise<unknown>;

export async function fetchWeights(
  from: WeightsFetch,
  feed: FeedWeights,
  signal: AbortSignal,
  get: typeof fetch = fetch,
): Promise<void> {
  await feed(0, from.head.slice());
  let offset = from.head.length;
  for (const { url, position, length } of from.parts) {
    const response = await get(url, { signal });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
    const file = new Uint8Array(await response.arrayBuffer());
    if (file.length !== position + length)
      throw new Error(`${url}: ${file.length} bytes, ${position + length} when the host read it (changed since)`);
    for (let at = position; at < file.length; at += MAX_WEIGHT_CHUNK_BYTES) {
      const bytes = file.slice(at, Math.min(file.length, at + MAX_WEIGHT_CHUNK_BYTES));
      await feed(offset, bytes);
      offset += bytes.length;
    }
  }
}
