// "Train on This" on a Datasets item: hands the file to the training command (seqlab.train, the
// training issue's), and says so plainly when this build has no training command.
import * as vscode from 'vscode';
import type { DatasetItem } from '../views/datasets-tree';

export const TRAIN_COMMAND = 'seqlab.train';

export async function trainOnDataset(item: DatasetItem | vscode.Uri): Promise<void> {
  const uri = item instanceof vscode.Uri ? item : item.uri;
  const commands = await vscode.commands.getCommands(true);
  if (!commands.includes(TRAIN_COMMAND)) {
    void vscode.window.showInformationMessage(
      'Training from the Datasets view needs the training command (seqlab.train), which this build does not have.',
    );
    return;
  }
  await vscode.commands.executeCommand(TRAIN_COMMAND, uri);
}
