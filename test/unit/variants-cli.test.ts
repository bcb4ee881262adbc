// `seqlab vep`, `mutagenesis` and `embed` end to end through the compiled CLI, on a reference cut
// from the real S. aureus genome with the sample model. vep: every record comes out in order with
// its other columns as they were, LLRs where the library gives them, statuses and problems naming
// the file and line, "chr" prefixes matched and said so, an earlier run's fields replaced; gzip and
// BGZF input give the same file; a truncated gzip writes what came before the cut and exits 1;
// Ctrl-C stops with no output left. mutagenesis: every substitution with vep's LLR for that SNV.
// embed: per-record and per-window means of a layer equal one plain forward over each whole piece.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CpuBackend } from '../../kernels/cpu-backend';
import { readSafetensors } from '../../kernels/io/safetensors';
import { mambaForward } from '../../kernels/model/forward';
import { uploadMambaModel } from '../../kernels/model/weights';
import { DnaTokenizer } from '../../extension/core/datasets/dna-tokenizer';
import { loadModelDir } from '../../extension/core/models/load-model';
import { ReferenceGenome } from '../../extension/core/variants/reference';
import { readFlanks, VariantEffectScorer } from '../../extension/core/variants/variant-effect';
import { bgzf } from '../support/bgzf';
import { REPO_ROOT } from '../support/hf-fixture';
import { REAL, realFile } from '../support/real-data';
import { assertClose } from '../support/tolerance';
import { tempDir } from '../support/train-data';

const CLI = join(__dirname, '..', '..', 'extension', 'core', 'cli', 'main.js');
const MODEL = join(REPO_ROOT, 'samples', 'models', 'dna-saureus');
const seqlab = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const COLUMNS = '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO';

/** chr1 and 2: 40 kb and 20 kb of S. aureus NCTC 8325 (from 2,300,000 and 2,400,000). */
async function makeReference(dir: string): Promise<{ path: string; contigs: Map<string, string> }> {
  const genome = await ReferenceGenome.open(realFile(REAL.saureusNctc8325));
  const contigs = new Map([
    ['chr1', Buffer.from(await genome.bases(0, 2_300_000, 2_340_000)).toString('latin1')],
    ['2', Buffer.from(await genome.bases(0, 2_400_000, 2_420_000)).toString('latin1')],
  ]);
  await genome.close();
  const path = join(dir, 'ref.fa');
  writeFileSync(path, [...contigs].map(([n, s]) => `>${n} part\n${s.replace(/(.{70})/g, '$1\n')}\n`).join(''));
  return { path, contigs };
}

/** Another base than `b`: the k-th after it in ACGT. */
const other = (b: string, k = 1): string => 'ACGT'[('ACGT'.indexOf(b.toUpperCase()) + k) % 4];

test('vep: every record in order, LLRs per ALT, statuses, problems by line, chr prefixes, gzip and BGZF alike', async () => {
  const dir = tempDir('vep-cli');
  const { path: ref, contigs } = await makeReference(dir);
  const c1 = contigs.get('chr1')!,
    c2 = contigs.get('2')!;
  const at = (s: string, pos: number, n = 1) => s.slice(pos - 1, pos - 1 + n).toUpperCase();
  const records = [
    `1\t1001\trs1\t${at(c1, 1001)}\t${other(at(c1, 1001))}\t50\tPASS\tDP=10\tGT:DP\t0/1:3\t1/1:5`,
    `1\t2001\t.\t${at(c1, 2001)}\t${[1, 2, 3].map((k) => other(at(c1, 2001), k)).join(',')}\t.\t.\t.`,
    `1\t3001\t.\t${at(c1, 3001, 3)}\t${at(c1, 3001)}\t.\t.\t.`,
    `1\t4001\t.\t${at(c1, 4001)}\t${at(c1, 4001)}GA\t.\t.\t.`,
    `1\t5001\t.\t${at(c1, 5001)}\t<DEL>,${other(at(c1, 5001))}\t.\t.\tSVTYPE=DEL`,
    `1\t6001\t.\t${at(c1, 6001)}\t*\t.\t.\t.`,
    `1\t7001\t.\t${other(at(c1, 7001))}\tA\t.\t.\t.`,
    `3\t10\t.\tA\tC\t.\t.\t.`,
    `chr2\t19999\t.\tAAA\tC\t.\t.\t.`,
    `chr2\tabc\t.\tA\tC\t.\t.\t.`,
    `chr2\t1\t.\t${at(c2, 1)}\t${other(at(c2, 1))}\t.\t.\tSEQLAB_LLR=9;X=1`,
    `chr2\t20000\t.\t${at(c2, 20000)}\t${other(at(c2, 20000))}\t.\t.\t.`,
  ];
  const columns = `${COLUMNS}\tFORMAT\tS1\tS2`;
  const text = ['##fileformat=VCFv4.2', '##source=test', columns, ...records].join('\n') + '\n';
  const vcf = join(dir, 'in.vcf');
  writeFileSync(vcf, text);
  const out = join(dir, 'out.vcf'),
    tsv = join(dir, 'out.tsv');
  const r = seqlab('vep', '--model', MODEL, '--ref', ref, '--vcf', vcf, '--out', out, '--tsv', tsv, '--window', '32');
  assert.equal(r.status, 0, r.stderr);

  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  const header = lines.filter((l) => l.startsWith('#'));
  for (const id of ['SEQLAB_LLR', 'SEQLAB_LLR_FWD', 'SEQLAB_LLR_RC', 'SEQLAB_STATUS', 'SEQLAB_REFNAME'])
    assert.ok(
      header.some((l) => l.startsWith(`##INFO=<ID=${id},`)),
      id,
    );
  assert.deepEqual(
    [header[0], header[1], header[header.length - 1]],
    ['##fileformat=VCFv4.2', '##source=test', columns],
  );
  const body = lines.filter((l) => !l.startsWith('#')).map((l) => l.split('\t'));
  assert.equal(body.length, records.length);
  const info = body.map((f) => new Map(f[7].split(';').map((kv) => kv.split('=') as [string, string])));
  const allButInfo = (cols: string[]) => cols.filter((_, k) => k !== 7);
  body.forEach((f, i) => assert.deepEqual(allButInfo(f), allButInfo(records[i].split('\t')), `record ${i + 1}`));
  const status = info.map((m) => m.get('SEQLAB_STATUS'));
  assert.deepEqual(status, [
    undefined,
    undefined,
    undefined,
    undefined,
    'symbolic,scored',
    'star',
    'ref_mismatch',
    'chrom_missing',
    'past_end',
    'bad_record',
    undefined,
    undefined,
  ]);
  assert.deepEqual(
    info.map((m) => m.get('SEQLAB_REFNAME')),
    ['chr1', 'chr1', 'chr1', 'chr1', 'chr1', 'chr1', 'chr1', undefined, '2', undefined, '2', '2'],
  );
  assert.equal(info[0].get('DP'), '10');
  assert.deepEqual([info[10].get('X'), info[10].get('SEQLAB_LLR') !== '9'], ['1', true]);
  for (const line of [7, 8, 9, 10])
    assert.match(r.stderr, new RegExp(`in\\.vcf: line ${line + 3}: `), `stderr names line ${line + 3}`);
  assert.match(r.stderr, /chromosome 1 -> chr1 \(chr_prefix\)/);
  assert.match(r.stderr, /chromosome chr2 -> 2 \(chr_prefix\)/);

  // The LLRs are the library's, ALT by ALT.
  const loaded = await loadModelDir(MODEL);
  const backend = new CpuBackend();
  const scorer = new VariantEffectScorer(
    backend,
    uploadMambaModel(backend, loaded.config, loaded.params),
    DnaTokenizer.default(),
  );
  const reference = await ReferenceGenome.open(ref);
  for (const i of [0, 1, 2, 3, 4, 10, 11]) {
    const [chrom, pos, , refAllele, alts] = records[i].split('\t');
    const contig = reference.contig(chrom)!;
    const f = await readFlanks(reference, contig, Number(pos) - 1, refAllele.length, 32);
    const scorable = alts.split(',').filter((a) => !a.startsWith('<'));
    const [llrs] = await scorer.score([
      { left: f.left, ref: f.refBases, alts: scorable.map((a) => Buffer.from(a)), right: f.right },
    ]);
    const want = alts.split(',').map((a) => (a.startsWith('<') ? '.' : llrs[scorable.indexOf(a)].mean.toFixed(4)));
    assert.equal(info[i].get('SEQLAB_LLR'), want.join(','), `record ${i + 1}`);
    const fwd = alts.split(',').map((a) => (a.startsWith('<') ? '.' : llrs[scorable.indexOf(a)].forward.toFixed(4)));
    assert.equal(info[i].get('SEQLAB_LLR_FWD'), fwd.join(','));
  }
  await reference.close();
  backend.dispose();
  const tsvRows = readFileSync(tsv, 'utf8').trimEnd().split('\n');
  assert.equal(tsvRows.length, 1 + 15); // one row per ALT, and one for the bad record's single ALT
  assert.match(
    tsvRows.find((l) => l.startsWith('10\t'))!,
    /\tref_mismatch\t.*in\.vcf: line 10: REF [ACGT] does not match the reference/,
  );

  // The same records from gzip and BGZF files: the same output.
  for (const [name, bytes] of [
    ['in.vcf.gz', gzipSync(text)],
    ['in.bgz.vcf.gz', bgzf(Buffer.from(text), 300)],
  ] as const) {
    writeFileSync(join(dir, name), bytes);
    const o = join(dir, `${name}.out.vcf`);
    const g = seqlab('vep', '--model', MODEL, '--ref', ref, '--vcf', join(dir, name), '--out', o, '--window', '32');
    assert.equal(g.status, 0, g.stderr);
    assert.equal(readFileSync(o, 'utf8'), readFileSync(out, 'utf8'), name);
  }
});

test('vep on a truncated gzip writes the records before the cut and exits 1 naming where', async () => {
  const dir = tempDir('vep-cut');
  const { path: ref, contigs } = await makeReference(dir);
  const c1 = contigs.get('chr1')!;
  const records = Array.from({ length: 400 }, (_, i) => {
    const pos = 100 + 50 * i,
      b = c1[pos - 1].toUpperCase();
    return `chr1\t${pos}\tv${i}\t${b}\t${other(b)}\t.\t.\tNOTE=${'x'.repeat(40 + ((i * 7919) % 60))}`;
  });
  const gz = gzipSync([COLUMNS, ...records].join('\n') + '\n');
  const vcf = join(dir, 'cut.vcf.gz');
  writeFileSync(vcf, gz.subarray(0, Math.floor(gz.length * 0.5)));
  const out = join(dir, 'out.vcf');
  const r = seqlab('vep', '--model', MODEL, '--ref', ref, '--vcf', vcf, '--out', out, '--window', '4');
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stderr,
    /cut\.vcf\.gz: compressed byte \d+: gzip: .* \(after line (\d+): the lines before it were read\)/,
  );
  const after = Number(/after line (\d+)/.exec(r.stderr)![1]);
  const body = readFileSync(out, 'utf8')
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('#'));
  assert.ok(body.length > 0 && body.length < records.length);
  assert.equal(body.length, after - 1);
  body.forEach((l, i) => assert.equal(l.split('\t')[2], `v${i}`));
});

test('vep stops on Ctrl-C after the batch in progress and leaves no output', async () => {
  const dir = tempDir('vep-int');
  const { path: ref, contigs } = await makeReference(dir);
  const c1 = contigs.get('chr1')!;
  const records = Array.from({ length: 600 }, (_, i) => {
    const pos = 300 + 60 * i,
      b = c1[pos - 1].toUpperCase();
    return `chr1\t${pos}\t.\t${b}\t${other(b)}\t.\t.\t.`;
  });
  const vcf = join(dir, 'long.vcf');
  writeFileSync(vcf, [COLUMNS, ...records].join('\n') + '\n');
  const out = join(dir, 'out.vcf');
  const child = spawn(process.execPath, [CLI, 'vep', '--model', MODEL, '--ref', ref, '--vcf', vcf, '--out', out]);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('vep: cpu') && !child.killed) setTimeout(() => child.kill('SIGINT'), 1000);
  });
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /stopping after the batch in progress/);
  assert.match(stderr, /vep: stopped; .*out\.vcf was not written/);
  assert.ok(!existsSync(out));
  assert.deepEqual(readdirSync(dir).sort(), ['long.vcf', 'ref.fa']);
  console.log(`stopped in ${seconds.toFixed(1)} s`);
});

test("mutagenesis: three substitutions per position, each with vep's LLR for that SNV", async () => {
  const dir = tempDir('mutagenesis');
  const { path: ref, contigs } = await makeReference(dir);
  const c1 = contigs.get('chr1')!;
  const tsv = join(dir, 'm.tsv'),
    json = join(dir, 'm.json');
  const r = seqlab(
    'mutagenesis',
    ...['--model', MODEL, '--ref', ref, '--region', 'chr1:1,001-1,004', '--window', '24'],
    ...['--out-tsv', tsv, '--out-json', json],
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(tsv, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  assert.equal(rows.length, 12);
  const vcf = join(dir, 'snvs.vcf');
  writeFileSync(vcf, [COLUMNS, ...rows.map((x) => `${x[0]}\t${x[1]}\t.\t${x[2]}\t${x[3]}\t.\t.\t.`)].join('\n') + '\n');
  const v = seqlab('vep', '--model', MODEL, '--ref', ref, '--vcf', vcf, '--out', join(dir, 'v.vcf'), '--window', '24');
  assert.equal(v.status, 0, v.stderr);
  const vep = readFileSync(join(dir, 'v.vcf'), 'utf8')
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map(
      (l) =>
        new Map(
          l
            .split('\t')[7]
            .split(';')
            .map((kv) => kv.split('=') as [string, string]),
        ),
    );
  rows.forEach((x, i) => {
    assert.equal(x[2], c1[Number(x[1]) - 1].toUpperCase());
    assert.deepEqual(x.slice(4), [vep[i].get('SEQLAB_LLR'), vep[i].get('SEQLAB_LLR_FWD'), vep[i].get('SEQLAB_LLR_RC')]);
  });
  const j = JSON.parse(readFileSync(json, 'utf8')) as { bases: string; llr: (number | null)[][]; start: number };
  assert.equal(j.bases.toUpperCase(), c1.slice(1000, 1004).toUpperCase());
  j.llr.forEach((row, i) => {
    const refIndex = 'ACGT'.indexOf(j.bases[i].toUpperCase());
    assert.equal(row[refIndex], 0);
    for (let b = 0; b < 4; b++) {
      if (b === refIndex) continue;
      const tsvRow = rows.find((x) => Number(x[1]) === j.start + i && x[3] === 'ACGT'[b])!;
      assert.equal(row[b]!.toFixed(4), tsvRow[4]);
    }
  });
});

test('embed: per-record and per-window means of a layer equal one plain forward over each piece', async () => {
  const dir = tempDir('embed');
  const genome = await ReferenceGenome.open(realFile(REAL.saureusNctc8325));
  const seqs: [string, string][] = [
    ['long', Buffer.from(await genome.bases(0, 1_000_000, 1_005_000)).toString('latin1')],
    ['empty', ''],
    ['short', Buffer.from(await genome.bases(0, 2_000_000, 2_000_700)).toString('latin1')],
    ['one', 'G'],
  ];
  await genome.close();
  const fasta = join(dir, 'seqs.fa');
  writeFileSync(fasta, seqs.map(([n, s]) => `>${n}\n${s.replace(/(.{60})/g, '$1\n')}\n`).join(''));
  const loaded = await loadModelDir(MODEL);
  const backend = new CpuBackend();
  const model = uploadMambaModel(backend, loaded.config, loaded.params);
  const tok = DnaTokenizer.default();
  const d = loaded.config.hiddenSize;
  const slowMean = async (bases: string, layer: number): Promise<Float32Array> => {
    const ids = backend.uploadIds(tok.encodeString(bases), [1, bases.length]);
    const r = mambaForward(backend, model, ids, { hiddenStates: true });
    const h = await backend.read(r.hiddenStates![layer]);
    const mean = new Float32Array(d);
    for (let t = 0; t < bases.length; t++) for (let k = 0; k < d; k++) mean[k] += h[t * d + k] / bases.length;
    return mean;
  };
  for (const [layer, window] of [
    [undefined, undefined],
    [0, 1300],
  ] as const) {
    const out = join(dir, `e-${layer}-${window}.safetensors`);
    const args = ['embed', '--model', MODEL, '--data', fasta, '--out', out];
    if (layer !== undefined) args.push('--layer', String(layer));
    if (window !== undefined) args.push('--window', String(window));
    const r = seqlab(...args);
    assert.equal(r.status, 0, r.stderr);
    const file = readSafetensors(readFileSync(out), out);
    const entries = JSON.parse(file.metadata!.entries) as { name: string; start: number; end: number }[];
    const want = seqs
      .filter(([, s]) => s.length > 0)
      .flatMap(([name, s]) =>
        window === undefined
          ? [{ name, start: 0, end: s.length }]
          : Array.from({ length: Math.ceil(s.length / window) }, (_, i) => ({
              name,
              start: i * window,
              end: Math.min(s.length, (i + 1) * window),
            })),
      );
    assert.deepEqual(entries, want);
    const k = layer ?? loaded.config.numLayers - 1;
    assert.deepEqual(
      [file.metadata!.layer, file.metadata!.window],
      [String(k), window === undefined ? 'record' : String(window)],
    );
    const got = file.tensors.get('embeddings')!;
    assert.deepEqual(got.shape, [want.length, d]);
    const ref = new Float32Array(want.length * d);
    for (const [i, e] of want.entries())
      ref.set(await slowMean(seqs.find(([n]) => n === e.name)![1].slice(e.start, e.end), k), i * d);
    const c = assertClose(
      got.data,
      ref,
      { rtol: 1e-4, atol: 1e-5 },
      `embeddings, layer ${k}, window ${window ?? 'record'}`,
    );
    console.log(
      `layer ${k}, window ${window ?? 'record'}: max abs err ${c.maxAbs.toExponential(2)}, mean ${c.meanAbs.toExponential(2)}`,
    );
  }
  backend.dispose();
});
