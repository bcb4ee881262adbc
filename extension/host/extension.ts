// Activation: registers the .seqlab notebook (serializer, controller, renderer requests), the
// engine webview, the training host, the commands and the Datasets, Models and Runs views. Every
// piece lives in its own file.
import * as vscode from 'vscode';
import { addDatasetFolder } from './commands/add-dataset-folder';
import { analyzeFile } from './commands/analyze-file';
import { cancelRun } from './commands/cancel-run';
import { exportHfModel } from './commands/export-hf-model';
import { exportTrainingRun, importTrainingResult } from './commands/export-run';
import { importHfModel } from './commands/import-hf-model';
import { newNotebook } from './commands/new-notebook';
import { openRun } from './commands/open-run';
import { resumeRun } from './commands/resume-run';
import { showStats } from './commands/show-stats';
import { trainModel } from './commands/train-model';
import { trainOnDataset } from './commands/train-on-dataset';
import { SeqlabController } from './notebook/controller';
import { scoreVariants } from './commands/score-variants';
import { registerRendererRequests } from './notebook/renderer-requests';
import { SeqlabSerializer } from './notebook/serializer';
import { EngineView } from './panels/engine-view';
import { NOTEBOOK_TYPE } from '../../protocol/notebook-output';
import { offerToResumeInterrupted } from './training/resume-offer';
import { TrainingHost } from './training/training-host';
import { DatasetsTree } from './views/datasets-tree';
import { ModelsTree, setDefaultModel, type ModelItem } from './views/models-tree';
import type { RunItem } from './views/runs-view';

/** What tests reach through the extension's exports: the Analyze command and the two views' data. */
export interface SeqlabApi {
  analyzeFile: typeof analyzeFile;
  datasets: DatasetsTree;
  models: ModelsTree;
}

export function activate(context: vscode.ExtensionContext): SeqlabApi {
  const log = vscode.window.createOutputChannel('Mamba SeqLab');
  const engineView = new EngineView(context.extensionUri, log);
  const datasets = new DatasetsTree();
  const models = new ModelsTree(context.extensionUri);
  const training = new TrainingHost(context.extensionUri, log, engineView);
  const guarded = (name: string, f: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(name, async (...args: never[]) => {
      try {
        return await f(...args);
      } catch (e) {
        void vscode.window.showErrorMessage(`Mamba SeqLab: ${(e as Error).message}`);
        return undefined;
      }
    });
  context.subscriptions.push(
    log,
    engineView,
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new SeqlabSerializer(), { transientOutputs: false }),
    new SeqlabController(context.extensionUri, engineView),
    registerRendererRequests(log),
    vscode.window.registerTreeDataProvider('seqlab.datasets', datasets),
    vscode.window.registerTreeDataProvider('seqlab.models', models),
    training,
    vscode.window.registerTreeDataProvider('seqlab.runs', training.view),
    guarded('seqlab.analyzeFile', analyzeFile),
    guarded('seqlab.scoreVariants', scoreVariants),
    guarded('seqlab.newNotebook', newNotebook),
    guarded('seqlab.showStats', showStats),
    guarded('seqlab.trainOnDataset', trainOnDataset),
    guarded('seqlab.datasets.addFolder', async () => {
      if (await addDatasetFolder()) datasets.refresh();
    }),
    guarded('seqlab.datasets.refresh', () => datasets.refresh()),
    guarded('seqlab.models.refresh', () => models.refresh()),
    guarded('seqlab.models.setDefault', async (item: ModelItem) => {
      await setDefaultModel(item);
      models.refresh();
    }),
    guarded('seqlab.importHfModel', async () => {
      if (await importHfModel(context.extensionUri, log)) models.refresh();
    }),
    guarded('seqlab.exportHfModel', () => exportHfModel(context.extensionUri, log)),
    guarded('seqlab.showEngine', () => engineView.show()),
    guarded('seqlab.trainModel', () => trainModel(context.extensionUri, training)),
    guarded('seqlab.train', (uri: vscode.Uri) => trainModel(context.extensionUri, training, uri)),
    guarded('seqlab.runs.open', (item: RunItem) => openRun(training, item)),
    guarded('seqlab.runs.cancel', (item: RunItem) => cancelRun(training, item)),
    guarded('seqlab.runs.resume', (item: RunItem) => resumeRun(training, item)),
    guarded('seqlab.runs.refresh', () => training.view.refresh()),
    guarded('seqlab.exportRun', (item?: RunItem) => exportTrainingRun(context.extensionUri, log, item)),
    guarded('seqlab.importRun', async () => {
      if (await importTrainingResult(context.extensionUri, log)) training.view.refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('seqlab.datasetFolders')) datasets.refresh();
      if (e.affectsConfiguration('seqlab')) models.refresh();
    }),
    offerToResumeInterrupted(training),
  );
  return { analyzeFile, datasets, models };
}

export function deactivate(): void {
  // Everything registered is in context.subscriptions.
}
