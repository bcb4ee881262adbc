// What the long-running scoring commands (vep, mutagenesis, embed) share: --backend and --window,
// Ctrl-C and SIGTERM as an AbortSignal the work checks between batches, a progress line on stderr
// (rewritten in place on a terminal, a line every PLAIN_EVERY_MS when stderr is a file or a pipe),
// and outputs that appear only complete (written under a temporary name, renamed at the end).
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { BackendChoice } from '../../../kernels/backend';
import { CliError } from './command';

const TTY_EVERY_MS = 250;
const PLAIN_EVERY_MS = 10_000;

/** Aborts the returned signal on the first SIGINT or SIGTERM; `release` stops listening. */
export function interruptSignal(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    process.stderr.write('\nstopping after the batch in progress…\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** True for the error a checked AbortSignal throws. */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

export class Progress {
  private last = 0;
  private shown = false;
  private readonly tty = process.stderr.isTTY === true;

  /** Shows `text()` when it is time to (text is built only then). */
  update(text: () => string): void {
    const now = performance.now();
    if (now - this.last < (this.tty ? TTY_EVERY_MS : PLAIN_EVERY_MS)) return;
    this.last = now;
    this.shown = true;
    process.stderr.write(this.tty ? `\r\x1b[K${text()}` : `${text()}\n`);
  }

  /** Ends the progress line (on a terminal) so the next output starts on a line of its own. */
  end(): void {
    if (this.tty && this.shown) process.stderr.write('\n');
    this.shown = false;
  }
}

/** --window N: a whole number of bases. */
export function windowOption(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const w = Number(text);
  if (!(Number.isInteger(w) && w >= 1 && w <= 1 << 20))
    throw new CliError(`--window must be a whole number of bases from 1 to ${1 << 20}, got "${text}"`);
  return w;
}

const KERNEL_BACKENDS: readonly BackendChoice[] = ['auto', 'cpu', 'webgpu'];

/**
 * --backend for the commands that run the kernels directly (default cpu, as model-inputs.ts has
 * it): auto, cpu or webgpu. Checked here so these commands never load onnxruntime.
 */
export function kernelBackend(values: Record<string, string>, command: string): BackendChoice {
  const kind = (values.backend ?? 'cpu') as BackendChoice;
  if (!KERNEL_BACKENDS.includes(kind))
    throw new CliError(`${command} runs on the kernels backends: --backend auto, cpu or webgpu, got "${kind}"`);
  return kind;
}

/** A file written under a temporary name and renamed into place by `finish`; `discard` removes it. */
export class PendingFile {
  private constructor(
    readonly path: string,
    private readonly temp: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<PendingFile> {
    const temp = `${path}.tmp-${process.pid}`;
    return new PendingFile(path, temp, await open(temp, 'w'));
  }

  async write(lines: readonly string[]): Promise<void> {
    if (lines.length > 0) await this.handle.write(lines.join('\n') + '\n');
  }

  async finish(): Promise<void> {
    await this.handle.close();
    await rename(this.temp, this.path);
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}
