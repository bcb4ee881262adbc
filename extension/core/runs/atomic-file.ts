// Crash-safe file writes: data goes to a temporary name, is fsynced, and is renamed over the
// target (an atomic replace on POSIX file systems), then the directory is fsynced so the rename
// itself survives a power cut. A reader sees the old file or the new one, never a torn one.
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

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

/** Renames a fully written directory into place and fsyncs its parent. */
export async function publishDirectory(tmpDir: string, finalDir: string): Promise<void> {
  await fsyncPath(tmpDir);
  await rm(finalDir, { recursive: true, force: true });
  await rename(tmpDir, finalDir);
  await fsyncPath(dirname(finalDir));
}
