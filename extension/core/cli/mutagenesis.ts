// `seqlab mutagenesis --model DIR --ref FASTA --region NAME:START-END [--window N] [--out-tsv FILE]
//  [--out-json FILE] [--backend auto|cpu|webgpu]`: every single-base substitution of the region
// (3 per position), each with its LLR as `seqlab vep` computes it for that SNV. Without an output
// file the TSV goes to stdout.
import { writeFile } from 'node:fs/promises';
import { openDnaModel } from '../variants/dna-model';
import { BASES, parseRegion, saturationMutagenesis, type MutagenesisResult } from '../variants/mutagenesis';
import { ReferenceGenome } from '../variants/reference';
import { DEFAULT_WINDOW, VariantEffectScorer } from '../variants/variant-effect';
import { CliError, parseOptions, type Command } from './command';
import { interruptSignal, isAbort, kernelBackend, Progress, windowOption } from './variant-commands';

/** One row per substitution: chrom, 1-based position, ref, alt, LLR (mean, forward, reverse). */
function tsvLines(r: MutagenesisResult): string[] {
  const lines = ['chrom\tpos\tref\talt\tllr\tllr_fwd\tllr_rc'];
  for (let i = 0; i < r.bases.length; i++) {
    const ref = r.bases[i].toUpperCase();
    for (let b = 0; b < 4; b++) {
      const llr = r.llr[i][b];
      if (BASES[b] === ref || llr === null) continue;
      const f = (x: number | null) => (x as number).toFixed(4);
      lines.push(
        [r.chrom, r.start + i, ref, BASES[b], f(llr), f(r.llrForward[i][b]), f(r.llrReverse[i][b])].join('\t'),
      );
    }
  }
  return lines;
}

export const mutagenesisCommand: Command = {
  help:
    'seqlab mutagenesis --model DIR --ref FASTA --region NAME:START-END [--window N] [--out-tsv FILE]\n' +
    '  [--out-json FILE] [--backend auto|cpu|webgpu]\n' +
    '  In-silico saturation mutagenesis: every single-base substitution in the region (1-based, inclusive),\n' +
    '  3 per position, each with LLR = log2 P(alt window) - log2 P(ref window) as seqlab vep computes it\n' +
    '  (--window N bases each side, default 256; both strands; mean, forward, reverse). Positions whose\n' +
    '  reference base is not A, C, G or T are skipped. --out-tsv: one row per substitution; --out-json: the\n' +
    '  region with a row of four LLRs per position (A, C, G, T; 0 for the reference base). Neither: TSV on stdout.',
  async run(args) {
    const o = parseOptions(args, {
      model: 'value',
      ref: 'value',
      region: 'value',
      window: 'value',
      'out-tsv': 'value',
      'out-json': 'value',
      backend: 'value',
    });
    for (const k of ['model', 'ref', 'region'])
      if (!o.values[k]) throw new CliError(`--${k} is required (seqlab mutagenesis --help)`);
    let region;
    try {
      region = parseRegion(o.values.region);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const window = windowOption(o.values.window, DEFAULT_WINDOW);
    const choice = kernelBackend(o.values, 'mutagenesis');
    const dna = await openDnaModel(o.values.model, choice).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const interrupt = interruptSignal();
    let reference: ReferenceGenome | undefined;
    const t0 = performance.now();
    try {
      console.error(`mutagenesis: ${dna.reason}`);
      reference = await ReferenceGenome.open(o.values.ref);
      const progress = new Progress();
      const result = await saturationMutagenesis(
        reference,
        new VariantEffectScorer(dna.backend, dna.model, dna.tokenizer),
        region,
        {
          window,
          signal: interrupt.signal,
          onProgress: (done, total) => progress.update(() => `mutagenesis: ${done} of ${total} positions`),
        },
      ).catch((err: Error) => {
        throw isAbort(err) ? err : new CliError(err.message);
      });
      progress.end();
      const tsv = tsvLines(result);
      if (o.values['out-tsv']) await writeFile(o.values['out-tsv'], tsv.join('\n') + '\n');
      if (o.values['out-json'])
        await writeFile(o.values['out-json'], JSON.stringify({ model: o.values.model, ...result }));
      if (!o.values['out-tsv'] && !o.values['out-json']) process.stdout.write(tsv.join('\n') + '\n');
      const seconds = (performance.now() - t0) / 1000;
      console.error(
        `mutagenesis: ${tsv.length - 1} substitutions at ${(tsv.length - 1) / 3} positions in ${seconds.toFixed(1)} s`,
      );
      return 0;
    } catch (err) {
      if (isAbort(err)) {
        console.error('mutagenesis: stopped; nothing was written');
        return 130;
      }
      throw err;
    } finally {
      interrupt.release();
      await reference?.close();
      dna.dispose();
    }
  },
};
