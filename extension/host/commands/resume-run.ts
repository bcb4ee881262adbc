// "Resume" (seqlab.runs.resume) on a stopped run in the Runs view (or given a run's { dir }): trains
// it on from its last checkpoint.
import { runDirOf, type RunItem } from '../views/runs-view';
import type { TrainingHost } from '../training/training-host';

export async function resumeRun(training: TrainingHost, item: RunItem | { dir: string } | undefined): Promise<void> {
  await training.start(runDirOf(item));
}
