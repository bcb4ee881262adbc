// Checks a JSON object read back from a run folder (run.json, status.json, latest.json, …): the
// file may be hand-edited, torn or from another version, so each field is checked before use and
// a bad one is refused with the file and the field named, e.g.
// "…/run.json: hyper.checkpointEvery must be a positive integer, got 0".
import { showJson } from '../../../kernels/io/show-json';

export class RunFileError extends Error {
  override name = 'RunFileError';
}

export class JsonFields {
  private readonly o: Record<string, unknown>;

  /** `raw` must be an object; `prefix` names where it sits in the file ("hyper.", "files[0]."). */
  constructor(
    raw: unknown,
    readonly file: string,
    private readonly prefix = '',
  ) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      const where = prefix.slice(0, -1); // "hyper." names the field hyper
      throw new RunFileError(
        !where
          ? `${file}: must hold an object, got ${showJson(raw)}`
          : raw === undefined
            ? `${file}: ${where} is missing; it must be an object`
            : `${file}: ${where} must be an object, got ${showJson(raw)}`,
      );
    }
    this.o = raw as Record<string, unknown>;
  }

  /** Throws naming the file and the field: "FILE: FIELD must be EXPECTED, got VALUE". */
  fail(key: string, expected: string): never {
    const v = this.o[key];
    throw new RunFileError(
      `${this.file}: ${this.prefix}${key} ${v === undefined ? `is missing; it must be ${expected}` : `must be ${expected}, got ${showJson(v)}`}`,
    );
  }

  has(key: string): boolean {
    return this.o[key] !== undefined;
  }

  /** The field after `ok` accepts it; `expected` says what it must be. */
  check<T>(key: string, expected: string, ok: (v: unknown) => v is T): T {
    const v = this.o[key];
    if (!ok(v)) this.fail(key, expected);
    return v;
  }

  object(key: string): JsonFields {
    return new JsonFields(this.o[key], this.file, `${this.prefix}${key}.`);
  }

  positiveInt(key: string): number {
    return this.check(key, 'a positive integer', (v): v is number => Number.isSafeInteger(v) && (v as number) > 0);
  }

  count(key: string): number {
    return this.check(key, 'a non-negative integer', (v): v is number => Number.isSafeInteger(v) && (v as number) >= 0);
  }

  int(key: string): number {
    return this.check(key, 'an integer', (v): v is number => Number.isSafeInteger(v));
  }

  /** A finite number in [min, max] (with `above`, min itself is excluded); `expected` words it. */
  num(key: string, expected: string, min: number, max = Infinity, above = false): number {
    return this.check(
      key,
      expected,
      (v): v is number => typeof v === 'number' && Number.isFinite(v) && (above ? v > min : v >= min) && v <= max,
    );
  }

  str(key: string, expected = 'a string', pattern?: RegExp): string {
    return this.check(key, expected, (v): v is string => typeof v === 'string' && (!pattern || pattern.test(v)));
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    return this.check(key, `one of ${values.join(', ')}`, (v): v is T => (values as readonly unknown[]).includes(v));
  }

  /** A list whose items `each` checks (it gets the item's own fields, "files[0]."). */
  objects<T>(key: string, each: (f: JsonFields) => T): T[] {
    const list = this.check(key, 'a list', (v): v is unknown[] => Array.isArray(v));
    return list.map((item, i) => each(new JsonFields(item, this.file, `${this.prefix}${key}[${i}].`)));
  }

  /** A list of strings each matching `pattern`; `expected` words the whole list. */
  strings(key: string, expected: string, pattern: RegExp, nonEmpty: boolean): string[] {
    return this.check(
      key,
      expected,
      (v): v is string[] =>
        Array.isArray(v) && (!nonEmpty || v.length > 0) && v.every((s) => typeof s === 'string' && pattern.test(s)),
    );
  }
}
