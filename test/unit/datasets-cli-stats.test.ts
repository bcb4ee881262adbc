// `seqlab stats` end to end through the compiled CLI: JSON for a genome, reads and a WAV, the
// text table, and one-line errors with exit code 1 for unreadable files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DnaFileStats } from '../../extension/core/datasets/dna-file-stats';
import type { WavStats } from '../../extension/core/datasets/wav-stats';
import { pythonFastaSummary } from '../support/python-counts';
import { REAL, realFile, requireTool } from '../support/real-data';

const cli = join(__dirname, '..', '..', 'extension', 'core', 'cli', 'main.js');
const seqlab = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('stats --json: genome, reads and WAV in one call', () => {
  requireTool('sox', 'sox');
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-cli-'));
  try {
    const wav = join(dir, 'tone.wav');
    execFileSync('sox', ['-n', '-r', '16000', '-b', '16', '-c', '2', wav, 'synth', '0.5', 'sine', '440', 'vol', '0.5']);
    const genome = realFile(REAL.lambdaGenome),
      reads = realFile(REAL.lambdaReads1);
    const r = seqlab('stats', '--json', '--k', '3', '--top', '2', '--max-records', '2', genome, reads, wav);
    assert.equal(r.status, 0, r.stderr);
    const [g, q, w] = JSON.parse(r.stdout) as [
      DnaFileStats & { kind: string },
      DnaFileStats,
      WavStats & { kind: string },
    ];
    const py = pythonFastaSummary([genome])[0];
    assert.deepEqual(
      [g.kind, g.format, g.container, g.total.length, g.records[0].name],
      ['dna', 'fasta', 'gzip', py.length, py.name],
    );
    assert.ok(Math.abs(g.total.gcPercent! - py.gc!) < 1e-9);
    assert.equal(g.total.topKmers.length, 2);
    assert.equal(g.total.topKmers[0].kmer.length, 3);
    assert.deepEqual([q.format, q.records.length, q.recordCount], ['fastq', 2, 10000]);
    assert.deepEqual(
      [w.kind, w.format.sampleRate, w.format.channels, w.frames, w.channels.length],
      ['wav', 16000, 2, 8000, 2],
    );
    assert.ok(Math.abs(w.overall.peak - 0.5) < 1e-3, `peak ${w.overall.peak}`);
    assert.ok(Math.abs(w.overall.rms - 0.5 / Math.SQRT2) < 1e-3, `rms ${w.overall.rms}`);
    const text = seqlab('stats', wav);
    assert.match(text.stdout, /tone\.wav: WAV pcm 16-bit, 16000 Hz, 2 channels, 8000 frames, 0\.500 s/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stats: unreadable files give one line each and exit 1; the others still print', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-cli-'));
  try {
    const junk = join(dir, 'junk.fa');
    writeFileSync(junk, '>a\nACGT\n\x00\x01');
    const r = seqlab('stats', join(dir, 'missing.fa'), junk, realFile(REAL.pyfaidxBlankLine));
    assert.equal(r.status, 1);
    assert.deepEqual(r.stderr.trim().split('\n'), [
      `seqlab: ${join(dir, 'missing.fa')}: no such file`,
      `seqlab: ${junk}: line 3 (byte 8): 0x00 is not a nucleotide code`,
    ]);
    assert.match(r.stdout, /issue_83\.fasta: FASTA, 2 records, 179 bases/);
    assert.match(seqlab('stats', '--k', '11', junk).stderr, /--k must be an integer from 1 to 10/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
