// The `.seqlab` file: JSON that holds the cells (spec sources and notes), their outputs with every
// item (JSON items as JSON, binary items as base64, text as text) and their last run, so that a
// reopened notebook re-renders without recomputing. Pure (no vscode): the serializer maps it to
// the Notebook API, unit tests read and write it directly.
import { showJson } from '../../../kernels/io/show-json';

export const FORMAT_VERSION = 1;

export interface StoredItem {
  mime: string;
  data: Uint8Array;
}
export interface StoredOutput {
  items: StoredItem[];
  metadata: Record<string, unknown> | undefined;
}
export interface StoredRun {
  order: number | undefined;
  success: boolean | undefined;
  startTime: number | undefined;
  endTime: number | undefined;
}
export interface StoredCell {
  kind: 'code' | 'markup';
  language: string;
  source: string;
  outputs: StoredOutput[];
  run: StoredRun | undefined;
  metadata: Record<string, unknown> | undefined;
}
export interface StoredNotebook {
  cells: StoredCell[];
  metadata: Record<string, unknown> | undefined;
}

export class NotebookFormatError extends Error {
  override name = 'NotebookFormatError';
  constructor(file: string, where: string, problem: string) {
    super(`${file}: ${where}: ${problem}`);
  }
}

const isJsonMime = (mime: string): boolean => mime === 'application/json' || mime.endsWith('+json');
const isTextMime = (mime: string): boolean =>
  mime.startsWith('text/') ||
  mime === 'application/vnd.code.notebook.stdout' ||
  mime === 'application/vnd.code.notebook.stderr' ||
  mime === 'application/vnd.code.notebook.error';

type Json = Record<string, unknown>;

/** The item's text, exactly (a leading BOM kept); undefined when its bytes are not UTF-8. */
function exactText(data: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
  } catch {
    return undefined;
  }
}

/** As JSON or text when the item's mime says so and its bytes are that; any other bytes as base64, kept exactly. */
function encodeItem(item: StoredItem): Json {
  const text = exactText(item.data);
  if (text !== undefined && isJsonMime(item.mime)) {
    try {
      return { mime: item.mime, json: JSON.parse(text) as unknown };
    } catch {
      // Not JSON: kept as text.
    }
  }
  if (text !== undefined && (isTextMime(item.mime) || isJsonMime(item.mime))) return { mime: item.mime, text };
  return {
    mime: item.mime,
    base64: Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength).toString('base64'),
  };
}

/** The file's bytes: stable key order, two-space indent so that diffs of the spec sources read well. */
export function writeNotebook(nb: StoredNotebook): Uint8Array {
  const cells = nb.cells.map((c) => {
    const out: Json = { kind: c.kind, language: c.language, source: c.source };
    if (c.outputs.length)
      out.outputs = c.outputs.map((o) => ({
        items: o.items.map(encodeItem),
        ...(o.metadata ? { metadata: o.metadata } : {}),
      }));
    if (c.run) out.run = c.run;
    if (c.metadata && Object.keys(c.metadata).length) out.metadata = c.metadata;
    return out;
  });
  const file: Json = { seqlab: FORMAT_VERSION, cells };
  if (nb.metadata && Object.keys(nb.metadata).length) file.metadata = nb.metadata;
  return new TextEncoder().encode(JSON.stringify(file, null, 2) + '\n');
}

function record(v: unknown, file: string, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new NotebookFormatError(file, where, 'expected an object');
  return v as Json;
}
function optionalRecord(v: unknown, file: string, where: string): Json | undefined {
  return v === undefined ? undefined : record(v, file, where);
}
function optionalNumber(v: unknown, file: string, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new NotebookFormatError(file, where, 'expected a number');
  return v;
}

function decodeItem(raw: unknown, file: string, where: string): StoredItem {
  const o = record(raw, file, where);
  if (typeof o.mime !== 'string' || o.mime === '') throw new NotebookFormatError(file, where, 'item has no mime');
  if ('json' in o) return { mime: o.mime, data: new TextEncoder().encode(JSON.stringify(o.json)) };
  if (typeof o.text === 'string') return { mime: o.mime, data: new TextEncoder().encode(o.text) };
  if (typeof o.base64 === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(o.base64))
      throw new NotebookFormatError(file, where, 'base64 data has characters outside base64');
    return { mime: o.mime, data: new Uint8Array(Buffer.from(o.base64, 'base64')) };
  }
  throw new NotebookFormatError(file, where, 'item needs json, text or base64');
}

function decodeCell(raw: unknown, file: string, i: number): StoredCell {
  const where = `cell ${i + 1}`;
  const c = record(raw, file, where);
  if (c.kind !== 'code' && c.kind !== 'markup')
    throw new NotebookFormatError(file, where, `kind must be "code" or "markup", got ${showJson(c.kind)}`);
  if (typeof c.source !== 'string') throw new NotebookFormatError(file, where, 'source must be a string');
  const language = typeof c.language === 'string' ? c.language : c.kind === 'code' ? 'yaml' : 'markdown';
  if (c.outputs !== undefined && !Array.isArray(c.outputs))
    throw new NotebookFormatError(file, where, 'outputs must be a list');
  const outputs = ((c.outputs ?? []) as unknown[]).map((o, j) => {
    const ow = `${where} output ${j + 1}`;
    const out = record(o, file, ow);
    if (!Array.isArray(out.items)) throw new NotebookFormatError(file, ow, 'items must be a list');
    return {
      items: out.items.map((it, k) => decodeItem(it, file, `${ow} item ${k + 1}`)),
      metadata: optionalRecord(out.metadata, file, `${ow} metadata`),
    };
  });
  let run: StoredRun | undefined;
  if (c.run !== undefined) {
    const r = record(c.run, file, `${where} run`);
    if (r.success !== undefined && typeof r.success !== 'boolean')
      throw new NotebookFormatError(file, `${where} run`, 'success must be true or false');
    run = {
      order: optionalNumber(r.order, file, `${where} run order`),
      success: r.success as boolean | undefined,
      startTime: optionalNumber(r.startTime, file, `${where} run startTime`),
      endTime: optionalNumber(r.endTime, file, `${where} run endTime`),
    };
  }
  return {
    kind: c.kind,
    language,
    source: c.source,
    outputs,
    run,
    metadata: optionalRecord(c.metadata, file, `${where} metadata`),
  };
}

/** Deeper nesting is refused: the writer's JSON.stringify recurses, and runs out of stack some thousands of levels down. */
const MAX_DEPTH = 256;

function checkDepth(raw: unknown, file: string): void {
  const todo: [unknown, number][] = [[raw, 1]];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [v, depth] = next;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_DEPTH)
      throw new NotebookFormatError(file, 'top level', `nested more than ${MAX_DEPTH} levels deep`);
    for (const child of Object.values(v)) todo.push([child, depth + 1]);
  }
}

/** Reads a `.seqlab` file; an empty file is an empty notebook. Errors name the file and the cell. */
export function readNotebook(bytes: Uint8Array, file: string): StoredNotebook {
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return { cells: [], metadata: undefined };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(file, 'top level', `not JSON (${(e as Error).message})`);
  }
  checkDepth(raw, file);
  const o = record(raw, file, 'top level');
  if (o.seqlab !== FORMAT_VERSION)
    throw new NotebookFormatError(
      file,
      'top level',
      `"seqlab" must be ${FORMAT_VERSION} (the format version), got ${showJson(o.seqlab)}`,
    );
  if (!Array.isArray(o.cells)) throw new NotebookFormatError(file, 'top level', '"cells" must be a list');
  return {
    cells: o.cells.map((c, i) => decodeCell(c, file, i)),
    metadata: optionalRecord(o.metadata, file, 'top level metadata'),
  };
}
