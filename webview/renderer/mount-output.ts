// Mounts one decoded analysis output into an element: the summary, a toolbar (record, zoom,
// Generate from the picked position, exports) and the DNA track view or the WAV view. The
// notebook renderer and the component harness both call this, so the harness screenshots show
// exactly what a notebook shows. Actions that need the host go through `actions`.
import type { ExportFormat, OutputSummary } from '../../extension/protocol';
import type { Block } from '../../extension/notebook/track-codec';
import { renderSummary } from '../components/analysis-summary';
import { DnaTrackView } from '../components/dna-track-view';
import { installStyles } from '../components/styles';
import { button, dropdown } from '../components/toolkit';
import { WavView } from '../components/wav-view';
import { audioInput, dnaInput } from './output-model';

export interface OutputActions {
  /** Asks the host to save an export; resolves to a message for the status line. */
  export(format: ExportFormat, record: number): Promise<string>;
  /** Asks the host to continue the sequence from `position` of `record`; resolves to a message. */
  generateFrom(record: number, position: number): Promise<string>;
}

export interface MountedOutput {
  readonly element: HTMLElement;
  readonly dna: DnaTrackView | null;
  readonly wav: WavView | null;
  dispose(): void;
}

function statusLine(): { element: HTMLElement; show(text: string, error?: boolean): void } {
  const element = document.createElement('div');
  element.className = 'seqlab-status';
  element.setAttribute('role', 'status');
  return { element, show(text, error = false) { element.textContent = text; element.classList.toggle('error', error); } };
}

function run(status: ReturnType<typeof statusLine>, what: string, action: () => Promise<string>): void {
  status.show(`${what}…`);
  action().then((m) => status.show(m), (e: unknown) => status.show(`${what} failed: ${e instanceof Error ? e.message : String(e)}`, true));
}

function hint(text: string): HTMLElement {
  const h = document.createElement('div');
  h.className = 'seqlab-hint';
  h.textContent = text;
  return h;
}

export function mountOutput(parent: HTMLElement, summary: OutputSummary, blocks: ReadonlyMap<string, Block>, actions: OutputActions, nonce?: string): MountedOutput {
  installStyles(document, nonce);
  const root = document.createElement('div');
  root.className = 'seqlab-output';
  root.dataset.kind = summary.kind;
  root.append(renderSummary(summary));
  const toolbar = document.createElement('div');
  toolbar.className = 'seqlab-toolbar';
  const status = statusLine();
  root.append(toolbar);
  parent.append(root);
  let dna: DnaTrackView | null = null, wav: WavView | null = null;
  let record = 0, picked: number | null = null;
  const generateButton = button('Generate from…', () => {
    if (picked === null) { status.show('click the track (or press Enter on it) to pick a position first'); return; }
    const position = picked;
    run(status, `generating from position ${(position + 1).toLocaleString('en-US')}`, () => actions.generateFrom(record, position));
  });
  const onPick = (position: number) => {
    picked = position;
    generateButton.textContent = `Generate from ${(position + 1).toLocaleString('en-US')}`;
    root.dataset.picked = String(position);
  };
  const exportButton = (label: string, format: ExportFormat) => button(label, () => run(status, `saving ${format.toUpperCase()}`, () => actions.export(format, record)));

  if (summary.kind === 'dna-analysis' || summary.kind === 'dna-generation') {
    dna = new DnaTrackView(root, dnaInput(summary, blocks, record), { onPick });
    const view = dna;
    if (summary.kind === 'dna-analysis' && summary.records.length > 1) {
      toolbar.append(dropdown(summary.records.map((r) => `${r.index + 1}. ${r.name}`), 0, (i) => {
        record = summary.records[i].index;
        picked = null;
        generateButton.textContent = 'Generate from…';
        view.setInput(dnaInput(summary, blocks, record));
      }));
    }
    toolbar.append(button('−', () => view.zoom(2)), button('+', () => view.zoom(0.5)), button('Whole record', () => view.show(-Infinity, Infinity)));
    if (summary.kind === 'dna-analysis') {
      toolbar.append(generateButton, exportButton('Export BED', 'bed'), exportButton('Export CSV', 'csv'), exportButton('Export JSON', 'json'));
    } else toolbar.append(exportButton('Save as FASTA', 'fasta'));
    root.append(hint('wheel: zoom · drag: pan · click: pick a position · + − ← → Home Enter on the focused track'));
  } else {
    wav = new WavView(root, audioInput(summary, blocks), { nonce, onPick: summary.kind === 'audio-analysis' ? onPick : undefined });
    const view = wav;
    toolbar.append(button('Play / pause', () => { void view.playPause(); }), button('−', () => view.zoomBy(0.5)), button('+', () => view.zoomBy(2)));
    if (summary.kind === 'audio-analysis') {
      toolbar.append(generateButton, exportButton('Export CSV', 'csv'), exportButton('Export JSON', 'json'));
      root.append(hint('wheel: zoom · click: seek and pick a position · click a marked region to play it'));
    } else toolbar.append(exportButton('Save as WAV', 'wav'));
  }
  root.append(status.element);
  return {
    element: root, dna, wav,
    dispose() { dna?.destroy(); wav?.destroy(); root.remove(); },
  };
}
