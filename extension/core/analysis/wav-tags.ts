// The LIST/INFO tags of a WAV file (title, artist, comment, software, ...) as plain strings for the
// audio summary. Every value is text from the file: the renderer shows it with textContent, never as
// HTML. Sizes are bounded so a hostile file cannot make the summary large.
import type { WavReader } from '../datasets/wav';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * At most this many tags in all (over every LIST chunk), each cut to MAX_TAG_CHARS characters, and
 * MAX_TAG_TEXT characters of names and values in all; LIST chunks larger than MAX_LIST_BYTES are
 * skipped, and no more than MAX_LIST_READ bytes of them are read.
 */
export const MAX_TAGS = 64;
export const MAX_TAG_CHARS = 1024;
export const MAX_TAG_TEXT = 16384;
const MAX_LIST_BYTES = 1 << 16;
const MAX_LIST_READ = 1 << 18;

/** Names for the common RIFF INFO ids; other ids are shown as they are. */
const NAMES: Readonly<Record<string, string>> = {
  INAM: 'title',
  IART: 'artist',
  IPRD: 'album',
  ICMT: 'comment',
  ICRD: 'date',
  IGNR: 'genre',
  ICOP: 'copyright',
  ISFT: 'software',
  IENG: 'engineer',
  ITRK: 'track',
  IPRT: 'track',
  ISBJ: 'subject',
  IKEY: 'keywords',
  ISRC: 'source',
  ILNG: 'language',
};

function text(bytes: Uint8Array): string {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    s = new TextDecoder('latin1').decode(bytes); // older tools wrote code-page text
  }
  // Drop the NUL terminator and padding, and other control characters a tag has no use for.
  return s.replace(CONTROL_CHARS, '').trim().slice(0, MAX_TAG_CHARS);
}

const textOf = (tags: Record<string, string>): number =>
  Object.entries(tags).reduce((n, [k, v]) => n + k.length + v.length, 0);

/**
 * Adds the tags of one LIST chunk body ("INFO" then id/size/value sub-chunks; other list types
 * give none) to `tags`, keeping the first value of a name and the bounds on the total.
 */
export function parseInfoList(body: Uint8Array, tags: Record<string, string> = {}): Record<string, string> {
  if (body.length < 4 || String.fromCharCode(...body.subarray(0, 4)) !== 'INFO') return tags;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let count = Object.keys(tags).length,
    chars = textOf(tags);
  for (let pos = 4; pos + 8 <= body.length && count < MAX_TAGS && chars < MAX_TAG_TEXT;) {
    const id = String.fromCharCode(...body.subarray(pos, pos + 4));
    const size = view.getUint32(pos + 4, true);
    const end = Math.min(body.length, pos + 8 + size);
    if (/^[A-Za-z0-9 ]{4}$/.test(id)) {
      const key = NAMES[id] ?? id.trim();
      const value = text(body.subarray(pos + 8, end)).slice(0, Math.max(0, MAX_TAG_TEXT - chars - key.length));
      if (value && !Object.hasOwn(tags, key)) {
        tags[key] = value;
        count++;
        chars += key.length + value.length;
      }
    }
    pos = pos + 8 + size + (size % 2);
  }
  return tags;
}

/** The LIST/INFO tags of an open WAV file, within the bounds above over all its LIST chunks. */
export async function readWavTags(wav: WavReader): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let read = 0;
  for (const c of wav.info.chunks) {
    if (c.id !== 'LIST' || c.size > MAX_LIST_BYTES) continue;
    if (read + c.size > MAX_LIST_READ || Object.keys(tags).length >= MAX_TAGS || textOf(tags) >= MAX_TAG_TEXT) break;
    read += c.size;
    parseInfoList(await wav.source.read(c.offset + 8, c.size), tags);
  }
  return tags;
}
