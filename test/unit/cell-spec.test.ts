// The cell spec: what the Analyze command writes reads back, any string exactly (a value can never
// add a key); every key's bounds and every typo are reported with the line; comments and quoting
// work as a YAML reader would expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SpecError,
  formatCellSpec,
  modalityOf,
  parseCellSpec,
  parseRegion,
} from '../../extension/core/notebook/cell-spec';

test('modality from file names', () => {
  for (const f of ['a.fa', 'a.fasta', 'b.fna', 'c.ffn', 'x.fa.gz', 'x.FASTA.GZ', 'r.fastq', 'r.fastq.gz', 'r.fq'])
    assert.equal(modalityOf(f), 'dna', f);
  assert.equal(modalityOf('speech.WAV'), 'audio');
  for (const f of ['a.txt', 'fa', 'a.fa.bz2', 'a.wav.gz', 'a.fasta.gz.tmp']) assert.equal(modalityOf(f), undefined, f);
});

test('a written spec reads back with its options and the defaults', () => {
  const text = formatCellSpec('analyze', 'data/lambda virus#1.fa', {
    model: 'samples/models/dna-tiny',
    window: 250,
    strand: 'both',
    region: 'gi|9626243:1,001-2000',
  });
  assert.match(text, /^# Mamba SeqLab: analyze/);
  const s = parseCellSpec(text);
  assert.equal(s.action, 'analyze');
  assert.equal(s.file, 'data/lambda virus#1.fa');
  assert.equal(s.modality, 'dna');
  assert.equal(s.model, 'samples/models/dna-tiny');
  assert.equal(s.window, 250);
  assert.equal(s.strand, 'both');
  assert.deepEqual(s.region, { record: 'gi|9626243', start: 1000, end: 2000 });
  assert.equal(s.records, 20);
  assert.equal(s.backend, undefined);

  const g = parseCellSpec(
    formatCellSpec('generate', 'speech.wav', { from: 1.25, length: 4000, temperature: 0.8, topK: 16, seed: 7 }),
  );
  assert.deepEqual(
    [g.action, g.modality, g.from, g.length, g.temperature, g.topK, g.seed],
    ['generate', 'audio', 1.25, 4000, 0.8, 16, 7],
  );
});

test('comments, blank lines, CRLF and trailing comments are ignored', () => {
  const s = parseCellSpec(
    '\r\n# hello\r\nanalyze: x.wav   # the file\r\n\r\n  start: 0.5\r\nend: 2 # seconds\r\nbackend: cpu\r\n',
  );
  assert.deepEqual([s.file, s.startS, s.endS, s.backend], ['x.wav', 0.5, 2, 'cpu']);
});

test('errors name the line and the problem', () => {
  const cases: [string, RegExp][] = [
    ['', /line 1: empty spec/],
    ['# only a comment', /empty spec/],
    ['model: m\nanalyze: x.fa', /line 1: the spec must start with "analyze: FILE"/],
    ['analyze: x.txt', /line 1: "x.txt" is not a FASTA\/FASTQ/],
    ['analyze: x.fa\nwindw: 3', /line 2: unknown key "windw" for analyze dna \(known: model, backend, window/],
    ['analyze: x.fa\nstart: 3', /line 2: unknown key "start" for analyze dna/],
    ['analyze: x.wav\nwindow: 3', /line 2: unknown key "window" for analyze audio/],
    ['analyze: x.fa\nwindow: 0', /line 2: window must be a whole number from 1 to 1000000, got "0"/],
    ['analyze: x.fa\nwindow: 2.5', /window must be a whole number/],
    ['analyze: x.fa\nwindow: 1e3', /window must be a whole number/],
    ['analyze: x.fa\n\nstrand: reverse', /line 3: strand must be one of forward, both/],
    ['analyze: x.fa\nbackend: gpu', /backend must be one of auto, webgpu, cpu/],
    ['analyze: x.fa\nregion: chr1:10-5', /region end 5 is before its start 10/],
    ['analyze: x.fa\nregion: chr1', /region must look like NAME:START-END/],
    ['analyze: x.fa\nregion: chr1:0-5', /region start must be a whole number from 1/],
    ['analyze: x.fa\nwindow: 5\nwindow: 6', /line 3: window is given twice/],
    ['analyze: x.fa\nmodel:', /line 2: model has no value/],
    ['analyze: x.fa\njust text', /line 2: expected "key: value"/],
    ['analyze: "x.fa', /line 1: a "\.\.\." value has no closing quote/],
    ["analyze: x.fa\nmodel: 'm", /line 2: a '\.\.\.' value has no closing quote/],
    ['analyze: x.fa\nmodel: "C:\\data"', /line 2: unknown escape "\\d"/],
    ['analyze: x.fa\nmodel: "m" x', /line 2: unexpected " x" after the closing quote/],
    ['analyze: x.wav\nstart: 3\nend: 2', /end 2 s must be after start 3 s/],
    ['generate: x.fa\ntemperature: 0', /temperature must be a number from 0.01 to 10/],
    ['generate: x.fa\nlength: 70000', /length must be a whole number from 1 to 65536/],
    ['generate: x.fa\ntopK: -1', /topK must be a whole number/],
  ];
  for (const [src, re] of cases)
    assert.throws(
      () => parseCellSpec(src),
      (e: unknown) => e instanceof SpecError && re.test(e.message),
      src,
    );
});

test('regions are 1-based inclusive in the spec, 0-based half-open inside', () => {
  for (let i = 0; i < 50; i++) {
    const start = 1 + Math.floor(Math.random() * 1e6),
      end = start + Math.floor(Math.random() * 1e5);
    assert.deepEqual(parseRegion(`chr${i}:${start.toLocaleString('en-US')}-${end}`, 1), {
      record: `chr${i}`,
      start: start - 1,
      end,
    });
  }
});

test('quoted values: "..." with YAML escapes, \'...\' as written, a comment after either', () => {
  const s = parseCellSpec(
    'generate: "a \\"b\\".fa" # the file\nrecord: \'it\'\'s #1 \'\nmodel: "m\\\\x\\u00e9\\tq"\nseed: 3',
  );
  assert.deepEqual([s.file, s.record, s.model, s.seed], ['a "b".fa', "it's #1 ", 'm\\x\u00e9\tq', 3]);
  assert.equal(parseCellSpec("generate: x.fa\nrecord: ''").record, '', 'an empty quoted value is a value');
});

test('any string written as a value reads back exactly, and never adds a key', () => {
  const injected = 'r1\nmodel: /anywhere/model';
  const spec = parseCellSpec(formatCellSpec('generate', 'x.fa', { record: injected, from: 5 }));
  assert.deepEqual([spec.record, spec.model, spec.from], [injected, undefined, 5]);

  const pool = [...'aZ0u- :#"\'\\\n\r\t\u0000\u0085\u00a0\u2028\ufeffé🧬'];
  const random = (): string =>
    Array.from({ length: Math.floor(Math.random() * 12) }, () => pool[Math.floor(Math.random() * pool.length)]).join(
      '',
    );
  const fixed = ['', ' lead', 'trail ', '#x', 'a #b', '"q"', "'q'", 'k: v', '\nmodel: /etc', 'a\r\nb', '\\u0041', "'"];
  for (const value of [...fixed, ...Array.from({ length: 2000 }, random)]) {
    const file = `${value}.fa`;
    const text = formatCellSpec('generate', file, { record: value, model: `m${value}`, seed: 2 });
    const got = parseCellSpec(text);
    assert.deepEqual([got.file, got.record, got.model, got.seed], [file, value, `m${value}`, 2], JSON.stringify(text));
    assert.equal(
      text.split(/\r\n|\r|\n/).filter((l) => l !== '' && !l.startsWith('#')).length,
      4,
      JSON.stringify(text),
    );
  }
  assert.match(formatCellSpec('analyze', 'dir/a b:c.fa'), /^analyze: dir\/a b:c\.fa$/m, 'plain values stay bare');
});

test('a long run of spaces or digits in a value is read in linear time', () => {
  const n = 100_000;
  const t0 = performance.now();
  assert.equal(parseCellSpec(`analyze: a.fa\nmodel: a${' '.repeat(n)}b`).model, `a${' '.repeat(n)}b`);
  assert.equal(parseCellSpec(`analyze: a.fa\nmodel: a${' '.repeat(n)}#b`).model, 'a');
  assert.throws(() => parseCellSpec(`generate: a.wav\nfrom: ${'1'.repeat(n)}x`), /line 2: from must be a number/);
  const ms = performance.now() - t0;
  // Quadratic backtracking took minutes here.
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
});
