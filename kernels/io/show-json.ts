// A value read from a file, shown in an error message that refuses it: as JSON (numbers as
// themselves: NaN and Infinity, which JSON writes as null), cut short, and never an error of its
// own: JSON.stringify throws a RangeError on nesting deeper than the call stack, and String() a
// TypeError on an object whose own "toString" is not a function.

export function showJson(v: unknown, max = 80): string {
  if (typeof v === 'number') return String(v);
  let text: string | undefined;
  try {
    // Long strings cut first: escaping a million lone surrogates alone takes a tenth of a second.
    text = JSON.stringify(v, (_key, x: unknown) => (typeof x === 'string' && x.length > max ? x.slice(0, max) : x));
  } catch {
    return Array.isArray(v) ? '[...]' : '{...}';
  }
  text ??= String(v); // undefined
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
