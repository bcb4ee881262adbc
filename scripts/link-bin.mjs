// Links bin/seqlab.js into node_modules/.bin so `npx seqlab …` works inside this checkout
// (npm links the bins of dependencies, never the root package's own).
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
const binDir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
rmSync(join(binDir, 'seqlab'), { force: true });
symlinkSync('../../bin/seqlab.js', join(binDir, 'seqlab'));
