// Plain words for an engine model key. The host builds keys as "FOLDER@mtimes|backend"
// (model-source.ts adds the file times, engine-client.ts the backend asked for); people want
// the folder's name and the backend, not the cache key.

/** "hf-mamba-dna (backend asked for: auto)" from "/models/hf-mamba-dna@1700000000000,0,0|auto". */
export function modelLabel(key: string): string {
  const bar = key.lastIndexOf('|');
  const files = bar < 0 ? key : key.slice(0, bar);
  const at = files.lastIndexOf('@');
  const folder = (at < 0 ? files : files.slice(0, at)).replace(/[\\/]+$/, '');
  const name = folder.split(/[\\/]/).pop() || folder;
  return bar < 0 ? name : `${name} (backend asked for: ${key.slice(bar + 1)})`;
}
