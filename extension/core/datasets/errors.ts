// The one error type for malformed input files: it names the file and where the problem is
// (byte offset in the file, or in the decompressed stream for gzip input, and a line when known)
// so that the CLI and the panes can tell the user exactly what to fix.

export interface DataPosition {
  /** Byte offset (0-based) of the problem; for compressed input, in the decompressed stream unless `compressed`. */
  readonly offset: number;
  /** 1-based line number, for text formats. */
  readonly line?: number;
  /** True when `offset` counts bytes of the compressed file rather than of its contents. */
  readonly compressed?: boolean;
}

export class DataFormatError extends Error {
  override name = 'DataFormatError';
  constructor(
    readonly file: string,
    readonly position: DataPosition,
    readonly problem: string,
  ) {
    super(`${file}: ${describePosition(position)}: ${problem}`);
  }
}

function describePosition(p: DataPosition): string {
  const where = p.compressed ? `compressed byte ${p.offset}` : `byte ${p.offset}`;
  return p.line === undefined ? where : `line ${p.line} (${where})`;
}

/** Thrown when an AbortSignal fires during a long read. */
export class ReadAbortedError extends Error {
  override name = 'AbortError';
  constructor(readonly file: string) {
    super(`${file}: reading was cancelled`);
  }
}

/** Thrown when one read of a file takes longer than its bound (a stalled network drive or device). */
export class ReadTimeoutError extends Error {
  override name = 'ReadTimeoutError';
  constructor(
    readonly file: string,
    readonly position: number,
    readonly timeoutMs: number,
  ) {
    super(`${file}: a read at byte ${position} took longer than ${timeoutMs / 1000} s (a stalled drive or device?)`);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, file: string): void {
  if (signal?.aborted) throw new ReadAbortedError(file);
}

/** Shows one byte in a message: printable ASCII as a quoted character, anything else in hex. */
export function showByte(b: number): string {
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  return b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}' (${hex})` : hex;
}
