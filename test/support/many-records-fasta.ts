// A large FASTA of many records of random bases (names r0, r1, …; 60 bases a line), written a
// megabyte at a time: a million records of 200 bases make about 211 MB, what indexing must get
// through without holding the extension host's event loop.
import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes the file; returns its size in bytes. */
export function writeManyRecordsFasta(path: string, records: number, basesPerRecord: number): number {
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(1 << 20);
  let n = 0,
    size = 0,
    s = 0x9e3779b9;
  const flush = (): void => {
    size += writeSync(fd, buf, 0, n);
    n = 0;
  };
  try {
    for (let i = 0; i < records; i++) {
      n += buf.write(`>r${i}\n`, n, 'latin1');
      for (let j = 0; j < basesPerRecord; j++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        buf[n++] = [65, 67, 71, 84][(s >>> 0) & 3];
        if (j % 60 === 59 || j === basesPerRecord - 1) buf[n++] = 10;
        if (n > buf.length - 64) flush();
      }
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return size;
}
