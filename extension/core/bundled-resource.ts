// Files SeqLab ships beside its code, under resources/: found by walking up from this module to the
// folder that holds resources/, which is the repository when run from source or tests (out/…) and
// the extension's folder when run from the .vsix (dist/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function bundledResource(...parts: string[]): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const path = join(dir, 'resources', ...parts);
    if (existsSync(path)) return path;
    if (dirname(dir) === dir) throw new Error(`resources/${parts.join('/')}: not found beside ${__dirname}`);
  }
}
