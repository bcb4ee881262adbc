// `seqlab eval --model DIR --data FILE… [--range 80%-100%] [--json]`: held-out bits per base
// (DNA) or per sample (audio) of a trained model on exactly that range of each file; N and other
// non-ACGT positions are excluded and reported.
import { loadModelDir } from '../models/load-model';
import { FULL_RANGE, parseRange, rangeText, withRecords } from '../runs/data-range';
import { ModelScorer } from '../runs/model-scorer';
import { evaluateSegments, type RangeScore } from '../runs/range-eval';
import { loadTokenData } from '../runs/token-data';
import { CliError, parseOptions, type Command } from './command';

export function printScore(score: RangeScore, unit: string, label: string): void {
  for (const f of score.files) {
    console.log(
      `${f.path}: ${f.bitsPerToken.toFixed(4)} bits/${unit} over ${f.scored} ${unit}s (${f.excluded} N/other excluded, ${f.segmentStarts} record starts unscored)`,
    );
  }
  console.log(
    `${label}: ${score.bitsPerToken.toFixed(4)} bits/${unit} over ${score.scored} ${unit}s; ${score.excluded} excluded`,
  );
}

export const evalCommand: Command = {
  help:
    'seqlab eval --model DIR --data FILE… [--range START%-END%] [--records ID…] [--json]\n' +
    '  bits per base (FASTA) or per sample (WAV) on exactly that range of each file (default 0%-100%;\n' +
    '  with --records, of those FASTA records only);\n' +
    '  positions holding N or other non-ACGT codes are excluded and counted.',
  async run(args) {
    const o = parseOptions(args, { model: 'value', data: 'values', range: 'value', records: 'values', json: 'flag' });
    if (!o.values.model) throw new CliError('--model DIR is required');
    if (!o.lists.data) throw new CliError('--data FILE… is required');
    let range = FULL_RANGE;
    try {
      if (o.values.range) range = parseRange(o.values.range);
      range = withRecords(range, o.lists.records);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const loaded = await loadModelDir(o.values.model);
    const data = await loadTokenData(o.lists.data, range);
    if (loaded.config.vocabSize !== data.vocabSize)
      throw new CliError(
        `${o.values.model}: vocab_size ${loaded.config.vocabSize} does not match the data's tokenizer (${data.vocabSize})`,
      );
    const scorer = new ModelScorer(loaded);
    const t0 = performance.now();
    try {
      const score = await evaluateSegments(data, scorer.score);
      const unit = data.kind === 'dna' ? 'base' : 'sample';
      if (o.flags.has('json'))
        console.log(
          JSON.stringify({
            model: o.values.model,
            range: rangeText(range),
            unit,
            ...score,
            seconds: (performance.now() - t0) / 1000,
          }),
        );
      else printScore(score, unit, `${o.values.model} on ${rangeText(range)}`);
    } finally {
      scorer.dispose();
    }
    return 0;
  },
};
