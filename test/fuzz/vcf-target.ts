// Fuzz target of the VCF reader (extension/core/variants/vcf-reader.ts) over Debian's example VCF
// files (python-pyvcf-examples: plain, and gzip/BGZF files read here as text): the text mutated
// as bytes or line by line, then stored plain, gzip or BGZF (in small blocks, so that lines cross
// them); a fifth of the compressed inputs also have their compressed bytes mutated. Every input
// either reads, each data line coming out in order as a record or a bad line naming the file and
// line, or is refused with a DataFormatError naming the file. A compressed input whose compressed
// bytes were not touched reads to the same entries as its text stored plain.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataFormatError } from '../../extension/core/datasets/errors';
import { memorySource } from '../../extension/core/datasets/source';
import { classifyAllele } from '../../extension/core/variants/alleles';
import { VcfReader, type VcfEntry } from '../../extension/core/variants/vcf-reader';
import { bgzf } from '../support/bgzf';
import { REAL, realFile } from '../support/real-data';
import { consistent, refused, type FuzzInput, type FuzzTarget } from './fuzz-target';
import { int, mutate, pick, type Rand } from './reader-fuzz';

/** Each seed's first lines only: an input stays small and fast. */
const SEED_BYTES = 6000;
const SEED_FILES = [
  'example-4.0.vcf',
  'example-4.1-bnd.vcf',
  'example-4.1-sv.vcf',
  'example-4.1-ploidy.vcf',
  'samples-space.vcf',
  'issue-214.vcf',
  'walk_left.vcf',
  'bad-info-character.vcf',
  'gatk.vcf.gz',
  'freebayes.vcf.gz',
  'metadata-whitespace.vcf.gz',
  'example-4.2.vcf.gz',
];

function vcfSeeds(): string[] {
  const dir = realFile(REAL.pyvcfTests);
  return SEED_FILES.map((f) => {
    const raw = readFileSync(join(dir, f));
    const text = (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
    const cut = text.lastIndexOf('\n', SEED_BYTES);
    return cut > 0 && text.length > SEED_BYTES ? text.slice(0, cut + 1) : text;
  });
}

const VCF_VALUES = [
  '.',
  '',
  '0',
  '-1',
  '99999999999999999999',
  '1e5',
  'N',
  '*',
  '<DEL>',
  '<',
  'A[1:2[',
  ']chr2:3]T',
  'G]]',
  'A,,C',
  'acgtn',
  'DP=;;AF=1,2,',
  '=',
  '__proto__',
  'constructor=1',
  '%3B%',
  '\u00e9',
  '\0',
];

/** Line changes: a column replaced, a tab made a space, a line dropped, doubled or torn, a header line moved. */
function mutateLines(text: string, rand: Rand): FuzzInput {
  const lines = text.split('\n');
  const how: string[] = [];
  for (let m = 1 + int(rand, 3); m > 0; m--) {
    const at = int(rand, lines.length);
    switch (int(rand, 6)) {
      case 0: {
        const cols = lines[at].split('\t');
        const col = int(rand, cols.length + 2);
        cols[col] = pick(rand, VCF_VALUES);
        lines[at] = cols.map((c) => c ?? '').join('\t');
        how.push(`column ${col}`);
        break;
      }
      case 1:
        lines[at] = lines[at].replace('\t', pick(rand, [' ', '  ', '']));
        how.push('tab');
        break;
      case 2:
        lines.splice(at, 1);
        how.push('drop');
        break;
      case 3:
        lines.splice(at, 0, lines[at]);
        how.push('double');
        break;
      case 4:
        lines[at] = lines[at].slice(0, int(rand, lines[at].length + 1));
        how.push('torn');
        break;
      default:
        lines.splice(
          int(rand, lines.length),
          0,
          pick(
            rand,
            lines.filter((l) => l.startsWith('#')),
          ) ?? '#',
        );
        how.push('header line');
    }
  }
  return { bytes: Buffer.from(lines.join(pick(rand, ['\n', '\n', '\r\n'])), 'latin1'), how };
}

type Stored = 'plain' | 'gzip' | 'bgzf';

/** The input's text, its container, and whether its compressed bytes were mutated. */
interface VcfInput extends FuzzInput {
  text: Uint8Array;
  stored: Stored;
  corrupted: boolean;
}

function mutateVcf(seeds: readonly string[], rand: Rand): VcfInput {
  const seed = pick(rand, seeds);
  const t =
    rand() < 0.5
      ? mutate(Buffer.from(seed, 'latin1'), Buffer.from(pick(rand, seeds), 'latin1'), rand)
      : mutateLines(seed, rand);
  const text = Buffer.from(t.bytes);
  const stored = pick(rand, ['plain', 'plain', 'gzip', 'bgzf'] as const);
  const how = [...t.how, stored];
  if (stored === 'plain') return { bytes: text, text, stored, corrupted: false, how };
  let bytes: Uint8Array = stored === 'gzip' ? gzipSync(text) : bgzf(text, 64 + int(rand, 2048));
  const corrupted = rand() < 0.2;
  if (corrupted) {
    const c = mutate(bytes, bytes, rand);
    bytes = c.bytes;
    how.push(...c.how.map((h) => `compressed ${h}`));
  }
  return { bytes, text, stored, corrupted, how };
}

interface Read {
  entries: VcfEntry[];
  notes: readonly string[];
  stoppedBy: string | undefined;
}

async function readVcf(name: string, bytes: Uint8Array): Promise<Read> {
  const reader = await VcfReader.fromSource(memorySource(name, bytes));
  const entries: VcfEntry[] = [];
  for await (const e of reader.entries()) entries.push(e);
  return { entries, notes: reader.notes, stoppedBy: reader.stoppedBy };
}

/** Lines in order, each problem naming the file and its line, records with a position, bases and ALTs every class takes. */
function checkRead(name: string, r: Read): void {
  let last = 0;
  for (const e of r.entries) {
    consistent(e.line > last, () => `line ${e.line} after line ${last}`);
    last = e.line;
    if (e.kind === 'bad') {
      consistent(e.problem.startsWith(`${name}: line ${e.line}: `), () => `a bad line's problem: ${e.problem}`);
      continue;
    }
    consistent(
      Number.isSafeInteger(e.pos) && e.pos >= 1 && e.chrom !== '' && e.ref !== '' && e.ref !== '.',
      () => `line ${e.line}: a record at ${e.chrom}:${e.pos} with REF "${e.ref}"`,
    );
    for (const alt of e.alts) classifyAllele(e.ref, alt);
  }
  for (const note of r.notes) consistent(note.startsWith(`${name}: line `), () => `a note: ${note}`);
  consistent(r.stoppedBy === undefined || r.stoppedBy.startsWith(`${name}: `), () => `stopped by: ${r.stoppedBy}`);
}

/** A VCF file, plain, gzip or BGZF, read to its last entry. */
export const vcfTarget: FuzzTarget = {
  name: 'vcf',
  async open() {
    const seeds = vcfSeeds();
    const seedInputs: VcfInput[] = seeds.flatMap((s) => {
      const text = Buffer.from(s, 'latin1');
      return [
        { bytes: text, text, stored: 'plain' as const, corrupted: false, how: [] },
        { bytes: gzipSync(text), text, stored: 'gzip' as const, corrupted: false, how: [] },
        { bytes: bgzf(text, 512), text, stored: 'bgzf' as const, corrupted: false, how: [] },
      ];
    });
    return {
      seeds: seedInputs,
      mutate: (rand) => mutateVcf(seeds, rand),
      async read(input, _rand, timed) {
        const { text, stored, corrupted } = input as VcfInput;
        const name = stored === 'plain' ? 'fuzz.vcf' : 'fuzz.vcf.gz';
        let r: Read;
        try {
          r = await timed(() => readVcf(name, input.bytes));
        } catch (err) {
          return refused(err, [DataFormatError], `${name}: `);
        }
        checkRead(name, r);
        if (stored !== 'plain' && !corrupted) {
          consistent(r.stoppedBy === undefined, () => `an intact ${stored} file stopped: ${r.stoppedBy}`);
          const plain = await readVcf(name, text);
          consistent(isDeepStrictEqual(plain, r), () => `read ${stored} and plain, the entries differ`);
        }
        return 'ok';
      },
      async close() {},
    };
  },
};
