// The files a user saves from an output, built in the renderer from what it shows (the host only
// asks where and writes; see ExportRequest): BED of the high-surprisal regions, CSV/JSON of the
// tracks over the visible positions, FASTA of a generated record, WAV of generated audio; the
// scored VCF and TSV a variants output carries. Pure.
import { VARIANT_BLOCKS, type VariantScoresSummary } from '../../protocol/notebook-output';
import type { ExportRequest } from '../../protocol/renderer-messages';
import type { Block } from '../../protocol/track-codec';
import { bedChrom, bedText, fastaText, trackCsv, trackJson, type TrackColumn } from '../components/export-text';
import type { DnaTrackInput, WavViewInput } from '../components/view-inputs';
import type { ViewWindow } from '../components/view-window';
import { encodeWav16 } from '../components/wav-encode';

/** Most rows one CSV/JSON export writes (about 60 MB of CSV); zoom in for more detail. */
export const MAX_EXPORT_ROWS = 1_000_000;

/** A bare file name from any text (record names may hold | / : and worse). */
export function fileStem(text: string): string {
  const stem = text
    .replace(/[^\w .()+-]+/g, '_')
    .replace(/^[^A-Za-z0-9]+|[_. ]+$/g, '')
    .slice(0, 120);
  return stem || 'seqlab';
}

function rowsOf(w: ViewWindow): [number, number] {
  const a = Math.max(0, Math.floor(w.start)),
    b = Math.ceil(w.end);
  if (b - a > MAX_EXPORT_ROWS)
    throw new RangeError(
      `${(b - a).toLocaleString('en-US')} positions are visible; zoom in to at most ${MAX_EXPORT_ROWS.toLocaleString('en-US')} to export them`,
    );
  return [a, b];
}

function column(name: string, a: number, b: number, at: (p: number) => number): TrackColumn {
  const values = new Float32Array(b - a);
  for (let p = a; p < b; p++) values[p - a] = at(p);
  return { name, values };
}

/** BED of the record's high-surprisal regions, or CSV/JSON of its tracks over `visible` (record positions). */
export function dnaExport(format: 'bed' | 'csv' | 'json', input: DnaTrackInput, visible: ViewWindow): ExportRequest {
  const { record } = input;
  const stem = fileStem(bedChrom(record.name));
  if (format === 'bed') {
    const regions = input.intervals
      .filter((s) => s.kind === 'high-surprisal')
      .flatMap((s) => s.starts.map((start, i) => ({ start, end: s.ends[i], meanBits: s.scores[i] ?? NaN })));
    return {
      format,
      suggestedName: `${stem}.high-surprisal.bed`,
      encoding: 'utf8',
      content: bedText(record.name, regions),
    };
  }
  const [a, b] = rowsOf({ start: Math.max(visible.start, record.start), end: Math.min(visible.end, record.end) });
  const columns: TrackColumn[] = [];
  if (input.surprisal) columns.push(column('surprisal_bits', a, b, (p) => input.surprisal!.valueAt(p)));
  if (input.surprisalReverse)
    columns.push(column('surprisal_reverse_bits', a, b, (p) => input.surprisalReverse!.valueAt(p)));
  if (input.gc) columns.push(column('gc_percent', a, b, (p) => input.gc!.valueAt(p)));
  for (let l = 0; l < (input.delta?.rowCount ?? 0); l++)
    columns.push(column(`delta_layer${l}`, a, b, (p) => input.delta!.valueAt(p, l)));
  const name = `${stem}.${a + 1}-${b}`;
  if (format === 'json')
    return { format, suggestedName: `${name}.json`, encoding: 'utf8', content: trackJson(record.name, a, columns) };
  const bases = input.bases
    ? Array.from(input.bases.codes.subarray(a - input.bases.start, b - input.bases.start), (c) =>
        String.fromCharCode(c),
      ).join('')
    : null;
  return {
    format,
    suggestedName: `${name}.csv`,
    encoding: 'utf8',
    content: trackCsv(record.name, a, bases?.length === b - a ? bases : null, columns),
  };
}

/** FASTA of a generated record. */
export function fastaExport(input: DnaTrackInput): ExportRequest {
  if (!input.bases) throw new Error('this output has no letters to save');
  const letters = Array.from(input.bases.codes, (c) => String.fromCharCode(c)).join('');
  return {
    format: 'fasta',
    suggestedName: `${fileStem(bedChrom(input.record.name))}.fa`,
    encoding: 'utf8',
    content: fastaText(input.record.name, letters),
  };
}

/** Base64 of bytes, in slices so long audio does not overflow the argument list. */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** CSV/JSON of amplitude and surprisal over `visible` (sample positions), or the samples as a 16-bit WAV. */
export function audioExport(
  format: 'csv' | 'json' | 'wav',
  input: WavViewInput,
  name: string,
  visible: ViewWindow,
): ExportRequest {
  const stem = fileStem(name.replace(/\.wav$/i, ''));
  if (format === 'wav')
    return {
      format,
      suggestedName: `${stem}.wav`,
      encoding: 'base64',
      content: base64(encodeWav16(input.samples, input.sampleRate)),
    };
  const [a, b] = rowsOf({
    start: Math.max(visible.start, input.start),
    end: Math.min(visible.end, input.start + input.samples.length),
  });
  const columns = [column('amplitude', a, b, (p) => input.samples[p - input.start])];
  if (input.surprisal) columns.push(column('surprisal_bits', a, b, (p) => input.surprisal!.valueAt(p)));
  const file = `${stem}.${a + 1}-${b}`;
  return format === 'json'
    ? { format, suggestedName: `${file}.json`, encoding: 'utf8', content: trackJson(name, a, columns) }
    : { format, suggestedName: `${file}.csv`, encoding: 'utf8', content: trackCsv(name, a, null, columns) };
}

/** The scored VCF or TSV of a variants output (stored gzip-compressed, as `seqlab vep` writes them), as text to save. */
export async function variantFileExport(
  format: 'vcf' | 'tsv',
  summary: VariantScoresSummary,
  blocks: ReadonlyMap<string, Block>,
): Promise<ExportRequest> {
  const block = blocks.get(format === 'vcf' ? VARIANT_BLOCKS.scoredVcf : VARIANT_BLOCKS.scoredTsv);
  if (!(block instanceof Uint8Array)) throw new Error(`this output has no scored ${format.toUpperCase()}`);
  const text = await new Response(
    new Blob([block as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')),
  ).text();
  const name = summary.file.split(/[\\/]/).pop() ?? 'variants';
  return {
    format,
    suggestedName: `${fileStem(name.replace(/\.vcf(\.gz)?$/i, ''))}.seqlab.${format}`,
    encoding: 'utf8',
    content: text,
  };
}
