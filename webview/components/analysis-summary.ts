// The summary above a track (text from summary-text.ts): file, model (with a plain warning when it is untrained), which
// backend ran and why, how fast, timings, notes, and the per-record (DNA) or per-file (audio)
// numbers. Every string that came from a file (names, headers, WAV tags) is set as text.
import type { OutputSummary } from '../../protocol/notebook-output';
import {
  audioRows,
  dnaRecordRows,
  generationLine,
  mutagenesisLines,
  provenanceLines,
  UNTRAINED_WARNING,
  variantLines,
} from './summary-text';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
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

/** Builds the summary block for any output kind. */
export function renderSummary(s: OutputSummary): HTMLElement {
  const root = el('section', undefined, 'seqlab-summary');
  const untrained = (s.model && !s.model.trained) || s.notes.includes(UNTRAINED_WARNING);
  if (untrained) root.append(el('p', UNTRAINED_WARNING, 'seqlab-warning'));
  const prov = el('div', undefined, 'seqlab-provenance');
  for (const line of provenanceLines(s)) prov.append(el('div', line));
  root.append(prov);
  if (s.kind === 'dna-analysis') {
    root.append(
      table(
        ['record', 'description', 'range', 'length', 'GC', 'N', 'soft-masked', 'bits/base (+)', 'bits/base (−)'],
        dnaRecordRows(s.records),
        'seqlab-records',
      ),
    );
  } else if (s.kind === 'audio-analysis') {
    root.append(table(['', ''], audioRows(s.audio), 'seqlab-audio-summary'));
  } else if (s.kind === 'variant-scores' || s.kind === 'mutagenesis') {
    const counts = el('div', undefined, 'seqlab-counts');
    for (const line of s.kind === 'variant-scores' ? variantLines(s) : mutagenesisLines(s))
      counts.append(el('div', line));
    root.append(counts);
  } else {
    root.append(el('div', generationLine(s)));
  }
  const notes = s.notes.filter((n) => n !== UNTRAINED_WARNING); // already the banner above
  if (notes.length) {
    const list = el('ul', undefined, 'seqlab-notes');
    for (const n of notes) list.append(el('li', n));
    root.append(list);
  }
  return root;
}
