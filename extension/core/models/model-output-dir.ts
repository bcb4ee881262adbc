// The folder an import or an export writes: a new one, or, when asked (force), a model folder that
// it replaces. The files are written into a temporary folder beside it and renamed into place once
// all are written (runs/atomic-file.ts), so a failure leaves whatever was there before; a folder
// that is not a model folder (or, for other outputs, the kind its marker file names), or that holds
// the model being read, is never replaced.
import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { publishDirectory } from '../runs/atomic-file';

export class OutputFolderError extends Error {
  override name = 'OutputFolderError';
}

const real = (p: string): Promise<string> => realpath(p).catch(() => resolve(p));

/** What an output folder is, by the file that marks it: a model folder has config.json. */
export interface OutputKind {
  marker: string;
  what: string;
}

const MODEL_FOLDER: OutputKind = { marker: 'config.json', what: 'a model folder' };

async function checkReplaceable(out: string, target: string, source: string, kind: OutputKind): Promise<void> {
  if (!(await stat(target)).isDirectory()) throw new OutputFolderError(`${out} exists and is not a folder`);
  const within = relative(await real(target), await real(source));
  if (within === '' || (!within.startsWith('..') && !isAbsolute(within)))
    throw new OutputFolderError(`${out} holds the model being read (${source}); choose another folder`);
  const names = await readdir(target);
  if (names.length > 0 && !names.includes(kind.marker))
    throw new OutputFolderError(`${out} is not ${kind.what} (no ${kind.marker}), so it is not replaced`);
}

/** Writes a model folder (or another kind of output) at `out` through `fill` (given the folder to write into). */
export async function writeModelFolder(
  out: string,
  opts: { force: boolean; source: string; kind?: OutputKind },
  fill: (dir: string) => Promise<void>,
): Promise<void> {
  const target = resolve(out);
  if (existsSync(target)) {
    if (!opts.force) throw new OutputFolderError(`${out} exists; --force replaces it`);
    await checkReplaceable(out, target, opts.source, opts.kind ?? MODEL_FOLDER);
  }
  const tmp = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    await publishDirectory(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
