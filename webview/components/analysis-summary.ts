// The summary above a track: file, model (with a plain warning when it is untrained), which
// backend ran and why, how fast, timings, notes, and the per-record (DNA) or per-file (audio)
// numbers. Every string that came from a file (names, headers, WAV tags) is set as text.
import type { AudioSummary, DnaRecordSummary, OutputSummary } from '../../extension/protocol';

/** The host's UNTRAINED_NOTE (run-context.ts imports Node modules, so it is not imported here; a unit test keeps them equal). */
export const UNTRAINED_WARNING = 'model is untrained: numbers are not meaningful';


function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function num(v: number | null, digits: number, unit = ''): string {
  return v === null || !Number.isFinite(v) ? '–' : `${v.toFixed(digits)}${unit}`;
}

function table(head: string[], rows: string[][], className: string): HTMLTableElement {
  const t = el('table', undefined, className);
  const tr = el('tr');
  for (const h of head) tr.append(el('th', h));
  t.append(el('thead'));
  t.tHead?.append(tr);
  const body = el('tbody');
  for (const r of rows) {
    const row = el('tr');
    for (const cell of r) row.append(el('td', cell));
    body.append(row);
  }
  t.append(body);
  return t;
}

/** Lines that say what ran: model, engine, timings. */
export function provenanceLines(s: OutputSummary): string[] {
  const lines = [`file: ${s.file}`];
  if (s.model) {
    lines.push(`model: ${s.model.name} (${s.model.layers} layers, d_model ${s.model.dModel}, d_state ${s.model.dState}, vocab ${s.model.vocabSize})`);
  } else lines.push('model: none (sequence statistics only)');
  if (s.engine) {
    lines.push(`engine: ${s.engine.backend} on ${s.engine.device} (${s.engine.reason}), ${Math.round(s.engine.tokensPerSecond).toLocaleString('en-US')} tokens/s`);
  }
  const t = s.timings;
  lines.push(`time: read ${t.readMs.toFixed(0)} ms, load model ${t.loadModelMs.toFixed(0)} ms, compute ${t.computeMs.toFixed(0)} ms, total ${t.totalMs.toFixed(0)} ms`);
  return lines;
}

export function dnaRecordRows(records: readonly DnaRecordSummary[]): string[][] {
  return records.map((r) => [
    r.name, r.description, `${(r.start + 1).toLocaleString('en-US')}–${r.end.toLocaleString('en-US')}`,
    r.length.toLocaleString('en-US'), num(r.gcPercent, 2, ' %'), r.nCount.toLocaleString('en-US'),
    r.softMaskedCount.toLocaleString('en-US'), num(r.bitsPerBase, 4), num(r.bitsPerBaseReverse, 4),
  ]);
}

export function audioRows(a: AudioSummary): string[][] {
  const rows = [
    ['duration', `${a.durationS.toFixed(3)} s`], ['sample rate', `${a.sampleRate} Hz, ${a.channels} channel(s), ${a.bitsPerSampleFormat}-bit`],
    ['model rate', `${a.modelRate} Hz`], ['analyzed', `${a.startS.toFixed(3)}–${a.endS.toFixed(3)} s`],
    ['bits/sample', num(a.bitsPerSample, 4)],
  ];
  for (const [k, v] of Object.entries(a.tags)) rows.push([`tag ${k}`, v]);
  return rows;
}

/** Builds the summary block for any output kind. */
export function renderSummary(s: OutputSummary): HTMLElement {
  const root = el('section', undefined, 'seqlab-summary');
  const untrained = (s.model && !s.model.trained) || s.notes.includes(UNTRAINED_WARNING);
  if (untrained) root.append(el('p', UNTRAINED_WARNING, 'seqlab-warning'));
  const prov = el('div', undefined, 'seqlab-provenance');
  for (const line of provenanceLines(s)) prov.append(el('div', line));
  root.append(prov);
  if (s.kind === 'dna-analysis') {
    root.append(table(['record', 'description', 'range', 'length', 'GC', 'N', 'soft-masked', 'bits/base (+)', 'bits/base (−)'],
      dnaRecordRows(s.records), 'seqlab-records'));
  } else if (s.kind === 'audio-analysis') {
    root.append(table(['', ''], audioRows(s.audio), 'seqlab-audio-summary'));
  } else {
    root.append(el('div', `generated ${s.steps.toLocaleString('en-US')} ${s.kind === 'dna-generation' ? 'bases' : 'samples'} after position ${s.position.toLocaleString('en-US')} of record ${s.sourceRecord + 1}: temperature ${s.temperature}, top-k ${s.topK || 'all'}, seed ${s.seed}`));
  }
  const notes = s.notes.filter((n) => n !== UNTRAINED_WARNING); // already the banner above
  if (notes.length) {
    const list = el('ul', undefined, 'seqlab-notes');
    for (const n of notes) list.append(el('li', n));
    root.append(list);
  }
  return root;
}
