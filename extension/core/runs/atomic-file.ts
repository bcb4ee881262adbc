// Crash-safe file writes: data goes to a temporary name, is fsynced, and is renamed over the
// target (an atomic replace on POSIX file systems), then the directory is fsynced so the rename
// itself survives a power cut. A reader sees the old file or the new one, never a torn one; a
// directory is replaced the same way, its predecessor kept aside until the new one is in place.
import { existsSync } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function fsyncPath(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Writes bytes to `path` with fsync (no rename; for files inside a directory renamed later). */
export async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const h = await open(path, 'w');
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Replaces `path` atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeSynced(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncPath(dirname(path));
}

/** Where publishDirectory keeps the directory it replaces until the new one is in place. */
const ASIDE = '.replaced';

/**
 * Settles what a crash inside publishDirectory left of `finalDir`: its predecessor, still aside,
 * goes back under the name when the new one never arrived and is removed when it did. Returns
 * what it did, for a log.
 */
async function settleAside(finalDir: string): Promise<string | undefined> {
  const aside = finalDir + ASIDE;
  if (!existsSync(aside)) return undefined;
  if (existsSync(finalDir)) {
    await rm(aside, { recursive: true, force: true });
    return `removed ${basename(aside)}: ${basename(finalDir)} had replaced it`;
  }
  await rename(aside, finalDir);
  return `restored ${basename(finalDir)} from ${basename(aside)}`;
}

/**
 * Renames a fully written directory into place and fsyncs its parent. One already there is renamed
 * aside first and removed only once the new one is in, so at every instant one of them is whole:
 * under its name, or aside for settleAside to put back.
 */
export async function publishDirectory(tmpDir: string, finalDir: string): Promise<void> {
  await fsyncPath(tmpDir);
  await settleAside(finalDir);
  const aside = finalDir + ASIDE;
  const replacing = existsSync(finalDir);
  if (replacing) await rename(finalDir, aside);
  try {
    await rename(tmpDir, finalDir);
  } catch (err) {
    if (replacing) await rename(aside, finalDir);
    throw err;
  }
  await fsyncPath(dirname(finalDir));
  if (replacing) await rm(aside, { recursive: true, force: true });
}

/** settleAside for every directory under `parent` that a crash left aside. */
export async function recoverReplaced(parent: string): Promise<string[]> {
  const done: string[] = [];
  for (const name of await readdir(parent)) {
    const said = name.endsWith(ASIDE) ? await settleAside(join(parent, name.slice(0, -ASIDE.length))) : undefined;
    if (said) done.push(said);
  }
  if (done.length > 0) await fsyncPath(parent);
  return done;
}
