// Writes the files responsive-host.test.ts loads, in a process of its own so that the garbage of
// making them is not collected in the extension host while its stalls are measured: a FASTA of a
// hundred thousand 2,000-base records (201 MB; the million-record case is bench/fasta-index-heap.ts), a random DNA model of 106 MB and a run's 69 MB metrics.jsonl.
// Prints their sizes as JSON.
// Usage: node responsive-fixtures.js FASTA MODEL_DIR METRICS_JSONL
import { writeLongMetrics } from '../support/long-metrics';
import { writeManyRecordsFasta } from '../support/many-records-fasta';
import { writeRandomDnaModel } from '../support/random-dna-model';

async function main([fasta, model, metrics]: string[]): Promise<void> {
  const fastaBytes = writeManyRecordsFasta(fasta, 100_000, 2_000);
  await writeRandomDnaModel(model, 768, 7);
  const metricsBytes = writeLongMetrics(metrics, 495_000);
  console.log(JSON.stringify({ fastaBytes, metricsBytes }));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
