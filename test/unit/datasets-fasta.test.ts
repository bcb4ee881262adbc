// FASTA reading and random access: synthetic files with every layout quirk, in every container
// (plain, gzip, multi-member gzip, BGZF), against a line-splitting reference parser; then real
// files from Debian packages against python3's independent reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFasta, CHECKPOINT_BASES, type FastaEvent } from '../../extension/core/datasets/fasta';
import {
  buildFastaIndex,
  fastaIndexToJson,
  IndexedFasta,
  parseFastaIndex,
  type FastaIndex,
  type FastaIndexRecord,
} from '../../extension/core/datasets/fasta-index';
import { detectContainer } from '../../extension/core/datasets/container';
import { memorySource, openFileSource, type RandomAccessSource } from '../../extension/core/datasets/source';
import { bgzf } from '../support/bgzf';
import { pythonFastaSummary } from '../support/python-counts';
import { REAL, realFile } from '../support/real-data';

const allRecords = (index: FastaIndex): FastaIndexRecord[] =>
  Array.from({ length: index.records.count }, (_, i) => index.records.get(i));
const throughJson = (index: FastaIndex) => parseFastaIndex(JSON.parse(JSON.stringify(fastaIndexToJson(index))));

interface RefRecord {
  name: string;
  description: string;
  seq: string;
}

/** Reference: split lines, strip whitespace; nothing shared with the streaming parser. */
function referenceParse(text: string): RefRecord[] {
  const out: RefRecord[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('>')) {
      const h = line.slice(1).trim(),
        sp = h.search(/\s/);
      out.push({ name: sp < 0 ? h : h.slice(0, sp), description: sp < 0 ? '' : h.slice(sp + 1).trim(), seq: '' });
    } else if (out.length > 0) out[out.length - 1].seq += line.replace(/\s/g, '');
  }
  return out;
}

async function collect(src: RandomAccessSource, chunkSize?: number): Promise<RefRecord[]> {
  const recs: RefRecord[] = [];
  const parts: string[][] = [];
  let length = 0;
  for await (const ev of readFasta(src, chunkSize ? { chunkSize } : {}) as AsyncGenerator<FastaEvent>) {
    if (ev.type === 'header') {
      recs.push({ name: ev.header.name, description: ev.header.description, seq: '' });
      parts.push([]);
      length = 0;
    } else if (ev.type === 'bases') {
      assert.equal(ev.start, length, 'bases event start');
      parts[ev.record].push(Buffer.from(ev.bases).toString('latin1'));
      length += ev.bases.length;
    } else assert.equal(ev.layout.length, length, 'layout length');
  }
  recs.forEach((r, i) => {
    r.seq = parts[i].join('');
  });
  return recs;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ACGTACGTACGTACGTacgtacgtNNnRYSWKMBDHVryswkmbdhv-.U';
function randomSeq(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

/** A FASTA text with one record per layout: uniform LF, uniform CRLF, one line, ragged, blank lines, empty, no final newline. */
function synthetic(rand: () => number): string {
  const wrap = (seq: string, width: number, eol: string) =>
    (seq.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol) + eol;
  const ragged = (seq: string) => {
    let out = '',
      i = 0;
    while (i < seq.length) {
      const w = 1 + Math.floor(rand() * 90);
      out += seq.slice(i, i + w) + (rand() < 0.3 ? '\r\n' : '\n');
      i += w;
    }
    return out;
  };
  return [
    '\n\n>uniform60 first record, with a description\n' +
      wrap(randomSeq(rand, 1000 + Math.floor(rand() * 500)), 60, '\n'),
    '>crlf70 \t spaced   description \r\n' + wrap(randomSeq(rand, 777), 70, '\r\n'),
    '>oneline\n' + randomSeq(rand, 3 * CHECKPOINT_BASES + 17) + '\n',
    '>ragged\n' + ragged(randomSeq(rand, 2 * CHECKPOINT_BASES + 1234)),
    '>blank-lines\n\nACGT\n\nacgtNN\n \nRY\n\n',
    '>empty\n',
    '>exact-lines\n' + wrap(randomSeq(rand, 120), 60, '\n'),
    '>spaces inside\nAC GT\tAC\nGG\n',
    '>last-no-newline\n' + wrap(randomSeq(rand, 130), 50, '\n').trimEnd(),
  ].join('');
}

function multiMember(content: Buffer): Buffer {
  const cut = [0, Math.floor(content.length / 3), Math.floor(content.length / 2), content.length];
  return Buffer.concat(cut.slice(1).map((end, i) => gzipSync(content.subarray(cut[i], end))));
}

test('streamed records equal the reference parse for every chunk size and container', async () => {
  const text = synthetic(rng(1));
  const ref = referenceParse(text);
  const raw = Buffer.from(text, 'latin1');
  for (const chunkSize of [13, 4099, 1 << 20]) {
    assert.deepEqual(await collect(memorySource('t.fa', raw), chunkSize), ref, `plain, chunk ${chunkSize}`);
  }
  for (const [kind, bytes] of [
    ['gzip', gzipSync(raw)],
    ['gzip', multiMember(raw)],
    ['bgzf', bgzf(raw, 5000)],
  ] as const) {
    const src = memorySource(`t.fa.gz`, bytes);
    assert.equal(await detectContainer(src), kind);
    assert.deepEqual(await collect(src), ref, kind);
  }
});

test('index: uniform layouts get .fai geometry, ragged ones checkpoints; random ranges equal the reference', async () => {
  const rand = rng(2);
  const text = synthetic(rand);
  const ref = referenceParse(text);
  const raw = Buffer.from(text, 'latin1');
  for (const bytes of [raw, gzipSync(raw), multiMember(raw), bgzf(raw, 3000)]) {
    const src = memorySource('t.fa', bytes);
    const index = await buildFastaIndex(src);
    const byName = Object.fromEntries(allRecords(index).map((r) => [r.name, r]));
    assert.deepEqual([byName.uniform60.lineBases, byName.uniform60.lineBytes], [60, 61]);
    assert.deepEqual([byName.crlf70.lineBases, byName.crlf70.lineBytes], [70, 72]);
    assert.equal(byName.ragged.lineBases, 0);
    assert.equal(byName.ragged.checkpoints?.length, 3);
    assert.equal(byName['blank-lines'].lineBases, 0);
    assert.equal(byName.empty.length, 0);
    assert.deepEqual(allRecords(throughJson(index)!), allRecords(index), 'index survives JSON');
    const fa = new IndexedFasta(src, index, 'built');
    for (let i = 0; i < ref.length; i++) {
      const seq = ref[i].seq;
      const ranges: Array<[number, number]> = [
        [0, seq.length],
        [0, 0],
        [seq.length, seq.length],
      ];
      for (let k = 0; k < 6; k++) {
        const a = Math.floor(rand() * (seq.length + 1));
        ranges.push([a, a + Math.floor(rand() * (seq.length - a + 1))]);
      }
      for (const [a, b] of ranges) {
        assert.equal(
          Buffer.from(await fa.readBases(i, a, b)).toString('latin1'),
          seq.slice(a, b),
          `record ${ref[i].name} [${a}, ${b})`,
        );
      }
    }
    await assert.rejects(fa.readBases(0, 0, ref[0].seq.length + 1), /outside record "uniform60"/);
  }
});

test('a header as the last line, without a newline, is an empty record with a valid index', async () => {
  const src = memorySource('h.fa', Buffer.from('>a\nAC\n>b last'));
  const index = await buildFastaIndex(src);
  assert.deepEqual(
    allRecords(index).map((r) => [r.name, r.description, r.length, r.seqOffset, r.endOffset]),
    [
      ['a', '', 2, 3, 6],
      ['b', 'last', 0, 13, 13],
    ],
  );
  assert.ok(throughJson(index));
});

test('readRegion reports soft-masked and N runs in record coordinates', async () => {
  const src = memorySource('r.fa', Buffer.from('>r\nACGTnnNNacgT\nNNNN\n'));
  const fa = new IndexedFasta(src, await buildFastaIndex(src), 'built');
  const region = await fa.readRegion(0, 2, 16);
  assert.equal(Buffer.from(region.bases).toString(), 'GTnnNNacgTNNNN');
  assert.deepEqual(region.softMasked, [
    { start: 4, end: 6 },
    { start: 8, end: 11 },
  ]);
  assert.deepEqual(region.nRuns, [
    { start: 4, end: 8 },
    { start: 12, end: 16 },
  ]);
});

test('a saved index is reused while the file is unchanged and rebuilt after it changes or is corrupt', async (t) => {
  const { mkdtempSync, writeFileSync, existsSync, utimesSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-fai-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.fa');
  writeFileSync(path, '>a\nACGT\nAC\n>b\nGG\n');
  const first = await IndexedFasta.open(path, { saveIndex: true });
  await first.close();
  assert.equal(first.indexOrigin, 'built');
  assert.ok(existsSync(`${path}.seqlab-index.json`));
  const second = await IndexedFasta.open(path);
  assert.equal(second.indexOrigin, 'loaded');
  assert.equal(Buffer.from(await second.readBases(1, 0, 2)).toString(), 'GG');
  await second.close();
  writeFileSync(path, '>a\nACGTACGT\n>b\nTTT\n');
  utimesSync(path, new Date(), new Date(Date.now() + 5000));
  const third = await IndexedFasta.open(path);
  assert.equal(third.indexOrigin, 'built');
  assert.equal(Buffer.from(await third.readBases(1, 0, 3)).toString(), 'TTT');
  await third.close();
  for (const corrupt of [
    '{not json',
    '{"format":"seqlab-fasta-index","version":1,"fileSize":1,"container":"plain","records":[null]}',
  ]) {
    writeFileSync(`${path}.seqlab-index.json`, corrupt);
    const rebuilt = await IndexedFasta.open(path);
    assert.equal(rebuilt.indexOrigin, 'built', `corrupt index ${corrupt} is rebuilt`);
    assert.equal(Buffer.from(await rebuilt.readBases(0, 0, 8)).toString(), 'ACGTACGT');
    await rebuilt.close();
  }
  const unsaved = join(dir, 'y.fa');
  writeFileSync(unsaved, '>a\nA\n');
  await (await IndexedFasta.open(unsaved)).close();
  assert.equal(existsSync(`${unsaved}.seqlab-index.json`), false, 'no index written unless asked');
});

test('progress reports bytes read up to the file size, and an AbortSignal stops a plain or gzip read', async () => {
  const raw = Buffer.from(synthetic(rng(3)), 'latin1');
  let last = 0;
  for await (const _ of readFasta(memorySource('p.fa', raw), {
    chunkSize: 1000,
    onProgress: (done, total) => {
      assert.ok(done >= last && total === raw.length);
      last = done;
    },
  }))
    void _;
  assert.equal(last, raw.length);
  const ac = new AbortController();
  const events = readFasta(memorySource('p.fa', raw), { chunkSize: 1000, signal: ac.signal });
  await events.next();
  ac.abort();
  await assert.rejects(
    async () => {
      for await (const _ of events) void _;
    },
    { name: 'AbortError', message: /p\.fa: reading was cancelled/ },
  );
  const gz = new AbortController();
  const gzEvents = readFasta(memorySource('p.fa.gz', gzipSync(raw)), { chunkSize: 1000, signal: gz.signal });
  await gzEvents.next();
  gz.abort();
  await assert.rejects(
    async () => {
      for await (const _ of gzEvents) void _;
    },
    { name: 'AbortError', message: /p\.fa\.gz: reading was cancelled/ },
  );
});

test('real FASTA files (lambda phage, pyfaidx examples, S. aureus, H. pylori) stream and index as python reads them', async () => {
  const files = [
    REAL.lambdaGenome,
    REAL.pyfaidxGenes,
    REAL.pyfaidxGenesLower,
    REAL.pyfaidxGenesBgzf,
    REAL.pyfaidxCrlf,
    REAL.pyfaidxBlankLine,
    REAL.pyfaidxChr17,
    REAL.pyfaidxBed12,
    REAL.staphylococcus,
    REAL.staphContigs,
    REAL.helicobacter,
  ].map(realFile);
  const expected = pythonFastaSummary(files);
  for (const path of files) {
    const want = expected.filter((r) => r.file === path);
    const src = await openFileSource(path);
    try {
      const hashes: ReturnType<typeof createHash>[] = [];
      const names: string[] = [];
      for await (const ev of readFasta(src)) {
        if (ev.type === 'header') {
          names.push(ev.header.name);
          hashes.push(createHash('sha1'));
        } else if (ev.type === 'bases') hashes[ev.record].update(ev.bases);
      }
      assert.deepEqual(
        names,
        want.map((r) => r.name),
        `${path}: record names`,
      );
      assert.deepEqual(
        hashes.map((h) => h.digest('hex')),
        want.map((r) => r.sha1),
        `${path}: bases of every record`,
      );
      const fa = new IndexedFasta(src, await buildFastaIndex(src), 'built');
      assert.deepEqual(
        allRecords(fa.index).map((r) => r.length),
        want.map((r) => r.length),
        `${path}: lengths`,
      );
      // The last 100 bases of the last record, through the index, equal the streamed ones.
      const last = fa.records.count - 1,
        len = fa.records.get(last).length;
      const tail = await fa.readBases(last, Math.max(0, len - 100), len);
      const whole = await fa.readBases(last, 0, len);
      assert.deepEqual(tail, whole.subarray(Math.max(0, len - 100)));
      assert.equal(
        createHash('sha1').update(whole).digest('hex'),
        want[last].sha1,
        `${path}: indexed read of the last record`,
      );
    } finally {
      await src.close();
    }
  }
});
