// "Open Training Pane" (seqlab.runs.open): a run in the Runs view, clicked, shows its live pane.
import { runDirOf, type RunItem } from '../views/runs-view';
import type { TrainingHost } from '../training/training-host';

export async function openRun(training: TrainingHost, item: RunItem | { dir: string } | undefined): Promise<void> {
  await training.panes.show(runDirOf(item));
}
