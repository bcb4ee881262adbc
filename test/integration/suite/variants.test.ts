// Variants and mutagenesis cells inside VS Code, on the files run.mjs copies into the workspace:
// Sibelia's S. aureus variant.vcf.gz, the NCTC 8325 genome it was called on (its record
// gi|…|ref|NC_007795.1|, which the VCF calls NC_007795) and the sample S. aureus model. The cells
// run through VS Code's execute command in the variant worker thread; their outputs are decoded
// and checked against the files: every record, a status per ALT, the scored VCF, the genome's own
// letters under the substitution heatmap.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ReferenceGenome } from '../../../extension/core/variants/reference';
import {
  VARIANT_BLOCKS,
  type MutagenesisSummary,
  type TrackDescriptor,
  type VariantScoresSummary,
} from '../../../protocol/notebook-output';
import { activated, outputOf, runSpec } from '../../support/notebook-cells';

const FILES = 'reference: saureus/NCTC8325.fasta.gz\nmodel: models/dna-saureus\nbackend: cpu\n';
const RECORD = 'gi|88193823|ref|NC_007795.1|';
/** Records of variant.vcf.gz, one ALT each. */
const VCF_RECORDS = 109;
const VARIANTS_MS = 300_000;

describe('variants and mutagenesis cells on the real S. aureus VCF and genome', () => {
  before(activated);

  it('a variants cell scores every record, says how NC_007795 was found, and carries the scored VCF', async function () {
    // Four deletions of 5 to 46 kb make this a few hundred thousand tokens on the CPU: a minute or more here.
    this.timeout(VARIANTS_MS + 10_000);
    const cell = await runSpec(`variants: saureus/variant.vcf.gz\n${FILES}window: 32`, VARIANTS_MS);
    const { summary, blocks } = outputOf(cell);
    assert.equal(summary.kind, 'variant-scores');
    const s = summary as VariantScoresSummary;
    assert.deepEqual([s.counts.records, s.counts.alleles], [VCF_RECORDS, VCF_RECORDS]);
    const statuses = new Map<string, number>();
    for (const st of s.variants.status) statuses.set(st, (statuses.get(st) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(statuses), { scored: s.counts.scored, ...s.counts.notScored });
    assert.ok(s.counts.scored > 100, `only ${s.counts.scored} scored: ${JSON.stringify(s.counts.notScored)}`);
    assert.ok(s.notes.includes(`chromosome NC_007795 -> ${RECORD} (accession_version)`), s.notes.join('\n'));
    assert.deepEqual(
      s.records.map((r) => r.name),
      [RECORD],
    );
    const llr = blocks.get(VARIANT_BLOCKS.llr) as Float32Array;
    assert.equal(llr.length, VCF_RECORDS);
    s.variants.status.forEach((st, i) =>
      assert.equal(Number.isFinite(llr[i]), st === 'scored', `row ${i}: ${st}, LLR ${llr[i]}`),
    );
    const vcf = gunzipSync(blocks.get(VARIANT_BLOCKS.scoredVcf) as Uint8Array).toString('utf8');
    const body = vcf.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(body.length, VCF_RECORDS);
    assert.ok(
      body.every((l) => l.startsWith('NC_007795\t') && l.includes(`SEQLAB_REFNAME=${RECORD}`)),
      body[0],
    );
    console.log(
      `     ${s.counts.scored} of ${s.counts.alleles} ALTs scored (${JSON.stringify(s.counts.notScored)}) in ${s.timings.totalMs.toFixed(0)} ms on ${s.engine?.backend}`,
    );
  });

  it('a mutagenesis cell draws every substitution of a region over the genome’s own letters', async () => {
    const cell = await runSpec(`mutagenesis: NC_007795:22171-22190\n${FILES}window: 16`);
    const { summary, blocks } = outputOf(cell);
    assert.equal(summary.kind, 'mutagenesis');
    const s = summary as MutagenesisSummary;
    assert.deepEqual(s.region, { chrom: 'NC_007795', referenceName: RECORD, start: 22171, end: 22190 });
    const track = (kind: TrackDescriptor['kind']) => blocks.get(s.tracks.find((t) => t.kind === kind)!.block);
    const letters = track('sequence') as Uint8Array;
    const genome = await ReferenceGenome.open(
      join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'saureus', 'NCTC8325.fasta.gz'),
    );
    try {
      assert.deepEqual([...letters], [...(await genome.bases(0, 22170, 22190))]);
    } finally {
      await genome.close();
    }
    for (const kind of ['llr', 'llr-forward', 'llr-reverse'] as const) {
      const llr = track(kind) as Float32Array;
      assert.equal(llr.length, 4 * 20);
      letters.forEach((code, i) => {
        const ref = 'ACGT'.indexOf(String.fromCharCode(code).toUpperCase());
        for (let b = 0; b < 4; b++) {
          const v = llr[b * 20 + i];
          assert.ok(b === ref ? v === 0 : Number.isFinite(v) && v !== 0, `${kind} position ${i} base ${b}: ${v}`);
        }
      });
    }
  });
});
