// Files that would hang a reader: a FIFO (or a directory) named like data, config or weights is
// refused at once naming it, instead of an open that waits for a writer forever (in the extension
// host, on a libuv thread every extension shares); a read that stalls fails after its bound
// naming the file and the byte, and closing the file then does not wait for that read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadTimeoutError } from '../../extension/core/datasets/errors';
import { IndexedFasta } from '../../extension/core/datasets/fasta-index';
import { fileSource, openFileSource } from '../../extension/core/datasets/source';
import { WavReader } from '../../extension/core/datasets/wav';
import { loadModelDir, readJsonFile } from '../../extension/core/models/load-model';

/** Rejects when `p` has not settled within `ms`; `release` then unblocks whatever is stuck. */
async function within<T>(p: Promise<T>, ms: number, release: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      release();
      reject(new Error(`still waiting after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('a FIFO named .fa, .wav, config.json or model.safetensors is refused at once, naming it', async (t) => {
  if (process.platform === 'win32') return t.skip('no FIFOs');
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = (name: string): string => {
    const path = join(dir, name);
    execFileSync('mkfifo', [path]);
    return path;
  };
  // A writer that opens and closes the FIFO unblocks a reader stuck in open() (before the fix).
  const release = (path: string) => () => closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  const cases: Array<[string, (path: string) => Promise<unknown>]> = [
    ['genome.fa', (p) => openFileSource(p)],
    ['reads.fa', (p) => IndexedFasta.open(p)],
    ['speech.wav', (p) => WavReader.open(p)],
    ['tokenizer.json', (p) => readJsonFile(p)],
  ];
  for (const [name, open] of cases) {
    const path = fifo(name);
    await assert.rejects(within(open(path), 2000, release(path)), (err: Error) => {
      assert.equal(err.message, `${path}: not a regular file (a FIFO); only regular files are read`);
      return true;
    });
  }
  const modelDir = join(dir, 'model');
  mkdirSync(modelDir);
  fifo('model/config.json');
  await assert.rejects(
    within(loadModelDir(modelDir), 2000, release(join(modelDir, 'config.json'))),
    /model\/config\.json: not a regular file \(a FIFO\)/,
  );
  await assert.rejects(openFileSource(dir), /: not a regular file \(a directory\)/);
});

test('a read that takes longer than its bound fails naming the file and byte; close does not wait for it', async () => {
  let closed = false;
  const stalled = {
    read: () => new Promise<{ bytesRead: number }>(() => undefined),
    close: async () => {
      closed = true;
    },
  };
  const src = fileSource('slow.fa', 1 << 20, stalled, 50);
  const t0 = performance.now();
  await assert.rejects(src.read(4096, 100), (err: Error) => {
    assert.ok(err instanceof ReadTimeoutError);
    assert.equal(err.message, 'slow.fa: a read at byte 4096 took longer than 0.05 s (a stalled drive or device?)');
    return true;
  });
  assert.ok(performance.now() - t0 < 1000);
  await src.close();
  assert.ok(closed, 'the handle is asked to close');
  // A file that answers reads normally is not affected by the bound.
  const path = join(mkdtempSync(join(tmpdir(), 'seqlab-read-')), 'x.fa');
  closeSync(openSync(path, 'w'));
  const real = await openFileSource(path);
  assert.equal((await real.read(0, 10)).length, 0);
  await real.close();
  rmSync(path);
});
