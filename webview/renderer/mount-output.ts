// Mounts one decoded analysis output into an element: the summary, a toolbar (record, zoom,
// Generate from the picked position, exports) and the DNA track view or the WAV view. The
// notebook renderer and the component harness both call this, so the harness screenshots show
// exactly what a notebook shows. Actions that need the host go through `actions`.
import type { OutputSummary } from '../../protocol/messages';
import type { Block } from '../../protocol/track-codec';
import { renderSummary } from '../components/analysis-summary';
import { DnaTrackView } from '../components/dna-track-view';
import { installStyles } from '../components/styles';
import { button, dropdown } from '../components/toolkit';
import { WavView } from '../components/wav-view';
import { audioExport, dnaExport, fastaExport, type SaveRequest } from './exports';
import { audioInput, dnaInput } from './output-model';

export interface OutputActions {
  /** Asks the host to save a file built here (it asks the user where); resolves to a message for the status line. */
  save(request: SaveRequest): Promise<string>;
  /**
   * Asks the host to continue the sequence after `position` of `record` (1-based: the picked base or
   * sample is the prompt's last); resolves to a message.
   */
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
  return {
    element,
    show(text, error = false) {
      element.textContent = text;
      element.classList.toggle('error', error);
    },
  };
}

function run(status: ReturnType<typeof statusLine>, what: string, action: () => Promise<string>): void {
  status.show(`${what}…`);
  action().then(
    (m) => status.show(m),
    (e: unknown) => status.show(`${what} failed: ${e instanceof Error ? e.message : String(e)}`, true),
  );
}

function hint(text: string): HTMLElement {
  const h = document.createElement('div');
  h.className = 'seqlab-hint';
  h.textContent = text;
  return h;
}

export function mountOutput(
  parent: HTMLElement,
  summary: OutputSummary,
  blocks: ReadonlyMap<string, Block>,
  actions: OutputActions,
  nonce?: string,
): MountedOutput {
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
  let dna: DnaTrackView | null = null,
    wav: WavView | null = null;
  let record = 0,
    picked: number | null = null;
  const generateButton = button('Generate from…', () => {
    if (picked === null) {
      status.show('click the track (or press Enter on it) to pick a position first');
      return;
    }
    const position = picked;
    run(status, `generating after position ${(position + 1).toLocaleString('en-US')}`, () =>
      actions.generateFrom(record, position + 1),
    );
  });
  const onPick = (position: number) => {
    picked = position;
    generateButton.textContent = `Generate from ${(position + 1).toLocaleString('en-US')}`;
    root.dataset.picked = String(position);
  };
  // The file is built when the button is pressed, from what the view shows then.
  const exportButton = (label: string, build: () => SaveRequest) =>
    button(label, () => run(status, label.toLowerCase(), async () => actions.save(build())));

  if (summary.kind === 'dna-analysis' || summary.kind === 'dna-generation') {
    let input = dnaInput(summary, blocks, record);
    dna = new DnaTrackView(root, input, { onPick });
    const view = dna;
    if (summary.kind === 'dna-analysis' && summary.records.length > 1) {
      toolbar.append(
        dropdown(
          summary.records.map((r) => `${r.index + 1}. ${r.name}`),
          0,
          (i) => {
            record = summary.records[i].index;
            picked = null;
            generateButton.textContent = 'Generate from…';
            input = dnaInput(summary, blocks, record);
            view.setInput(input);
          },
        ),
      );
    }
    toolbar.append(
      button('−', () => view.zoom(2)),
      button('+', () => view.zoom(0.5)),
      button('Whole record', () => view.show(-Infinity, Infinity)),
    );
    if (summary.kind === 'dna-analysis') {
      toolbar.append(
        generateButton,
        ...(['bed', 'csv', 'json'] as const).map((f) =>
          exportButton(`Export ${f.toUpperCase()}`, () => dnaExport(f, input, view.visible)),
        ),
      );
    } else toolbar.append(exportButton('Save as FASTA', () => fastaExport(input)));
    root.append(hint('wheel: zoom · drag: pan · click: pick a position · + − ← → Home Enter on the focused track'));
  } else {
    const input = audioInput(summary, blocks);
    wav = new WavView(root, input, { nonce, onPick: summary.kind === 'audio-analysis' ? onPick : undefined });
    const view = wav;
    const name = summary.kind === 'audio-generation' ? summary.name : (summary.file.split(/[\\/]/).pop() ?? 'audio');
    toolbar.append(
      button('Play / pause', () => {
        void view.playPause();
      }),
      button('−', () => view.zoomBy(0.5)),
      button('+', () => view.zoomBy(2)),
    );
    if (summary.kind === 'audio-analysis') {
      toolbar.append(
        generateButton,
        ...(['csv', 'json'] as const).map((f) =>
          exportButton(`Export ${f.toUpperCase()}`, () => audioExport(f, input, name, view.visiblePositions())),
        ),
      );
      root.append(hint('wheel: zoom · click: seek and pick a position · click a marked region to play it'));
    } else toolbar.append(exportButton('Save as WAV', () => audioExport('wav', input, name, view.visiblePositions())));
  }
  root.append(status.element);
  return {
    element: root,
    dna,
    wav,
    dispose() {
      dna?.destroy();
      wav?.destroy();
      root.remove();
    },
  };
}
