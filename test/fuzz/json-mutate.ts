// Mutations of a parsed JSON value for the file-parser fuzz: huge numbers; NaN, ±Infinity and -0;
// deep nesting; long strings; prototype keys (__proto__, constructor, toString…) as own properties,
// which is how JSON.parse makes them; wrong types; dropped keys; long arrays; subtrees spliced from
// another seed. writeJson writes such a value as text, also what JSON.stringify cannot: nesting
// deeper than the call stack, NaN as the bare word (not JSON), ±Infinity as ±1e999 (JSON that
// parses to ±Infinity) and -0; compact or indented, some characters written as \u escapes.
import type { FuzzInput } from './fuzz-target';
import { int, mutate, pick, type Rand } from './reader-fuzz';

type Container = Record<string, unknown> | unknown[];

const HUGE_NUMBERS = [
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 64,
  2 ** 32,
  2 ** 31,
  -(2 ** 31),
  -1,
  1e21,
  5e-324,
  0.5,
];
const SPECIAL_NUMBERS = [NaN, Infinity, -Infinity, -0];
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'toJSON',
  'length',
  'then',
];
const WRONG_TYPES: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => '',
  () => '1',
  () => 'auto',
  () => [],
  () => [1, 2],
  () => ({}),
  () => ({ 0: 1 }),
  () => 0,
  () => 1,
];
const LONG_CHARS = ['a', ' ', '#', '\\', '"', "'", ':', '\n', '\0', 'é', '\u2028', '\ud800', '7', '{'];
// The largest sizes drawn rarely: each costs the harness as much as a hundred small inputs.
const LONG_LENGTHS = [100, 100, 100, 100, 10_000, 10_000, 10_000, 10_000, 100_000, 100_000, 100_000, 1_000_000];
const DEPTHS = [64, 64, 64, 64, 1000, 1000, 1000, 1000, 10_000, 10_000, 10_000, 100_000];
const ARRAY_LENGTHS = [1000, 1000, 1000, 1000, 10_000, 10_000, 10_000, 100_000];
/** The most nodes looked at when choosing where to mutate (a mutated value may be huge). */
const MAX_NODES = 5000;

/** An own enumerable property, as JSON.parse makes one: `o.__proto__ = v` would set the prototype instead. */
function setOwn(o: Container, key: string, v: unknown): void {
  Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
}

interface Slot {
  parent: Container | undefined;
  key: string;
  value: unknown;
}

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

/** The keys of an object, or the indices of an array (as strings), the first `max` of them. */
function keysOf(v: Container, max: number): string[] {
  if (!Array.isArray(v)) {
    const keys = Object.keys(v);
    return keys.length > max ? keys.slice(0, max) : keys;
  }
  const keys: string[] = [];
  for (let i = 0; i < Math.min(max, v.length); i++) keys.push(String(i));
  return keys;
}

/** Up to MAX_NODES places in `root` (itself first), breadth first. */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [{ parent: undefined, key: '', value: root }];
  for (let i = 0; i < out.length && out.length < MAX_NODES; i++) {
    const v = out[i].value;
    if (isContainer(v))
      for (const key of keysOf(v, MAX_NODES - out.length)) out.push({ parent: v, key, value: (v as never)[key] });
  }
  return out;
}

function nest(inner: unknown, depth: number, asArrays: boolean): unknown {
  let v = inner;
  for (let d = 0; d < depth; d++) v = asArrays ? [v] : { a: v };
  return v;
}

/** One to three mutations of `root` (changed in place; the result may be a new root). */
export function mutateJson(root: unknown, donor: unknown, rand: Rand): { value: unknown; how: string[] } {
  const how: string[] = [];
  for (let m = 1 + int(rand, 3); m > 0; m--) {
    const all = slots(root);
    const at = pick(rand, all);
    let next: unknown = at.value;
    switch (int(rand, 10)) {
      case 0:
        next = pick(rand, HUGE_NUMBERS);
        how.push(`huge-number ${next}`);
        break;
      case 1:
        next = pick(rand, SPECIAL_NUMBERS);
        how.push(`special-number ${Object.is(next, -0) ? '-0' : next}`);
        break;
      case 2: {
        const depth = pick(rand, DEPTHS);
        next = nest(rand() < 0.5 ? at.value : 1, depth, rand() < 0.5);
        how.push(`deep-nesting ${depth}`);
        break;
      }
      case 3: {
        const n = pick(rand, LONG_LENGTHS);
        next = (typeof at.value === 'string' && rand() < 0.5 ? at.value : '') + pick(rand, LONG_CHARS).repeat(n);
        how.push(`long-string ${n}`);
        break;
      }
      case 4: {
        const objects = all.filter((s) => isContainer(s.value) && !Array.isArray(s.value));
        const key = pick(rand, PROTOTYPE_KEYS);
        const value = rand() < 0.3 ? { toString: 1, valueOf: {} } : pick(rand, WRONG_TYPES)();
        how.push(`prototype-key ${key}`);
        if (objects.length === 0 || rand() < 0.2) {
          next = { [key]: value, toString: 'x', valueOf: null };
          break;
        }
        const o = pick(rand, objects).value as Record<string, unknown>;
        const keys = Object.keys(o);
        // Renamed: the key's value under a prototype key.
        if (keys.length > 0 && rand() < 0.5) {
          const old = pick(rand, keys);
          setOwn(o, key, o[old]);
          delete o[old];
        } else setOwn(o, key, value);
        continue;
      }
      case 5:
        next = pick(rand, WRONG_TYPES)();
        how.push('wrong-type');
        break;
      case 6:
        if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
        else if (at.parent) delete at.parent[at.key];
        how.push('drop');
        continue;
      case 7: {
        const from = pick(rand, slots(donor)).value;
        next = from === undefined ? null : JSON.parse(JSON.stringify(from));
        how.push('splice');
        break;
      }
      case 8: {
        const n = pick(rand, ARRAY_LENGTHS);
        const first: unknown = Array.isArray(at.value) ? at.value[0] : 0;
        const item = isContainer(first) ? 0 : first;
        next = Array.from({ length: n }, () => item);
        how.push(`long-array ${n}`);
        break;
      }
      default:
        next =
          typeof at.value === 'number'
            ? pick(rand, [at.value + 1, at.value - 1, -at.value, at.value * 2 ** 31, at.value / 3, 0])
            : typeof at.value === 'string'
              ? at.value.slice(0, -1)
              : pick(rand, ['', '0', 'true']);
        how.push('tweak');
    }
    if (!at.parent) root = next;
    else if (Array.isArray(at.parent)) at.parent[Number(at.key)] = next;
    else setOwn(at.parent, at.key, next);
  }
  return { value: root, how };
}

function writeNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '1e999';
  if (n === -Infinity) return '-1e999';
  return Object.is(n, -0) ? '-0' : String(n);
}

/** A JSON string literal, with about `rate` of its characters written as \u escapes. */
function writeString(s: string, rate: number, rand: Rand): string {
  if (rate === 0 || s.length > 1000) return JSON.stringify(s);
  let out = '"';
  for (const c of s) {
    if (rand() < rate) for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    else out += JSON.stringify(c).slice(1, -1);
  }
  return out + '"';
}

/** Writes `root` as text without recursion; indented only near the top (deep indents grow quadratically). */
export function writeJson(root: unknown, rand: Rand): string {
  const indent = rand() < 0.5 ? '' : pick(rand, [' ', '  ', '\t']);
  const rate = rand() < 0.7 ? 0 : 0.2;
  // Each string written once: a long list may hold the same one a hundred thousand times.
  const strings = new Map<string, string>();
  const leaf = (v: unknown): string => {
    if (typeof v === 'number') return writeNumber(v);
    if (typeof v !== 'string') return v === undefined ? 'null' : String(v);
    let text = strings.get(v);
    if (text === undefined) strings.set(v, (text = writeString(v, rate, rand)));
    return text;
  };
  const out: string[] = [];
  const todo: (string | { v: unknown; depth: number })[] = [{ v: root, depth: 0 }];
  while (todo.length > 0) {
    const t = todo.pop() as string | { v: unknown; depth: number };
    if (typeof t === 'string') {
      out.push(t);
      continue;
    }
    const { v, depth } = t;
    if (!isContainer(v)) {
      out.push(leaf(v));
      continue;
    }
    const pad = indent && depth < 32 ? `\n${indent.repeat(depth + 1)}` : '';
    const close = indent && depth < 32 ? `\n${indent.repeat(depth)}` : '';
    if (Array.isArray(v) && !v.some(isContainer)) {
      // A (long) list of leaves in one go.
      out.push(v.length > 0 ? `[${pad}${v.map(leaf).join(`,${pad}`)}${close}]` : '[]');
      continue;
    }
    const keys = keysOf(v, Infinity);
    out.push(Array.isArray(v) ? '[' : '{');
    todo.push((keys.length > 0 ? close : '') + (Array.isArray(v) ? ']' : '}'));
    for (let i = keys.length - 1; i >= 0; i--) {
      todo.push({ v: (v as never)[keys[i]], depth: depth + 1 });
      const sep = Array.isArray(v) ? '' : `${leaf(keys[i])}:${indent ? ' ' : ''}`;
      todo.push((i > 0 ? ',' : '') + pad + sep);
    }
  }
  return out.join('');
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * A mutated JSON file from `seeds` (texts): bytes mutated as the readers' fuzz does, the parsed
 * value mutated and written again, or both. With `values`, a third of the value mutations are
 * also handed over as values (for parsers of values, which a file cannot hand NaN).
 */
export function mutateJsonFile(seeds: readonly string[], rand: Rand, values = false): FuzzInput {
  const seed = pick(rand, seeds),
    other = pick(rand, seeds);
  const r = rand();
  if (r < 0.35) return mutate(utf8(seed), utf8(other), rand);
  const { value, how } = mutateJson(JSON.parse(seed), JSON.parse(other), rand);
  const bytes = utf8(writeJson(value, rand));
  if (values && rand() < 0.3) return { bytes, value, how: [...how, 'as a value'] };
  if (r < 0.85) return { bytes, how };
  const b = mutate(bytes, utf8(other), rand);
  return { bytes: b.bytes, how: [...how, ...b.how] };
}
