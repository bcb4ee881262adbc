// The FASTA index of many small records: heap kept by the index and the longest stretch the
// event loop was blocked while building it (the extension host shares that loop with every
// extension). Generates a file of a million 30-base records (about 33 MB), opens it with
// IndexedFasta, and reports the memory the index keeps (JS heap plus array buffers, after a GC), the peak while building it
// (sampled every 5 ms), the time to index, and the event loop's longest delay.
//
// Build: npx tsc -p tsconfig.json
// Run:   node --expose-gc out/bench/fasta-index-heap.js [--records 1000000]
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { IndexedFasta } from '../extension/core/datasets/fasta-index';

/** Writes `records` records of 30 random bases, a buffer at a time (no garbage left to collect while indexing). */
function generate(path: string, records: number): void {
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(1 << 20);
  let n = 0,
    s = 0x9e3779b9;
  for (let i = 0; i < records; i++) {
    if (n > buf.length - 64) {
      writeSync(fd, buf, 0, n);
      n = 0;
    }
    n += buf.write(`>r${i}\n`, n, 'latin1');
    for (let j = 0; j < 30; j++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      buf[n++] = [65, 67, 71, 84][(s >>> 0) & 3];
    }
    buf[n++] = 10;
  }
  writeSync(fd, buf, 0, n);
  closeSync(fd);
}

/** Heap plus ArrayBuffers (typed arrays live outside the JS heap). */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--records');
  const records = at > 0 ? Number(process.argv[at + 1]) : 1_000_000;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-index-heap-'));
  try {
    const path = join(dir, 'many.fa');
    generate(path, records);
    gc();
    const before = used();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, used())), 5);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const t0 = performance.now();
    const fasta = await IndexedFasta.open(path);
    const ms = performance.now() - t0;
    delay.disable();
    clearInterval(sampler);
    gc();
    const kept = used() - before;
    console.log(
      `${records} records: indexed in ${ms.toFixed(0)} ms, heap + array buffers kept ${(kept / 2 ** 20).toFixed(1)} MiB ` +
        `(peak ${((peak - before) / 2 ** 20).toFixed(1)} MiB), ` +
        `longest event loop delay ${(delay.max / 1e6).toFixed(1)} ms`,
    );
    await fasta.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
