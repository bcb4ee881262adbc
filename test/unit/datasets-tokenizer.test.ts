// The DNA tokenizer: the documented 16-token vocabulary, JSON round trip (a model reads what it
// was trained on), reverse complement on tokens and bytes, and token chunks from FASTA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DnaTokenizer, DEFAULT_DNA_VOCABULARY } from '../../extension/core/datasets/dna-tokenizer';
import { fastaTokenChunks } from '../../extension/core/datasets/fasta-tokens';
import { reverseComplementBytes } from '../../extension/core/datasets/nucleotides';
import { memorySource } from '../../extension/core/datasets/source';

const root = join(__dirname, '..', '..', '..');

test('the default vocabulary has 16 tokens, matching the HF fixture and the documentation', () => {
  const tok = DnaTokenizer.default();
  const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/hf-mamba-dna/config.json'), 'utf8')) as {
    vocab_size: number;
  };
  assert.equal(tok.vocabSize, fixture.vocab_size);
  const doc = readFileSync(join(root, 'extension/core/datasets/dna-vocabulary.md'), 'utf8');
  DEFAULT_DNA_VOCABULARY.tokens.forEach((name, id) => {
    if (id < 12) assert.ok(doc.includes(`| ${id} | \`${name}\``), `dna-vocabulary.md documents token ${id} ${name}`);
  });
  assert.deepEqual(
    Array.from(tok.encodeString('ACGTNacgtnUuRYSWKMBDHVrykm-.')),
    [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 4, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7],
  );
  assert.equal(tok.decode(tok.encodeString('ACGTNacgtRy-.U')), 'ACGTNACGTNN--T');
  assert.equal(tok.decode([8, 1, 0, 2, 9, 10, 11]), 'AC', 'specials and padding decode to nothing');
  assert.throws(() => tok.encodeString('ACXT'), /byte 88 at index 2 is not in the DNA vocabulary/);
  assert.throws(() => tok.decode([1, 16]), /token id 16 at index 1 is outside the vocabulary of 16/);
});

test('tokenizer.json round trip keeps the saved mapping, and bad files are refused', () => {
  const custom = { ...DEFAULT_DNA_VOCABULARY, encode: { ...DEFAULT_DNA_VOCABULARY.encode, N: 6 } };
  const tok = DnaTokenizer.fromJSON(JSON.parse(JSON.stringify(custom)));
  assert.deepEqual(Array.from(tok.encodeString('AN')), [1, 6], 'the saved vocabulary wins over the default');
  assert.deepEqual(
    DnaTokenizer.fromJSON(JSON.parse(JSON.stringify(DnaTokenizer.default()))).toJSON(),
    DEFAULT_DNA_VOCABULARY,
  );
  assert.throws(
    () => DnaTokenizer.fromJSON({ ...DEFAULT_DNA_VOCABULARY, type: 'bpe' }, 'm/tokenizer.json'),
    /m\/tokenizer\.json: not a seqlab-dna tokenizer: type/,
  );
  assert.throws(
    () => DnaTokenizer.fromJSON({ ...DEFAULT_DNA_VOCABULARY, encode: { A: 16 } }),
    /encode\["A"\] = 16 is not a token id below 16/,
  );
  assert.throws(() => DnaTokenizer.fromJSON({ ...DEFAULT_DNA_VOCABULARY, decode: ['A'] }), /decode must list 16/);
  assert.throws(() => DnaTokenizer.fromJSON(null), /type must be/);
});

test('reverse complement: tokens and bytes agree, twice is identity, soft-masking survives', () => {
  const tok = DnaTokenizer.default();
  let s = '';
  for (let i = 0; i < 1001; i++) s += 'ACGTNacgtnRYKMSWBDHV-'[(i * 7919) % 21];
  const bytes = Buffer.from(s, 'latin1');
  const rcBytes = reverseComplementBytes(bytes);
  assert.deepEqual(Array.from(tok.encode(rcBytes)), Array.from(tok.reverseComplement(tok.encode(bytes))));
  assert.deepEqual(reverseComplementBytes(rcBytes), new Uint8Array(bytes));
  assert.equal(Buffer.from(reverseComplementBytes(Buffer.from('AACGTtgcaRYKMBVDHN'))).toString(), 'NDHBVKMRYtgcaACGTT');
  assert.equal(Buffer.from(reverseComplementBytes(Buffer.from('ACGU'))).toString(), 'ACGT');
});

test('token chunks: fixed size within a record, never spanning records, positions right', async () => {
  const tok = DnaTokenizer.default();
  const fasta = '>a\nACGTACGTAC\nGT\n>empty\n>b\nNNRY-\n';
  const chunks = [];
  for await (const c of fastaTokenChunks(memorySource('t.fa', Buffer.from(fasta)), tok, 5, { chunkSize: 3 }))
    chunks.push([c.record.name, c.start, tok.decode(c.tokens)]);
  assert.deepEqual(chunks, [
    ['a', 0, 'ACGTA'],
    ['a', 5, 'CGTAC'],
    ['a', 10, 'GT'],
    ['b', 0, 'NNNN-'],
  ]);
});
