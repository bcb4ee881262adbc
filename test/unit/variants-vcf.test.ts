// The VCF reader on the real files Debian ships (python-pyvcf-examples, vcfanno-examples: plain,
// gzip and BGZF; multi-allelic, indels, symbolic alleles, breakends, columns split by spaces), each
// data line against python3 reading the same file on its own; then the REF check, chromosome
// matching and allele statuses of vep's pipeline on those files against a reference genome built
// for them (their own reference genomes are not packaged): REF alleles written in, names with the
// "chr" prefix toggled, one chromosome left out, one shortened, one base changed. Statuses are
// checked against rules written out here; scored ALTs must carry finite LLRs. Last, broken input:
// no header, a truncated gzip and BGZF file (the lines before the cut are read and the stop is
// named), CRLF, a last line without its newline, a header line among the records.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CpuBackend } from '../../kernels/cpu-backend';
import { uploadMambaModel } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import { DnaTokenizer } from '../../extension/core/datasets/dna-tokenizer';
import { memorySource } from '../../extension/core/datasets/source';
import { loadModelDir } from '../../extension/core/models/load-model';
import { ReferenceGenome } from '../../extension/core/variants/reference';
import { scoreEntries } from '../../extension/core/variants/score-vcf';
import { VariantEffectScorer } from '../../extension/core/variants/variant-effect';
import type { AlleleStatus, VariantResult } from '../../extension/core/variants/variant-result';
import { VcfReader, type VcfEntry, type VcfRecord } from '../../extension/core/variants/vcf-reader';
import { REPO_ROOT } from '../support/hf-fixture';
import { pythonVcfColumns } from '../support/python-counts';
import { REAL, realFile } from '../support/real-data';
import { tempDir } from '../support/train-data';

const ACGT = Buffer.from('ACGT', 'latin1');

function debianVcfFiles(): string[] {
  const dirs = [realFile(REAL.pyvcfTests), realFile(REAL.vcfannoExamples)];
  return execFileSync('find', [...dirs, '(', '-name', '*.vcf', '-o', '-name', '*.vcf.gz', ')'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .sort();
}

async function readAll(reader: VcfReader): Promise<VcfEntry[]> {
  const out: VcfEntry[] = [];
  for await (const e of reader.entries()) out.push(e);
  return out;
}

test("every data line of Debian's VCF files is read as python3 splits it (plain, gzip, BGZF)", async () => {
  const files = debianVcfFiles();
  assert.ok(files.length >= 50, `only ${files.length} VCF files found`);
  const py = pythonVcfColumns(files);
  const containers = new Set<string>();
  let records = 0,
    alts = 0;
  for (const f of files) {
    const reader = await VcfReader.open(f);
    containers.add(reader.container);
    const entries = await readAll(reader);
    await reader.close();
    assert.equal(reader.stoppedBy, undefined, f);
    assert.equal(entries.length, py[f].length, `${f}: data lines`);
    entries.forEach((e, i) => {
      const want = py[f][i];
      assert.deepEqual(e.fields.slice(0, 5), want, `${f} data line ${i + 1}`);
      if (e.kind === 'bad') return;
      records++;
      alts += e.alts.length;
      assert.deepEqual(
        [e.chrom, e.pos, e.ref, e.alts],
        [want[0], Number(want[1]), want[3], want[4] === '.' ? [] : want[4].split(',')],
      );
    });
  }
  assert.deepEqual([...containers].sort(), ['bgzf', 'gzip', 'plain']);
  console.log(`${files.length} files: ${records} records, ${alts} ALT alleles`);
  // Spaces for tabs are read, and said so naming the line of the #CHROM header.
  const bnd = await VcfReader.open(join(REAL.pyvcfTests.path, 'example-4.1-bnd.vcf'));
  assert.match(bnd.notes.join('\n'), /example-4\.1-bnd\.vcf: line 24: columns separated by spaces/);
  await bnd.close();
});

/** What each ALT's status must be, from the reference's contents: the rules of vep, written out. */
function expectedStatuses(r: VcfRecord, contigs: Map<string, string>, toggled: (c: string) => string): AlleleStatus[] {
  const bases = contigs.get(r.chrom) ?? contigs.get(toggled(r.chrom));
  if (bases === undefined) return r.alts.map(() => 'chrom_missing');
  if (r.pos - 1 + r.ref.length > bases.length) return r.alts.map(() => 'past_end');
  if (bases.slice(r.pos - 1, r.pos - 1 + r.ref.length) !== r.ref.toUpperCase()) return r.alts.map(() => 'ref_mismatch');
  return r.alts.map((alt): AlleleStatus => {
    if (alt.includes('<')) return 'symbolic';
    if (alt === '*') return 'star';
    if (alt === '.' || alt === '') return 'missing';
    if (/[[\]]/.test(alt) || (alt.length > 1 && (alt.startsWith('.') || alt.endsWith('.')))) return 'breakend';
    if (!/^[ACGT]+$/i.test(r.ref) || !/^[ACGT]+$/i.test(alt)) return 'non_acgt';
    return 'scored';
  });
}

test("vep's REF check, chromosome matching and allele statuses on Debian's VCF files against a built reference", async () => {
  // Those whose positions fit a small reference: indels, multi-allelic, '.', symbolic, '*', breakends, spaces for tabs.
  const names = [
    'python3-vcf/test/example-4.0.vcf',
    'python3-vcf/test/example-4.1-bnd.vcf',
    'python3-vcf/test/tb.vcf.gz',
    'python3-vcf/test/FT.vcf.gz',
    'python3-vcf/test/issue-214.vcf',
    'python3-vcf/test/walk_left.vcf',
    'vcfanno-examples/example/query.vcf.gz',
    'vcfanno-examples/tests/data/multiple-alts.vcf.gz',
    'vcfanno-examples/tests/multiple-alts/ma-query.vcf',
    'vcfanno-examples/tests/citest/test.vcf.gz',
  ];
  realFile(REAL.pyvcfTests);
  realFile(REAL.vcfannoExamples);
  const loaded = await loadModelDir(join(REPO_ROOT, 'samples', 'models', 'dna-saureus'));
  const backend = new CpuBackend();
  const scorer = new VariantEffectScorer(
    backend,
    uploadMambaModel(backend, loaded.config, loaded.params),
    DnaTokenizer.default(),
  );
  const toggled = (c: string) => (/^chr/i.test(c) ? c.slice(3) : `chr${c}`);
  const rng = new Rng(Date.now() % 100000);
  const dir = tempDir('vep-ref');
  const seen = new Map<string, number>();
  let renamed = 0;
  for (const [n, name] of names.entries()) {
    const vcf = join('/usr/share/doc', name);
    const first = await VcfReader.open(vcf);
    const records = (await readAll(first)).filter((e): e is VcfRecord => e.kind === 'record');
    await first.close();
    // The reference: one record per CHROM (its name with "chr" toggled, except the first), long
    // enough for every REF, random bases with each REF written in.
    const chroms = [...new Set(records.map((r) => r.chrom))];
    const contigs = new Map<string, Uint8Array>();
    for (const [i, c] of chroms.entries()) {
      const length = Math.max(...records.filter((r) => r.chrom === c).map((r) => r.pos - 1 + r.ref.length)) + 20;
      contigs.set(
        i === 0 ? c : toggled(c),
        Uint8Array.from({ length }, () => ACGT[rng.nextU32() % 4]),
      );
    }
    const nameOf = (c: string) => (contigs.has(c) ? c : toggled(c));
    for (const r of records) contigs.get(nameOf(r.chrom))!.set(Buffer.from(r.ref.toUpperCase(), 'latin1'), r.pos - 1);
    // Faults, one per file in turn: the last CHROM left out; the first CHROM cut one base short
    // of its last REF; a base changed under the first SNV.
    const snv = records.find((r) => /^[ACGT]$/i.test(r.ref));
    if (n % 3 === 2 && snv)
      contigs.get(nameOf(snv.chrom))![snv.pos - 1] = ACGT[(ACGT.indexOf(snv.ref.toUpperCase().charCodeAt(0)) + 1) % 4];
    if (n % 3 === 0 && chroms.length > 1) contigs.delete(toggled(chroms[chroms.length - 1]));
    if (n % 3 === 1) {
      const lastEnd = Math.max(...records.filter((r) => r.chrom === chroms[0]).map((r) => r.pos - 1 + r.ref.length));
      contigs.set(chroms[0], contigs.get(chroms[0])!.subarray(0, lastEnd - 1));
    }
    const strings = new Map([...contigs].map(([c, b]) => [c, Buffer.from(b).toString('latin1')]));
    const text = [...strings].map(([c, b]) => `>${c}\n${b.replace(/(.{60})/g, '$1\n')}\n`).join('');
    const fasta = join(dir, `ref${n}.fa${n % 2 ? '.gz' : ''}`);
    writeFileSync(fasta, n % 2 ? gzipSync(text) : text);

    const reference = await ReferenceGenome.open(fasta);
    const reader = await VcfReader.open(vcf);
    const results: VariantResult[] = [];
    for await (const batch of scoreEntries(reader.entries(), reference, scorer, { vcfName: vcf, window: 8 }))
      results.push(...batch.filter((s) => s.entry.kind === 'record').map((s) => s.result));
    await reader.close();
    await reference.close();
    assert.equal(results.length, records.length);
    records.forEach((r, i) => {
      const got = results[i];
      const want = expectedStatuses(r, strings, toggled);
      assert.deepEqual(
        got.alleles.map((a) => a.status),
        want,
        `${vcf} line ${r.line}: ${r.chrom}:${r.pos} ${r.ref}>${r.alts.join(',')} (${got.problem ?? ''})`,
      );
      want.forEach((s) => seen.set(s, (seen.get(s) ?? 0) + 1));
      if (want[0] === 'ref_mismatch' || want[0] === 'chrom_missing' || want[0] === 'past_end')
        assert.match(got.problem!, new RegExp(`${name.replace(/\./g, '\\.')}: line ${r.line}: `));
      if (!strings.has(r.chrom) && strings.has(toggled(r.chrom))) {
        assert.deepEqual([got.referenceName, got.nameMatch], [toggled(r.chrom), 'chr_prefix']);
        renamed++;
      }
      for (const a of got.alleles.filter((x) => x.status === 'scored')) {
        assert.ok(
          [a.llr, a.llrForward, a.llrReverse].every((x) => Number.isFinite(x)),
          `line ${r.line}`,
        );
        assert.ok(Math.abs(a.llr! - (a.llrForward! + a.llrReverse!) / 2) < 1e-9);
      }
    });
  }
  backend.dispose();
  console.log(`statuses: ${[...seen].map(([k, v]) => `${k} ${v}`).join(', ')}; ${renamed} records by a chr prefix`);
  for (const s of ['scored', 'symbolic', 'breakend', 'star', 'ref_mismatch', 'chrom_missing', 'past_end'])
    assert.ok(seen.has(s), `no ${s} ALT among the files`);
  assert.ok(renamed > 0);
});

test('broken VCF input: no header, truncated gzip and BGZF, CRLF, no last newline, a header line among records', async () => {
  const noHeader = await VcfReader.fromSource(
    memorySource('headless.vcf', Buffer.from('1\t5\t.\tA\tC\t.\t.\t.\r\n1\t7\t.\tG\tT,<DEL>\t.\t.\tDP=3')),
  );
  assert.deepEqual(noHeader.notes, [
    'headless.vcf: line 1: no header (#CHROM line) before the first record; read in VCF column order',
  ]);
  const entries = await readAll(noHeader);
  assert.deepEqual(
    entries.map((e) => (e.kind === 'record' ? [e.line, e.chrom, e.pos, e.ref, e.alts] : e.problem)),
    [
      [1, '1', 5, 'A', ['C']],
      [2, '1', 7, 'G', ['T', '<DEL>']],
    ],
  );

  const late = await VcfReader.fromSource(
    memorySource(
      'late.vcf',
      Buffer.from('#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t5\t.\tA\tC\t.\t.\t.\n#x\n1\t5\n'),
    ),
  );
  assert.deepEqual(
    (await readAll(late)).map((e) => (e.kind === 'bad' ? e.problem : e.line)),
    [
      2,
      'late.vcf: line 3: a header line after the first record',
      'late.vcf: line 4: 2 columns; a record has at least 8 (CHROM to INFO)',
    ],
  );

  // Cut a gzip and a BGZF file mid-way: what came before the cut is read, and the stop says where.
  for (const name of ['python3-vcf/test/1kg.vcf.gz', 'vcfanno-examples/example/exac.vcf.gz']) {
    const path = join('/usr/share/doc', name);
    const bytes = readFileSync(path);
    const cut = await VcfReader.fromSource(
      memorySource(`cut-${name}`, bytes.subarray(0, Math.floor(bytes.length * 0.6))),
    );
    const got = await readAll(cut);
    const want = pythonVcfColumns([path])[path];
    assert.ok(got.length > 0 && got.length < want.length, `${name}: ${got.length} of ${want.length} lines`);
    got.forEach((e, i) => assert.deepEqual(e.fields.slice(0, 5), want[i]));
    assert.match(
      cut.stoppedBy ?? '',
      new RegExp(`^cut-${name.replace(/\./g, '\\.')}: compressed byte \\d+: .* \\(after line \\d+`),
    );
  }
});

test('header lines the VCF parser refuses (no "=", a bare CR inside) are noted by line and left out; the records read', async () => {
  const vcf = [
    '##fileformat=VCFv4.2',
    '##FO',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="depth">\rjunk',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\rs2',
    '1\t5\t.\tA\tC\t.\t.\tDP=3\tGT\t0/1',
  ].join('\n');
  const reader = await VcfReader.fromSource(memorySource('odd-header.vcf', Buffer.from(vcf)));
  assert.equal(reader.notes.length, 3);
  assert.equal(reader.notes[0], 'odd-header.vcf: line 4: a bare CR in the #CHROM line; read in VCF column order');
  assert.match(reader.notes[1], /^odd-header\.vcf: line 2: a header line the VCF parser refuses \(.+\); left out/);
  assert.match(reader.notes[2], /^odd-header\.vcf: line 3: a header line the VCF parser refuses/);
  assert.deepEqual(reader.header.meta, vcf.split('\n').slice(0, 3));
  const entries = await readAll(reader);
  assert.deepEqual(
    entries.map((e) => (e.kind === 'record' ? [e.line, e.chrom, e.pos, e.ref, e.alts] : e.problem)),
    [[5, '1', 5, 'A', ['C']]],
  );
});

test('a POS past the largest safe integer is a bad line naming its line, not a record at a rounded position', async () => {
  const vcf =
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t100000000000000000000\t.\tA\tC\t.\t.\t.\n1\t9007199254740991\t.\tA\tC\t.\t.\t.\n';
  const entries = await readAll(await VcfReader.fromSource(memorySource('far.vcf', Buffer.from(vcf))));
  assert.deepEqual(
    entries.map((e) => (e.kind === 'record' ? [e.line, e.pos] : e.problem)),
    [
      'far.vcf: line 2: POS "100000000000000000000" is not a position (a whole number from 1 to 9007199254740991)',
      [3, 9007199254740991],
    ],
  );
});
