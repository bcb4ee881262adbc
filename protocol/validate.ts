// Checks for messages that arrive from another runtime. Nothing that crosses a boundary is trusted:
// each boundary's parsers (protocol/*-messages.ts) build their values field by field through
// Fields, which throws a ProtocolError naming the message, the field and what was wrong.

/** A message that breaks the protocol: names the field. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Largest request or job id accepted. */
export const MAX_ID = 2 ** 31 - 1;
/** Longest free text (messages, reasons, device names) accepted. */
export const MAX_TEXT = 4096;

type TypedArray = Float32Array | Int32Array | Uint8Array;

/** The fields of one incoming object; `what` names it in errors ("score request", "ready.webgpu"). */
export class Fields {
  private readonly o: Record<string, unknown>;

  constructor(
    raw: unknown,
    readonly what: string,
  ) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new ProtocolError(`${what}: expected an object`);
    this.o = raw as Record<string, unknown>;
  }

  private fail(key: string, expected: string): never {
    throw new ProtocolError(`${this.what}.${key}: ${expected}`);
  }

  /** The field unchecked, for values a later parse checks (a config.json object, say). */
  raw(key: string): unknown {
    return this.o[key];
  }

  has(key: string): boolean {
    return this.o[key] !== undefined;
  }

  object(key: string): Fields {
    return new Fields(this.o[key], `${this.what}.${key}`);
  }

  int(key: string, min: number, max: number): number {
    const v = this.o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(key, `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return v;
  }

  num(key: string, min: number, max: number): number {
    const v = this.o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      this.fail(key, `expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return v;
  }

  str(key: string, maxLength: number): string {
    const v = this.o[key];
    if (typeof v !== 'string' || v.length > maxLength)
      this.fail(key, `expected a string of at most ${maxLength} characters`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.o[key];
    if (typeof v !== 'boolean') this.fail(key, 'expected a boolean');
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.o[key];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
      this.fail(key, `expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  typed<T extends TypedArray>(key: string, ctor: { new (n: number): T; name: string }, maxLength: number): T {
    const v = this.o[key];
    if (!(v instanceof (ctor as unknown as typeof Uint8Array))) this.fail(key, `expected a ${ctor.name}`);
    if (v.length > maxLength) this.fail(key, `${v.length} values, at most ${maxLength} allowed`);
    return v as unknown as T;
  }
}
