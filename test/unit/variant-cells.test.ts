// Variants and mutagenesis cells: their specs (keys, defaults, errors naming the line, what the
// writer writes reads back), the table's order and filter, the letters kept near the variants,
// and the worker thread's job on the real S. aureus VCF (Sibelia's variant.vcf.gz against the
// NCTC 8325 genome it was called on) with the sample model: every record in the table, LLRs equal
// to the CLI's scorer, the exported VCF in the output, an output the codec accepts; cancelling
// ends the thread.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { formatCellSpec, MAX_MUTAGENESIS_BASES, parseCellSpec } from '../../extension/core/notebook/cell-spec';
import { openDnaModel } from '../../extension/core/variants/dna-model';
import { ReferenceGenome } from '../../extension/core/variants/reference';
import { readFlanks, VariantEffectScorer } from '../../extension/core/variants/variant-effect';
import { LETTER_FLANK, mergedFlanks } from '../../extension/core/variants/variant-table';
import { runVariantJob } from '../../extension/core/variants/variant-worker-client';
import { VARIANT_BLOCKS, type MutagenesisSummary, type VariantScoresSummary } from '../../protocol/notebook-output';
import { visibleRows, type VariantRowData } from '../../webview/components/variant-rows';
import { REPO_ROOT } from '../support/hf-fixture';
import { REAL, realFile } from '../support/real-data';
import { assertClose } from '../support/tolerance';
import { tempDir } from '../support/train-data';

const WORKER = join(__dirname, '..', '..', 'extension', 'core', 'variants', 'variant-worker.js');
const MODEL = join(REPO_ROOT, 'samples', 'models', 'dna-saureus');
const SAUREUS_VCF = join(REAL.saureusNctc8325.path, '..', 'variant.vcf.gz');

// The genome as Debian ships it: its record is gi|88193823|ref|NC_007795.1|, which the VCF calls NC_007795.
const SAUREUS_FASTA = realFile(REAL.saureusNctc8325);
const SAUREUS_RECORD = 'gi|88193823|ref|NC_007795.1|';

test('variants and mutagenesis specs: keys, defaults, errors by line, written specs read back', () => {
  const v = parseCellSpec(
    '# a comment\nvariants: calls/x.vcf.gz\nreference: ref.fa\nwindow: 64\nrecords: 50\nbackend: cpu',
  );
  assert.equal(v.action, 'variants');
  assert.deepEqual([v.file, v.reference, v.window, v.records, v.backend], ['calls/x.vcf.gz', 'ref.fa', 64, 50, 'cpu']);
  const d = parseCellSpec('variants: x.vcf');
  assert.deepEqual([d.reference, d.window, d.records, d.model], [undefined, 256, 10_000, undefined]);
  const m = parseCellSpec("mutagenesis: 'gi|1|ref|NC_1.1|:1,001-1,100'\nreference: g.fa.gz");
  assert.deepEqual(m.region, { record: 'gi|1|ref|NC_1.1|', start: 1000, end: 1100 });
  assert.equal(m.window, 256);
  for (const [source, error] of [
    ['variants: x.fa', /line 1: "x\.fa" is not a VCF file/],
    ['variants: x.vcf\nbackend: onnx', /line 2: backend must be one of auto, webgpu, cpu/],
    ['variants: x.vcf\nstrand: both', /line 2: unknown key "strand" for variants dna \(known: reference, model/],
    ['mutagenesis: chr1:5-4', /line 1: region end 4 is before its start 5/],
    [`mutagenesis: chr1:1-${MAX_MUTAGENESIS_BASES + 1}`, /holds at most 2000 bases, got 2001/],
    ['mutagenesis: chr1:1-10\nrecords: 5', /line 2: unknown key "records" for mutagenesis/],
    ['reference: x.fa', /line 1: the spec must start with "analyze: FILE", .*"variants: FILE\.vcf"/],
  ] as const)
    assert.throws(() => parseCellSpec(source), error, source);
  const written = formatCellSpec('variants', 'my calls #1.vcf', { reference: ' odd.fa' });
  const back = parseCellSpec(written);
  assert.deepEqual([back.file, back.reference], ['my calls #1.vcf', ' odd.fa']);
  assert.match(written, /^# Mamba SeqLab: score the variants of a VCF/);
});

test('variant rows: sort by any column either way (unscored LLRs last), filter by text and by scored', () => {
  const data: VariantRowData = {
    table: {
      line: [3, 4, 5, 6, 7],
      chrom: [0, 1, 0, 0, 1],
      chroms: ['chr2', 'chr10'],
      record: [0, 1, 0, 0, 1],
      pos: [500, 20, 30, 30, 7],
      ref: ['A', 'C', 'G', 'G', 'TT'],
      alt: ['T', 'A', 'C', 'A', 'T'],
      status: ['scored', 'scored', 'scored', 'ref_mismatch', 'scored'],
    },
    llr: Float32Array.from([-2, 0.5, -0.25, NaN, 1]),
    llrForward: Float32Array.from([-1, 1, 0, NaN, 2]),
    llrReverse: Float32Array.from([-3, 0, -0.5, NaN, 0]),
  };
  const all = { text: '', scored: 'all' } as const;
  assert.deepEqual(visibleRows(data, { column: 'llr', descending: false }, all), [0, 2, 1, 4, 3]);
  assert.deepEqual(visibleRows(data, { column: 'llr', descending: true }, all), [4, 1, 2, 0, 3]);
  assert.deepEqual(visibleRows(data, { column: 'llrForward', descending: false }, all), [0, 2, 1, 4, 3]);
  assert.deepEqual(visibleRows(data, { column: 'pos', descending: false }, all), [4, 1, 2, 3, 0]);
  // chr2 before chr10 (numeric order), then by position, then file order.
  assert.deepEqual(visibleRows(data, { column: 'chrom', descending: false }, all), [2, 3, 0, 4, 1]);
  assert.deepEqual(visibleRows(data, { column: 'alt', descending: false }, all), [1, 3, 2, 0, 4]);
  const order = { column: 'pos', descending: false } as const;
  assert.deepEqual(visibleRows(data, order, { text: 'chr10', scored: 'all' }), [4, 1]);
  assert.deepEqual(visibleRows(data, order, { text: ' MISMATCH ', scored: 'all' }), [3]);
  assert.deepEqual(visibleRows(data, order, { text: '', scored: 'not scored' }), [3]);
  assert.deepEqual(visibleRows(data, order, { text: '50', scored: 'scored' }), [0]);
});

test('letters near variants: flanks clipped at the record ends and merged where they touch', () => {
  const F = LETTER_FLANK;
  assert.deepEqual(mergedFlanks([[10, 11]], 1000), { starts: [0], ends: [11 + F] });
  assert.deepEqual(mergedFlanks([[995, 997]], 1000), { starts: [995 - F], ends: [1000] });
  assert.deepEqual(
    mergedFlanks(
      [
        [600, 601],
        [300, 303],
        [300 + 2 * F + 3, 300 + 2 * F + 4],
      ],
      1000,
    ),
    { starts: [300 - F, 600 - F], ends: [300 + 3 * F + 4, 601 + F] },
  );
});

test('reference names: an accession without its version finds the versioned record, and no other', async () => {
  const genome = await ReferenceGenome.open(SAUREUS_FASTA);
  try {
    assert.deepEqual(genome.contig('NC_007795'), {
      index: 0,
      name: SAUREUS_RECORD,
      length: 2821361,
      match: 'accession_version',
    });
    assert.equal(genome.contig('NC_007795.1')?.match, 'accession');
    for (const other of ['NC_00779', 'NC_007795.2', 'NC_007795.', 'ref', 'gi'])
      assert.equal(genome.contig(other), undefined, other);
  } finally {
    await genome.close();
  }
  const dir = tempDir('variant-names');
  const fasta = join(dir, 'names.fa');
  writeFileSync(fasta, '>NC_10.1 ten\nACGT\n>U00096.3\nACGT\n');
  const names = await ReferenceGenome.open(fasta);
  try {
    assert.equal(names.contig('NC_1'), undefined);
    assert.deepEqual([names.contig('NC_10')?.name, names.contig('U00096')?.name], ['NC_10.1', 'U00096.3']);
  } finally {
    await names.close();
  }
});

test("variants job in a worker thread on the real S. aureus VCF: every record, the CLI scorer's LLRs, the scored VCF", async () => {
  const reference = SAUREUS_FASTA;
  const job = {
    runId: 'test-run',
    model: { path: MODEL, shown: 'dna-saureus' },
    reference: { path: reference, shown: 'NCTC8325.fasta.gz' },
    backend: 'cpu' as const,
    window: 24,
    vcf: { path: SAUREUS_VCF, shown: 'variant.vcf.gz' },
    records: 40,
  };
  const progress: number[] = [];
  const { summary, blocks } = await runVariantJob(
    WORKER,
    { type: 'variants', job },
    new AbortController().signal,
    (p) => progress.push(p.done),
  );
  assert.equal(summary.kind, 'variant-scores');
  const s = summary as VariantScoresSummary;
  assert.equal(s.counts.records, 40);
  assert.equal(progress[progress.length - 1], 40);
  assert.ok(
    s.notes.some((n) => /scored the first 40 records of variant\.vcf\.gz/.test(n)),
    s.notes.join('\n'),
  );
  assert.ok(s.notes.includes(`chromosome NC_007795 -> ${SAUREUS_RECORD} (accession_version)`), s.notes.join('\n'));
  assert.equal(s.records.length, 1);
  assert.equal(s.variants.line.length, s.counts.alleles);
  assert.ok(s.counts.scored >= 35, `scored ${s.counts.scored}`);
  // The same LLRs as the CLI's scorer on the same windows.
  const genome = await ReferenceGenome.open(reference);
  const dna = await openDnaModel(MODEL, 'cpu');
  try {
    const contig = genome.contig('NC_007795')!;
    const scorer = new VariantEffectScorer(dna.backend, dna.model, dna.tokenizer);
    const llr = blocks.get(VARIANT_BLOCKS.llr) as Float32Array;
    for (const i of [0, 1, 2, s.variants.line.length - 1]) {
      if (s.variants.status[i] !== 'scored') continue;
      const ref = s.variants.ref[i];
      const f = await readFlanks(genome, contig, s.variants.pos[i] - 1, ref.length, job.window);
      const [[expected]] = await scorer.score([
        { left: f.left, ref: Buffer.from(ref), alts: [Buffer.from(s.variants.alt[i])], right: f.right },
      ]);
      assertClose([llr[i]], [expected.mean], { rtol: 1e-5, atol: 1e-4 }, `LLR of row ${i}`);
    }
  } finally {
    dna.dispose();
    await genome.close();
  }
  const vcf = gunzipSync(blocks.get(VARIANT_BLOCKS.scoredVcf) as Uint8Array).toString('utf8');
  const body = vcf.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.equal(body.length, 40);
  assert.match(
    body[0],
    /^NC_007795\t22181\t\.\tC\tA\t\.\t\.\tSEQLAB_LLR=-?\d+\.\d{4};SEQLAB_LLR_FWD=.*;SEQLAB_LLR_RC=-?\d+\.\d{4};SEQLAB_REFNAME=gi\|88193823\|ref\|NC_007795\.1\|$/,
  );
  const tsv = gunzipSync(blocks.get(VARIANT_BLOCKS.scoredTsv) as Uint8Array).toString('utf8');
  assert.equal(tsv.split('\n')[0].split('\t')[0], 'line');
  // Letters around each variant: the reference's own bases at the first variant.
  const r = s.records[0];
  const letters = blocks.get(r.letters.block) as Uint8Array;
  const at = 22181 - 1 - r.letters.starts[0];
  assert.equal(String.fromCharCode(letters[at]).toUpperCase(), 'C');
});

test('mutagenesis job in a worker thread: 3 substitutions a position, 0 at the reference base; cancel ends it', async () => {
  const common = {
    runId: 'm',
    model: { path: MODEL, shown: 'dna-saureus' },
    reference: { path: SAUREUS_FASTA, shown: 'NCTC8325.fasta.gz' },
    backend: 'cpu' as const,
    window: 16,
  };
  const { summary, blocks } = await runVariantJob(
    WORKER,
    { type: 'mutagenesis', job: { ...common, region: { chrom: 'NC_007795', start: 22171, end: 22190 } } },
    new AbortController().signal,
    () => undefined,
  );
  const s = summary as MutagenesisSummary;
  assert.equal(s.kind, 'mutagenesis');
  assert.deepEqual([s.region.start, s.region.end], [22171, 22190]);
  const letters = blocks.get('sequence') as Uint8Array;
  const llr = blocks.get('llr') as Float32Array;
  assert.equal(letters.length, 20);
  for (let i = 0; i < 20; i++) {
    const ref = 'ACGT'.indexOf(String.fromCharCode(letters[i]).toUpperCase());
    for (let b = 0; b < 4; b++) {
      const v = llr[b * 20 + i];
      if (b === ref) assert.equal(v, 0);
      else assert.ok(Number.isFinite(v) && v !== 0, `position ${i} base ${b}: ${v}`);
    }
  }
  const stop = new AbortController();
  const t0 = performance.now();
  const cancelled = runVariantJob(
    WORKER,
    { type: 'mutagenesis', job: { ...common, window: 256, region: { chrom: 'NC_007795', start: 1, end: 2000 } } },
    stop.signal,
    () => stop.abort(),
  );
  await assert.rejects(cancelled, { name: 'AbortError' });
  assert.ok(performance.now() - t0 < 60_000);
});
