// Which files and model folders a notebook cell may read. A path the spec names is looked up as the
// user wrote it (absolute, or relative to the notebook's folder or a workspace folder), then placed
// by its real path (`..` and symlinks resolved): inside a workspace folder or a bundled model folder
// it is read; outside them a trusted workspace asks the user once per path per session, and an
// untrusted one refuses, saying why. A notebook from anywhere could otherwise read any file on the
// machine. No vscode: the controller gives the folders, the trust and the question.
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Where a cell runs: the folders that decide where its paths lead, and how to ask about one outside them. */
export interface CellPlace {
  /** Folders a relative path is looked up in, in order (the notebook's folder, then the workspace folders). */
  lookup: readonly string[];
  /** The workspace folders: what is inside them may be read. */
  workspace: readonly string[];
  trusted: boolean;
  /** Asks the user whether the cell may read the `what` ("file", "model folder") at the real `path`, outside the workspace. */
  ask(path: string, what: string): Promise<boolean>;
}

/** A path the cell may not read, and why. */
export class PathNotAllowedError extends Error {
  override name = 'PathNotAllowedError';
}

/** The real path of what `specPath` names: the first place it exists of those it is looked up in. */
export async function locate(specPath: string, lookup: readonly string[], what: string): Promise<string> {
  const tried = isAbsolute(specPath) ? [resolve(specPath)] : lookup.map((root) => resolve(root, specPath));
  const hit = tried.find((p) => existsSync(p));
  if (!hit)
    throw new Error(
      `${what} "${specPath}" not found (looked for ${tried.join(', ') || 'it in an open workspace folder'})`,
    );
  return realpath(hit);
}

/** Whether the real path `path` is one of `roots` (their real paths) or inside one. */
async function inside(path: string, roots: readonly string[]): Promise<boolean> {
  for (const root of roots) {
    const real = await realpath(root).catch(() => undefined);
    if (real === undefined) continue;
    const rel = relative(real, path);
    if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return true;
  }
  return false;
}

/** One per session: the paths outside the workspace that the user let cells read. */
export class PathAccess {
  private readonly allowed = new Set<string>();

  /** `bundled`: the model folders that come with the extension, readable in any workspace. */
  constructor(private readonly bundled: readonly string[]) {}

  /** The real path of what a cell's spec names, once the cell may read it; throws saying why not. */
  async resolve(specPath: string, what: string, cell: CellPlace): Promise<string> {
    const real = await locate(specPath, cell.lookup, what);
    if ((await inside(real, cell.workspace)) || (await inside(real, this.bundled))) return real;
    const shown = real === specPath ? `"${specPath}"` : `"${specPath}" (${real})`;
    if (!cell.trusted)
      throw new PathNotAllowedError(
        `${what} ${shown} is outside the workspace folders: in an untrusted workspace a cell reads only files ` +
          'inside the workspace folders and the bundled models (trust the workspace to read it)',
      );
    if (!this.allowed.has(real) && !(await cell.ask(real, what)))
      throw new PathNotAllowedError(
        `${what} ${shown} is outside the workspace folders, and reading it was not allowed`,
      );
    this.allowed.add(real);
    return real;
  }
}
