// The notebook controller: runs `.seqlab` cells. Each cell's spec is parsed, the analysis or
// generation runs with a RunContext (files, model, engine, intermediate pictures), and the result
// becomes the cell's output: the binary item (summary + tracks, drawn by the renderer) and the
// summary as JSON. Cancelling the cell aborts the job in the engine. Variants and mutagenesis
// cells score in a worker thread (variant-worker-client.ts) and show their progress as text.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import {
  ANALYSIS_MIME,
  NOTEBOOK_TYPE,
  SUMMARY_MIME,
  type Modality,
  type OutputSummary,
} from '../../../protocol/notebook-output';
import type { EngineChoice } from '../../../protocol/engine-messages';
import type { EngineView } from '../panels/engine-view';
import { listModels } from '../views/model-catalog';
import { analyzeAudio } from '../../core/analysis/analyze-audio';
import { analyzeDna } from '../../core/analysis/analyze-dna';
import { parseCellSpec, type CellSpec } from '../../core/notebook/cell-spec';
import { runVariantJob, type VariantJobRequest } from '../../core/variants/variant-worker-client';
import type { JobProgress } from '../../core/variants/variant-worker-messages';
import { generateFromSpec } from '../../core/analysis/generate';
import { readModelSource } from '../../core/analysis/model-source';
import { locate, PathAccess, type CellPlace } from '../../core/notebook/path-access';
import { cancelledPicture, type ResolvedModel, type RunContext } from '../../core/analysis/run-context';
import { encodeOutput, type Block } from '../../../protocol/track-codec';

export const CONTROLLER_ID = 'seqlab-controller';
const SHOW_EVERY_MS = 300;

export function analysisOutput(summary: OutputSummary, blocks: ReadonlyMap<string, Block>): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([
    new vscode.NotebookCellOutputItem(encodeOutput(summary, blocks), ANALYSIS_MIME),
    vscode.NotebookCellOutputItem.json(summary, SUMMARY_MIME),
  ]);
}

/** Where the cell's relative paths are looked up (the notebook's folder, then the workspace folders) and how to ask about one outside. */
function cellPlace(cell: vscode.NotebookCell): CellPlace {
  const notebook = cell.notebook;
  const workspace = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return {
    lookup: [...(notebook.uri.scheme === 'file' ? [dirname(notebook.uri.fsPath)] : []), ...workspace],
    workspace,
    trusted: vscode.workspace.isTrusted,
    ask: async (path, what) => {
      const allow = 'Allow';
      const pick = await vscode.window.showWarningMessage(
        `Cell ${cell.index + 1} of ${basename(notebook.uri.path)} reads the ${what} ${path}, outside the workspace folders. Allow it?`,
        { modal: true, detail: 'Allowed paths are remembered until the window closes.' },
        allow,
      );
      return pick === allow;
    },
  };
}

export class SeqlabController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly access: PathAccess;
  private readonly variantWorker: string;
  private order = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engineView: EngineView,
  ) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'Mamba SeqLab');
    this.controller.supportedLanguages = ['yaml', 'plaintext'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Mamba models on DNA and audio';
    this.controller.executeHandler = async (cells) => {
      for (const cell of cells) await this.run(cell);
    };
    this.access = new PathAccess([join(extensionUri.fsPath, 'samples', 'models')]);
    this.variantWorker = join(extensionUri.fsPath, 'dist', 'variant-worker.js');
  }

  dispose(): void {
    this.controller.dispose();
  }

  private async run(cell: vscode.NotebookCell): Promise<void> {
    const execution = this.controller.createNotebookCellExecution(cell);
    execution.executionOrder = ++this.order;
    execution.start(Date.now());
    const abort = new AbortController();
    execution.token.onCancellationRequested(() => abort.abort());
    let lastShown = 0;
    let picture: { summary: OutputSummary; blocks: ReadonlyMap<string, Block> } | undefined;
    try {
      await execution.clearOutput();
      const spec = parseCellSpec(cell.document.getText());
      if (spec.action === 'variants' || spec.action === 'mutagenesis') {
        const result = await this.scoreVariants(spec, cell, abort.signal, (text) => {
          if (Date.now() - lastShown < SHOW_EVERY_MS) return;
          lastShown = Date.now();
          void execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(text)]));
        });
        await execution.replaceOutput(analysisOutput(result.summary, result.blocks));
        execution.end(true, Date.now());
        return;
      }
      const ctx = this.context(cell, abort.signal, (summary, blocks) => {
        picture = { summary, blocks };
        if (Date.now() - lastShown < SHOW_EVERY_MS) return;
        lastShown = Date.now();
        void execution.replaceOutput(analysisOutput(summary, blocks));
      });
      const result =
        spec.action === 'generate'
          ? await generateFromSpec(spec, ctx)
          : spec.modality === 'dna'
            ? await analyzeDna(spec, ctx)
            : await analyzeAudio(spec, ctx);
      await execution.replaceOutput(analysisOutput(result.summary, result.blocks));
      execution.end(true, Date.now());
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (abort.signal.aborted && picture) {
        // Keep what was computed before the stop, and say that it stopped.
        await execution.replaceOutput(analysisOutput(cancelledPicture(picture.summary), picture.blocks));
      } else if (abort.signal.aborted) {
        await execution.replaceOutput(
          new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr('cancelled')]),
        );
      } else {
        await execution.replaceOutput(
          new vscode.NotebookCellOutput([
            vscode.NotebookCellOutputItem.error({ name: err.name, message: err.message }),
          ]),
        );
      }
      execution.end(false, Date.now());
    }
  }

  /** The model folder a cell uses: the spec's (checked like its files), else the setting's, else the first bundled one. */
  private async modelDir(
    modality: Modality,
    specModel: string | undefined,
    place: CellPlace,
  ): Promise<string | undefined> {
    const setting = vscode.workspace
      .getConfiguration('seqlab')
      .get<string>(modality === 'dna' ? 'defaultDnaModel' : 'defaultAudioModel', '');
    // The settings are the user's own (untrusted workspaces cannot set them); only the cell's paths are checked.
    if (specModel) return this.access.resolve(specModel, 'model folder', place);
    if (setting)
      return locate(
        setting,
        place.lookup,
        `model folder (setting seqlab.default${modality === 'dna' ? 'Dna' : 'Audio'}Model)`,
      );
    return (await listModels(this.extensionUri)).find((m) => m.description?.modality === modality)?.dir;
  }

  /** A variants or mutagenesis cell: its files checked here, the scoring in a worker thread; `show` gets progress lines. */
  private async scoreVariants(
    spec: CellSpec,
    cell: vscode.NotebookCell,
    signal: AbortSignal,
    show: (text: string) => void,
  ): Promise<{ summary: OutputSummary; blocks: ReadonlyMap<string, Block> }> {
    const place = cellPlace(cell);
    const settings = vscode.workspace.getConfiguration('seqlab');
    const shown = (path: string) => ({ path, shown: vscode.workspace.asRelativePath(path, false) });
    const referenceSetting = settings.get<string>('referenceFasta', '');
    let reference: string;
    if (spec.reference) reference = await this.access.resolve(spec.reference, 'reference FASTA', place);
    else if (referenceSetting)
      reference = await locate(referenceSetting, place.lookup, 'reference FASTA (setting seqlab.referenceFasta)');
    else throw new Error('no reference FASTA: add "reference: FILE.fa" to the cell, or set seqlab.referenceFasta');
    const model = await this.modelDir('dna', spec.model, place);
    if (!model) throw new Error('no DNA model: add "model: FOLDER" to the cell, or set seqlab.defaultDnaModel');
    const backend = spec.backend ?? settings.get<EngineChoice>('backend', 'auto');
    const common = {
      runId: randomUUID(),
      model: shown(model),
      reference: shown(reference),
      // The worker runs the kernels, not onnxruntime: an onnx setting means the CPU here.
      backend: backend === 'onnx' ? ('cpu' as const) : backend,
      window: spec.window,
    };
    const request: VariantJobRequest =
      spec.action === 'variants'
        ? {
            type: 'variants',
            job: { ...common, vcf: shown(await this.access.resolve(spec.file, 'file', place)), records: spec.records },
          }
        : {
            type: 'mutagenesis',
            job: {
              ...common,
              region: { chrom: spec.region!.record, start: spec.region!.start + 1, end: spec.region!.end },
            },
          };
    return runVariantJob(this.variantWorker, request, signal, (p) => show(progressLine(spec, p)));
  }

  private context(cell: vscode.NotebookCell, signal: AbortSignal, show: RunContext['show']): RunContext {
    const place = cellPlace(cell);
    const settings = vscode.workspace.getConfiguration('seqlab');
    return {
      runId: randomUUID(),
      signal,
      show,
      resolveFile: (p) => this.access.resolve(p, 'file', place),
      shownPath: (abs) => vscode.workspace.asRelativePath(abs, false),
      engine: () => this.engineView.engine(),
      backend: (b) => b ?? settings.get<EngineChoice>('backend', 'auto'),
      model: async (modality: Modality, specModel: string | undefined): Promise<ResolvedModel | undefined> => {
        const dir = await this.modelDir(modality, specModel, place);
        if (!dir) return undefined;
        return { source: await readModelSource(dir), shownPath: vscode.workspace.asRelativePath(dir, false) };
      },
    };
  }
}

/** What a variants or mutagenesis cell shows while it scores. */
function progressLine(spec: CellSpec, p: JobProgress): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (p.total === null) return `scoring… ${n(p.done)} VCF records read, ${n(p.scored)} alleles scored`;
  return `scoring… ${Math.floor((100 * p.done) / Math.max(1, p.total))}% (${n(p.done)} of ${n(p.total)} positions of ${spec.file})`;
}

/** Runs the cell at `index` through the command VS Code uses, so the notebook's selected controller runs it. */
export async function executeCell(notebook: vscode.NotebookDocument, index: number): Promise<void> {
  await vscode.commands.executeCommand('notebook.cell.execute', {
    ranges: [{ start: index, end: index + 1 }],
    document: notebook.uri,
  });
}
