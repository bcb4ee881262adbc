// The LIST/INFO tags of a WAV file (title, artist, comment, software, ...) as plain strings for the
// audio summary. Every value is text from the file: the renderer shows it with textContent, never as
// HTML. Sizes are bounded so a hostile file cannot make the summary large.
import type { WavReader } from '../datasets/wav';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** At most this many tags, each cut to this many characters; LIST chunks larger than this are skipped. */
export const MAX_TAGS = 64;
export const MAX_TAG_CHARS = 1024;
const MAX_LIST_BYTES = 1 << 16;

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

/** The tags of one LIST chunk body ("INFO" then id/size/value sub-chunks); other list types give none. */
export function parseInfoList(body: Uint8Array): Record<string, string> {
  const tags: Record<string, string> = {};
  if (body.length < 4 || String.fromCharCode(...body.subarray(0, 4)) !== 'INFO') return tags;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let count = 0;
  for (let pos = 4; pos + 8 <= body.length && count < MAX_TAGS;) {
    const id = String.fromCharCode(...body.subarray(pos, pos + 4));
    const size = view.getUint32(pos + 4, true);
    const end = Math.min(body.length, pos + 8 + size);
    if (/^[A-Za-z0-9 ]{4}$/.test(id)) {
      const value = text(body.subarray(pos + 8, end));
      const key = NAMES[id] ?? id.trim();
      if (value && !(key in tags)) {
        tags[key] = value;
        count++;
      }
    }
    pos = pos + 8 + size + (size % 2);
  }
  return tags;
}

/** Every LIST/INFO tag of an open WAV file. */
export async function readWavTags(wav: WavReader): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const c of wav.info.chunks) {
    if (c.id !== 'LIST' || c.size > MAX_LIST_BYTES) continue;
    for (const [k, v] of Object.entries(parseInfoList(await wav.source.read(c.offset + 8, c.size))))
      if (!(k in tags)) tags[k] = v;
  }
  return tags;
}
