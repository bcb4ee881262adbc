// `seqlab vep --model DIR --ref REF.fa[.gz] --vcf IN.vcf[.gz] --out OUT.vcf [--window N] [--tsv FILE]
//  [--backend auto|cpu|webgpu]`: zero-shot variant effects. Every record of the VCF comes out in
// OUT.vcf, in order, with SEQLAB_LLR (per ALT, the mean of both strands), SEQLAB_LLR_FWD,
// SEQLAB_LLR_RC, and SEQLAB_STATUS where an ALT was not scored (variants/variant-effect.ts has the
// definition). Problems of the input are named by file and line on stderr while the rest is scored.
// OUT appears only when the run ends (written under a temporary name, then renamed); Ctrl-C stops
// after the batch in progress and leaves no OUT.
import { openDnaModel } from '../variants/dna-model';
import { ReferenceGenome } from '../variants/reference';
import { scoreEntries, tally } from '../variants/score-vcf';
import { DEFAULT_WINDOW, VariantEffectScorer } from '../variants/variant-effect';
import { startRunSummary, type VariantRunSummary } from '../variants/variant-result';
import { TSV_COLUMNS, tsvRows } from '../variants/variant-tsv';
import { VcfReader } from '../variants/vcf-reader';
import { vepHeader, vepLine } from '../variants/vcf-writer';
import { CliError, parseOptions, type Command } from './command';
import { interruptSignal, isAbort, kernelBackend, PendingFile, Progress, windowOption } from './variant-commands';

/** Problems shown one by one on stderr; past this, only counted. */
const SHOWN_PROBLEMS = 20;

function printSummary(s: VariantRunSummary): void {
  const not = Object.entries(s.notScored)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  console.error(
    `vep: ${s.records} records, ${s.alleles} ALT alleles: ${s.scored} scored${not ? `, not scored: ${not}` : ''} (${s.seconds.toFixed(1)} s, ${(s.scored / Math.max(s.seconds, 1e-9)).toFixed(1)} alleles/s)`,
  );
  for (const r of s.renamed) console.error(`vep: chromosome ${r}`);
}

export const vepCommand: Command = {
  help:
    'seqlab vep --model DIR --ref REF.fa[.gz] --vcf IN.vcf[.gz] --out OUT.vcf [--window N] [--tsv FILE]\n' +
    '  [--backend auto|cpu|webgpu]\n' +
    '  Zero-shot variant effects: for each ALT, LLR = log2 P(alt window) - log2 P(ref window) in bits, where\n' +
    '  the windows are REF or ALT with N reference bases on each side (--window, default 256). The two\n' +
    '  windows share their left flank, so the LLR sums over the allele and the right flank, each base given\n' +
    '  all before it (for an indel the windows differ in length by the allele lengths). Computed on the\n' +
    '  forward strand and on the reverse complement; INFO SEQLAB_LLR is their mean (negative: the model finds\n' +
    '  the alternate less likely), SEQLAB_LLR_FWD and SEQLAB_LLR_RC each strand, SEQLAB_STATUS says why an\n' +
    '  ALT was not scored (symbolic, breakend, star, non_acgt, ref_mismatch, chrom_missing, past_end,\n' +
    '  bad_record). REF is checked against the reference; a CHROM found only with a "chr" prefix added or\n' +
    '  removed (or as an accession, its version optional) gets SEQLAB_REFNAME. Every input record is\n' +
    '  written, in order; --tsv also writes one row per ALT. Plain, gzip or BGZF input. Ctrl-C stops and\n' +
    '  writes no OUT.',
  async run(args) {
    const o = parseOptions(args, {
      model: 'value',
      ref: 'value',
      vcf: 'value',
      out: 'value',
      window: 'value',
      tsv: 'value',
      backend: 'value',
    });
    for (const k of ['model', 'ref', 'vcf', 'out'])
      if (!o.values[k]) throw new CliError(`--${k} is required (seqlab vep --help)`);
    const window = windowOption(o.values.window, DEFAULT_WINDOW);
    const choice = kernelBackend(o.values, 'vep');
    const t0 = performance.now();
    const dna = await openDnaModel(o.values.model, choice).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const interrupt = interruptSignal();
    let reference: ReferenceGenome | undefined, reader: VcfReader | undefined;
    const outputs: PendingFile[] = [];
    try {
      console.error(`vep: ${dna.reason}`);
      reference = await ReferenceGenome.open(o.values.ref);
      reader = await VcfReader.open(o.values.vcf);
      const out = await PendingFile.create(o.values.out);
      outputs.push(out);
      const tsv = o.values.tsv ? await PendingFile.create(o.values.tsv) : undefined;
      if (tsv) outputs.push(tsv);
      for (const n of reader.notes) console.error(`vep: ${n}`);
      await out.write(vepHeader(reader.header, { model: o.values.model, reference: o.values.ref, window }));
      await tsv?.write([TSV_COLUMNS.join('\t')]);
      const summary = startRunSummary(
        { vcf: o.values.vcf, reference: o.values.ref, model: o.values.model, window },
        reader.notes,
      );
      let problems = 0;
      const progress = new Progress();
      const scorer = new VariantEffectScorer(dna.backend, dna.model, dna.tokenizer);
      const batches = scoreEntries(reader.entries(), reference, scorer, {
        vcfName: o.values.vcf,
        window,
        signal: interrupt.signal,
      });
      for await (const batch of batches) {
        for (const { result } of batch) {
          tally(summary, result);
          if (result.problem && problems++ < SHOWN_PROBLEMS) {
            progress.end();
            console.error(`vep: ${result.problem}`);
          }
        }
        await out.write(batch.map(({ entry, result }) => vepLine(entry, result)));
        await tsv?.write(batch.flatMap(({ result }) => tsvRows(result)));
        const seconds = (performance.now() - t0) / 1000;
        progress.update(
          () =>
            `vep: ${summary.records} records, ${summary.scored} alleles scored, ${(summary.scored / seconds).toFixed(1)}/s`,
        );
      }
      progress.end();
      if (problems > SHOWN_PROBLEMS)
        console.error(`vep: … and ${problems - SHOWN_PROBLEMS} more records with problems (SEQLAB_STATUS says which)`);
      if (reader.stoppedBy) {
        summary.complete = false;
        summary.notes.push(reader.stoppedBy);
        console.error(`vep: ${reader.stoppedBy}`);
      }
      summary.seconds = (performance.now() - t0) / 1000;
      for (const f of outputs) await f.finish();
      printSummary(summary);
      return summary.complete ? 0 : 1;
    } catch (err) {
      for (const f of outputs) await f.discard();
      if (isAbort(err)) {
        console.error(`vep: stopped; ${o.values.out} was not written`);
        return 130;
      }
      throw err;
    } finally {
      interrupt.release();
      await reader?.close();
      await reference?.close();
      dna.dispose();
    }
  },
};
