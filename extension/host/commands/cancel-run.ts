// "Cancel" (seqlab.runs.cancel) on a running run in the Runs view: stops its worker; the run keeps
// its last checkpoint and can be resumed.
import { runDirOf, type RunItem } from '../views/runs-view';
import type { TrainingHost } from '../training/training-host';

export async function cancelRun(training: TrainingHost, item: RunItem | { dir: string } | undefined): Promise<void> {
  await training.manager.cancel(runDirOf(item));
}
