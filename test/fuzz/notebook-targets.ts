// Fuzz targets of a SeqLab notebook: a cell's spec (the text the user edits) and the whole .seqlab
// file. A spec that parses must write back (formatCellSpec) to the same file, model and record; a
// notebook that reads must write back: to the same output items, and to the same file when written again.
import { formatCellSpec, parseCellSpec, SpecError, type CellSpec } from '../../extension/core/notebook/cell-spec';
import {
  NotebookFormatError,
  readNotebook,
  writeNotebook,
  type StoredNotebook,
} from '../../extension/core/notebook/notebook-format';
import { consistent, PropertyError, refused, type FuzzInput, type FuzzTarget } from './fuzz-target';
import { mutateJsonFile } from './json-mutate';
import { int, mutate, pick, type Rand } from './reader-fuzz';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function specSeeds(): string[] {
  return [
    formatCellSpec('analyze', 'data/genome.fa.gz', {
      model: 'models/dna small',
      window: 200,
      strand: 'both',
      region: 'chr1:1,000-2,000',
      records: 5,
    }),
    formatCellSpec('analyze', "it's #1.wav", { backend: 'cpu', start: 0.5, end: 2.25 }),
    formatCellSpec('generate', 'reads.fq', { record: 'read\t1', from: 10, length: 64, temperature: 0.8, topK: 4 }),
    formatCellSpec('generate', 'speech.wav', { from: 1.5, length: 16000, seed: 7 }),
    '# notes\r\nanalyze: \'a b.fasta\'  # a comment\r\nbackend: auto\r\nregion: "x\\u00e9:1-10"\r\n',
  ];
}

const SPEC_KEYS = [
  'analyze',
  'generate',
  'model',
  'backend',
  'window',
  'strand',
  'region',
  'records',
  'start',
  'end',
  'record',
  'from',
  'length',
  'temperature',
  'topK',
  'seed',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'x-y',
];
const NUMBERS = [
  '99999999999999999999',
  '9007199254740993',
  '1e308',
  '1e-400',
  '-0',
  '0',
  '-1',
  'NaN',
  'Infinity',
  '1_000',
  '1,000,000',
  '0x10',
  '.5',
  '5.',
  '+3',
];
const LONG_CHARS = [' ', 'a', '#', "'", '"', '\\', ':', '\t', 'é', '\u2028', '1', ','];

function specValue(rand: Rand): string {
  const n = pick(rand, [100, 10_000, 100_000]);
  switch (int(rand, 5)) {
    case 0:
      return rand() < 0.5 ? pick(rand, NUMBERS) : `${'1'.repeat(n)}${pick(rand, ['', 'x', '.', '.5e', ' #'])}`;
    case 1:
      return pick(rand, [`chr1:${'9'.repeat(n)}-1`, `a:b:1-2`, ':1-2', 'x:2-1', `${':'.repeat(n)}1-2`]);
    case 2:
      return pick(rand, [pick(rand, LONG_CHARS).repeat(n), `a${' '.repeat(n)}b`, `a${'\t '.repeat(n)}#`]);
    case 3:
      return pick(rand, [
        `"${'a'.repeat(n)}"`,
        `'${'b'.repeat(n)}`,
        '"\\u12"',
        '"\\x41"',
        '"a\\"',
        "'it''s'",
        '"ok" # c',
        '"ok"x',
      ]);
    default:
      return pick(rand, ['a.fa', 'b.wav', 'x.txt', 'c.FASTQ.GZ', '"weird #.fa"', 'cpu', 'both', 'webgpu']);
  }
}

/** One to three line changes: a key given a value from the lists above, a line dropped, doubled or joined, line ends changed. */
function mutateSpec(seeds: readonly string[], rand: Rand): FuzzInput {
  const seed = pick(rand, seeds);
  if (rand() < 0.4) {
    const b = mutate(utf8(seed), utf8(pick(rand, seeds)), rand);
    return { bytes: b.bytes, how: b.how };
  }
  const lines = seed.split(/\r?\n/);
  const how: string[] = [];
  for (let m = 1 + int(rand, 3); m > 0; m--) {
    const at = int(rand, lines.length);
    switch (int(rand, 5)) {
      case 0: {
        const key = pick(rand, SPEC_KEYS);
        lines.splice(at, 0, `${key}:${pick(rand, [' ', '', '\t'])}${specValue(rand)}`);
        how.push(`line ${key}`);
        break;
      }
      case 1:
        lines[at] = `${lines[at].split(':')[0]}: ${specValue(rand)}`;
        how.push('value');
        break;
      case 2:
        lines.splice(at, 1);
        how.push('drop');
        break;
      case 3:
        lines.splice(at, 0, lines[at]);
        how.push('double');
        break;
      default:
        how.push('line ends');
        return { bytes: utf8(lines.join(pick(rand, ['\r', '\r\n', '', '\u2028']))), how };
    }
  }
  return { bytes: utf8(lines.join('\n')), how };
}

/** What formatCellSpec writes of a parsed spec's strings reads back to the same strings. */
function checkSpec(spec: CellSpec): void {
  const options: Record<string, string> = {};
  if (spec.model !== undefined) options.model = spec.model;
  if (spec.record !== undefined) options.record = spec.record;
  let back: CellSpec;
  try {
    back = parseCellSpec(formatCellSpec(spec.action, spec.file, options));
  } catch (err) {
    throw new PropertyError(`written back, not read: ${(err as Error).message}`);
  }
  consistent(
    back.file === spec.file && back.model === spec.model && back.record === spec.record,
    () => `written and read back: ${JSON.stringify([back.file, back.model, back.record])}`,
  );
}

/** A cell's spec (parseCellSpec); a refusal names its line. */
export const cellSpecTarget: FuzzTarget = {
  name: 'cell spec',
  async open() {
    const seeds = specSeeds();
    return {
      seeds: seeds.map((s) => ({ bytes: utf8(s), how: [] })),
      mutate: (rand) => mutateSpec(seeds, rand),
      async read(input, _rand, timed) {
        const source = text(input.bytes);
        try {
          checkSpec(await timed(() => parseCellSpec(source)));
          return 'ok';
        } catch (err) {
          const lines = source.split(/\r\n|\r|\n/).length;
          if (err instanceof SpecError)
            consistent(err.line >= 1 && err.line <= lines, () => `line ${err.line} of ${lines}: ${err.message}`);
          return refused(err, [SpecError], /^cell spec line \d+: /);
        }
      },
      async close() {},
    };
  },
};

function notebookSeeds(): string[] {
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37) & 0xff);
  const notebooks: StoredNotebook[] = [
    { cells: [], metadata: undefined },
    {
      cells: [
        {
          kind: 'markup',
          language: 'markdown',
          source: '# Lab\nnotes',
          outputs: [],
          run: undefined,
          metadata: undefined,
        },
        {
          kind: 'code',
          language: 'yaml',
          source: specSeeds()[0],
          outputs: [
            {
              items: [
                { mime: 'application/json', data: utf8('{"a":[1,2.5,null],"b":"x"}') },
                { mime: 'text/plain', data: utf8('hello\u00e9') },
                { mime: 'application/vnd.code.notebook.error', data: utf8('{"name":"Error","message":"m"}') },
                { mime: 'application/vnd.seqlab.analysis', data: bytes(96) },
              ],
              metadata: { seqlab: { version: 1 } },
            },
          ],
          run: { order: 3, success: true, startTime: 1_700_000_000_000, endTime: 1_700_000_000_250 },
          metadata: { custom: { tag: 'x' } },
        },
        {
          kind: 'code',
          language: 'yaml',
          source: specSeeds()[3],
          outputs: [
            { items: [{ mime: 'application/vnd.code.notebook.stdout', data: utf8('done\n') }], metadata: undefined },
          ],
          run: { order: undefined, success: false, startTime: undefined, endTime: undefined },
          metadata: undefined,
        },
      ],
      metadata: { created: 'seqlab' },
    },
  ];
  return notebooks.map((nb) => text(writeNotebook(nb)));
}

/** The same bytes, or JSON texts the same once parsed and written again (JSON items are stored parsed). */
function sameData(a: Uint8Array, b: Uint8Array): boolean {
  if (Buffer.compare(a, b) === 0) return true;
  try {
    return JSON.stringify(JSON.parse(text(a))) === JSON.stringify(JSON.parse(text(b)));
  } catch {
    return false;
  }
}

/** A whole .seqlab file (readNotebook); a notebook that reads must write back (writeNotebook). */
export const notebookTarget: FuzzTarget = {
  name: '.seqlab notebook',
  async open() {
    const seeds = notebookSeeds();
    const file = 'fuzz.seqlab';
    return {
      seeds: [...seeds, ''].map((s) => ({ bytes: utf8(s), how: [] })),
      mutate: (rand) => mutateJsonFile(seeds, rand),
      async read(input, _rand, timed) {
        let nb: StoredNotebook;
        try {
          nb = await timed(() => readNotebook(input.bytes, file));
        } catch (err) {
          return refused(err, [NotebookFormatError], `${file}: `);
        }
        let written: Uint8Array, back: StoredNotebook;
        try {
          written = writeNotebook(nb);
          back = readNotebook(written, file);
        } catch (err) {
          throw new PropertyError(
            `read, but not written and read back: ${(err as Error).name}: ${(err as Error).message}`,
          );
        }
        consistent(text(writeNotebook(back)) === text(written), () => 'written twice, not the same file');
        const items = (n: StoredNotebook) => n.cells.flatMap((c) => c.outputs.flatMap((o) => o.items));
        const before = items(nb),
          after = items(back);
        consistent(
          before.length === after.length &&
            before.every((it, i) => it.mime === after[i].mime && sameData(it.data, after[i].data)),
          () => 'written and read back, an output item changed',
        );
        return 'ok';
      },
      async close() {},
    };
  },
};
