// A long run's metrics.jsonl, written as train-session.ts writes it: a record every `every` steps
// (training loss falling with noise, learning rate, throughput), a validation loss every
// `valEvery` records. Half a million records make about 69 MB: what a week-long run leaves.
import { openSync, closeSync, writeSync } from 'node:fs';
import type { MetricRecord } from '../../protocol/training-messages';

/** The record at index `i` of such a file. */
export function longRunRecord(i: number, every = 10, valEvery = 100): MetricRecord {
  const step = (i + 1) * every;
  const trainBits = 1.9 + 0.1 * Math.exp(-i / 5000) + 0.01 * Math.sin(i * 12.9898);
  return {
    step,
    tokens: step * 32768,
    elapsedSec: step * 0.1123,
    lr: 3e-4 * (1 - i / 1e7),
    trainBits,
    ...(i % valEvery === valEvery - 1 ? { valBits: trainBits + 0.05 } : {}),
    tokensPerSec: 291_234 + (i % 97),
  };
}

/** Writes `records` records to `path` a megabyte at a time; returns the file's size in bytes. */
export function writeLongMetrics(path: string, records: number, every = 10, valEvery = 100): number {
  const fd = openSync(path, 'w');
  let size = 0;
  try {
    let text = '';
    for (let i = 0; i < records; i++) {
      text += JSON.stringify(longRunRecord(i, every, valEvery)) + '\n';
      if (text.length > 1 << 20 || i === records - 1) {
        size += writeSync(fd, text);
        text = '';
      }
    }
  } finally {
    closeSync(fd);
  }
  return size;
}
