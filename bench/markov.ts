// The order-k Markov baseline (extension/core/runs/markov-baseline.ts) for every order of a sweep:
// counts on the training range (for DNA with its reverse complement unless --no-rc), scored on the
// held-out range by the same evaluation as a trained model. `seqlab eval` prints only the best order.
//
// node out/bench/markov.js --data FILE… --train-range 0%-80% --range 80%-100% [--records ID…] [--k 1-12 (DNA), 1-3 (audio)] [--no-rc] [--json]
import { CliError, parseOptions } from '../extension/core/cli/command';
import { parseRange, rangeText, withRecords } from '../extension/core/runs/data-range';
import { bestMarkov, defaultMarkovOrders, markovSweep } from '../extension/core/runs/markov-baseline';
import { loadTokenData } from '../extension/core/runs/token-data';

async function main(args: string[]): Promise<void> {
  const o = parseOptions(args, {
    data: 'values',
    'train-range': 'value',
    range: 'value',
    records: 'values',
    k: 'value',
    'no-rc': 'flag',
    json: 'flag',
  });
  if (!o.lists.data) throw new CliError('--data FILE… is required');
  const trainRange = withRecords(parseRange(o.values['train-range'] ?? '0%-80%', '--train-range'), o.lists.records);
  const range = withRecords(parseRange(o.values.range ?? '80%-100%'), o.lists.records);
  const train = await loadTokenData(o.lists.data, trainRange),
    test = await loadTokenData(o.lists.data, range);
  const [k0, k1] = (o.values.k ?? '').split('-').map(Number);
  const orders = o.values.k
    ? Array.from({ length: (k1 ?? k0) - k0 + 1 }, (_, i) => k0 + i)
    : defaultMarkovOrders(test.kind);
  const unit = test.kind === 'dna' ? 'base' : 'sample';
  const rc = !o.flags.has('no-rc') && train.kind === 'dna';
  const results = await markovSweep(train, test, orders, rc, (k, s) => {
    if (!o.flags.has('json'))
      console.log(
        `order ${k}: ${s.bitsPerToken.toFixed(4)} bits/${unit} over ${s.scored} ${unit}s (${s.excluded} excluded)`,
      );
  });
  const best = bestMarkov(results);
  const summary = {
    trainRange: rangeText(trainRange),
    range: rangeText(range),
    reverseComplement: rc,
    unit,
    best: {
      k: best.k,
      bitsPerToken: best.score.bitsPerToken,
      scored: best.score.scored,
      excluded: best.score.excluded,
    },
    orders: results.map((r) => ({ k: r.k, bitsPerToken: r.score.bitsPerToken })),
  };
  if (o.flags.has('json')) console.log(JSON.stringify(summary));
  else
    console.log(
      `best order-k Markov (k ${orders[0]}-${orders[orders.length - 1]}${rc ? ', counts with reverse complement' : ''}): k=${best.k}, ${best.score.bitsPerToken.toFixed(4)} bits/${unit} on ${rangeText(range)} (trained on ${rangeText(trainRange)})`,
    );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`markov: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
