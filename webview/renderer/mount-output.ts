// Mounts one decoded analysis output into an element: the summary, a toolbar (record, zoom,
// Generate from the picked position, exports) and the DNA track view or the WAV view; for a
// variants output the track with the variants marked over their table, for a mutagenesis output
// the substitution heatmap. The
// notebook renderer and the component harness both call this, so the harness screenshots show
// exactly what a notebook shows. Actions that need the host go through `actions`.
import type {
  AudioAnalysisSummary,
  DnaAnalysisSummary,
  GenerationSummary,
  MutagenesisSummary,
  OutputSummary,
  VariantScoresSummary,
} from '../../protocol/notebook-output';
import type { ExportRequest } from '../../protocol/renderer-messages';
import type { Block } from '../../protocol/track-codec';
import { renderSummary } from '../components/analysis-summary';
import { DnaTrackView } from '../components/dna-track-view';
import { installStyles } from '../components/styles';
import { MutagenesisView, type MutagenesisStrand } from '../components/mutagenesis-view';
import { button, dropdown } from '../components/toolkit';
import { VariantTableView } from '../components/variant-table';
import { WavView } from '../components/wav-view';
import { audioExport, dnaExport, fastaExport, variantFileExport } from './exports';
import { audioInput, dnaInput, mutagenesisInput, variantRows, variantTrackInput } from './output-model';

export interface OutputActions {
  /** Asks the host to save a file built here (it asks the user where); resolves to a message for the status line. */
  save(request: ExportRequest): Promise<string>;
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
  readonly variants: VariantTableView | null;
  readonly mutagenesis: MutagenesisView | null;
  dispose(): void;
}

interface StatusLine {
  element: HTMLElement;
  show(text: string, error?: boolean): void;
}

function statusLine(): StatusLine {
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

function run(status: StatusLine, what: string, action: () => Promise<string>): void {
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

/** The Generate button and the position it continues from: picked on the view, in the shown record. */
interface GenerateControl {
  button: HTMLElement;
  onPick(position: number): void;
  setRecord(record: number): void;
}

function generateControl(root: HTMLElement, status: StatusLine, actions: OutputActions): GenerateControl {
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
  return {
    button: generateButton,
    onPick(position) {
      picked = position;
      generateButton.textContent = `Generate from ${(position + 1).toLocaleString('en-US')}`;
      root.dataset.picked = String(position);
    },
    setRecord(r) {
      record = r;
      picked = null;
      generateButton.textContent = 'Generate from…';
    },
  };
}

/** What the DNA and audio halves share: the output's root, its toolbar, Generate and the export buttons. */
interface MountContext {
  root: HTMLElement;
  toolbar: HTMLElement;
  generate: GenerateControl;
  blocks: ReadonlyMap<string, Block>;
  /** A button that builds its file when pressed, from what the view shows then, and asks the host to save it. */
  exportButton(label: string, build: () => ExportRequest | Promise<ExportRequest>): HTMLElement;
  status: StatusLine;
}

/** Bases shown each side of a variant picked in the table. */
const VARIANT_CONTEXT = 40;

function mountVariants(
  ctx: MountContext,
  summary: VariantScoresSummary,
): { view: DnaTrackView | null; table: VariantTableView } {
  const { root, toolbar, blocks, exportButton, status } = ctx;
  let record = 0;
  const view = summary.records.length > 0 ? new DnaTrackView(root, variantTrackInput(summary, blocks, 0)) : null;
  if (view && summary.records.length > 1)
    toolbar.append(
      dropdown(
        summary.records.map((r, i) => `${i + 1}. ${r.name}`),
        0,
        (i) => {
          record = i;
          view.setInput(variantTrackInput(summary, blocks, i));
        },
      ),
    );
  if (view)
    toolbar.append(
      button('−', () => view.zoom(2)),
      button('+', () => view.zoom(0.5)),
      button('All variants', () => view.show(-Infinity, Infinity)),
    );
  toolbar.append(
    ...(['vcf', 'tsv'] as const).map((f) =>
      exportButton(`Export scored ${f.toUpperCase()}`, () => variantFileExport(f, summary, blocks)),
    ),
  );
  const data = variantRows(summary, blocks);
  const table = new VariantTableView(root, data, {
    onSelect: (row) => {
      const r = data.table.record[row];
      if (!view || r < 0) {
        status.show('this variant is not on the reference, so the track cannot show it');
        return;
      }
      if (r !== record) {
        record = r;
        view.setInput(variantTrackInput(summary, blocks, r));
      }
      const start = data.table.pos[row] - 1;
      view.show(start - VARIANT_CONTEXT, start + Math.max(1, data.table.ref[row].length) + VARIANT_CONTEXT);
      view.pick(start);
      status.show('');
    },
  });
  root.append(
    hint(
      'click a row (or Enter on it) to show the variant on the track · click a column to sort · LLR < 0: the model finds the alternate less likely',
    ),
  );
  return { view, table };
}

function mountMutagenesis(ctx: MountContext, summary: MutagenesisSummary): MutagenesisView {
  const { root, toolbar, blocks } = ctx;
  const view = new MutagenesisView(root, mutagenesisInput(summary, blocks));
  const strands: { key: MutagenesisStrand; label: string }[] = [
    { key: 'llr', label: 'mean of both strands' },
    { key: 'llrForward', label: 'forward strand' },
    { key: 'llrReverse', label: 'reverse complement' },
  ];
  toolbar.append(
    dropdown(
      strands.map((s) => s.label),
      0,
      (i) => view.setStrand(strands[i].key),
    ),
    button('Whole region', () => view.show(-Infinity, Infinity)),
  );
  const legend = document.createElement('div');
  legend.className = 'seqlab-legend';
  const less = document.createElement('span');
  less.className = 'less';
  less.textContent = '■ the substitution makes the sequence less likely (LLR < 0)';
  const more = document.createElement('span');
  more.className = 'more';
  more.textContent = '■ more likely (LLR > 0)';
  legend.append(less, ' · ', more, ' · stronger colour: larger |LLR|; letter height: mean cost of substituting it');
  root.append(
    legend,
    hint('wheel: zoom · drag: pan · hover: the three substitutions · + − ← → Home on the focused view'),
  );
  return view;
}

function mountDna(ctx: MountContext, summary: DnaAnalysisSummary | GenerationSummary): DnaTrackView {
  const { root, toolbar, generate, blocks, exportButton } = ctx;
  let input = dnaInput(summary, blocks, 0);
  const view = new DnaTrackView(root, input, { onPick: generate.onPick });
  if (summary.kind === 'dna-analysis' && summary.records.length > 1) {
    toolbar.append(
      dropdown(
        summary.records.map((r) => `${r.index + 1}. ${r.name}`),
        0,
        (i) => {
          const record = summary.records[i].index;
          generate.setRecord(record);
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
      generate.button,
      ...(['bed', 'csv', 'json'] as const).map((f) =>
        exportButton(`Export ${f.toUpperCase()}`, () => dnaExport(f, input, view.visible)),
      ),
    );
  } else toolbar.append(exportButton('Save as FASTA', () => fastaExport(input)));
  root.append(hint('wheel: zoom · drag: pan · click: pick a position · + − ← → Home Enter on the focused track'));
  return view;
}

function mountAudio(
  ctx: MountContext,
  summary: AudioAnalysisSummary | GenerationSummary,
  nonce: string | undefined,
): WavView {
  const { root, toolbar, generate, blocks, exportButton } = ctx;
  const input = audioInput(summary, blocks);
  const analysis = summary.kind === 'audio-analysis';
  const view = new WavView(root, input, { nonce, onPick: analysis ? generate.onPick : undefined });
  const name = summary.kind === 'audio-generation' ? summary.name : (summary.file.split(/[\\/]/).pop() ?? 'audio');
  toolbar.append(
    button('Play / pause', () => {
      void view.playPause();
    }),
    button('−', () => view.zoomBy(0.5)),
    button('+', () => view.zoomBy(2)),
  );
  if (analysis) {
    toolbar.append(
      generate.button,
      ...(['csv', 'json'] as const).map((f) =>
        exportButton(`Export ${f.toUpperCase()}`, () => audioExport(f, input, name, view.visiblePositions())),
      ),
    );
    root.append(hint('wheel: zoom · click: seek and pick a position · click a marked region to play it'));
  } else toolbar.append(exportButton('Save as WAV', () => audioExport('wav', input, name, view.visiblePositions())));
  return view;
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
  const ctx: MountContext = {
    root,
    toolbar,
    blocks,
    generate: generateControl(root, status, actions),
    exportButton: (label, build) =>
      button(label, () => run(status, label.toLowerCase(), async () => actions.save(await build()))),
    status,
  };
  let dna: DnaTrackView | null = null,
    wav: WavView | null = null,
    variants: VariantTableView | null = null,
    mutagenesis: MutagenesisView | null = null;
  if (summary.kind === 'variant-scores') ({ view: dna, table: variants } = mountVariants(ctx, summary));
  else if (summary.kind === 'mutagenesis') mutagenesis = mountMutagenesis(ctx, summary);
  else if (summary.kind === 'dna-analysis' || summary.kind === 'dna-generation') dna = mountDna(ctx, summary);
  else wav = mountAudio(ctx, summary, nonce);
  root.append(status.element);
  return {
    element: root,
    dna,
    wav,
    variants,
    mutagenesis,
    dispose() {
      dna?.destroy();
      wav?.destroy();
      mutagenesis?.destroy();
      root.remove();
    },
  };
}
