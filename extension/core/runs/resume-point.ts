// Which checkpoint a run continues from: the one checkpoints/latest.json names. When latest.json
// is missing or unreadable, or its checkpoint is not complete (loadCheckpoint says what complete
// means), the newest complete checkpoint on disk, and the run's log says so; with none, the resume
// is refused naming the file, before its metrics, manifest or checkpoints are touched (but for a
// checkpoint a crash left aside, which is put back first). Only a run with no checkpoint at all
// (no latest.json, no step-N folder) starts from step 0.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ParamSpec } from '../../../kernels/train/params';
import { recoverReplaced } from './atomic-file';
import { checkpointFolders, checkpointsDir, loadCheckpoint, readLatest, type LoadedCheckpoint } from './checkpoint';

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The checkpoint to resume from, or undefined when the run has none and starts fresh. */
export async function resumePoint(
  runDir: string,
  specs: readonly ParamSpec[],
  log: (line: string) => void,
): Promise<LoadedCheckpoint | undefined> {
  const root = checkpointsDir(runDir);
  if (!existsSync(root)) return undefined;
  // A crash while a checkpoint of the same step was rewritten may have left one aside.
  for (const line of await recoverReplaced(root)) log(`${root}: ${line}`);
  const folders = await checkpointFolders(runDir);
  let problem: string, named: string | undefined;
  try {
    const latest = await readLatest(runDir);
    if (!latest && folders.length === 0) return undefined;
    named = latest?.checkpoint;
    if (!named) problem = `${join(root, 'latest.json')}: no such file`;
    else {
      try {
        return await loadCheckpoint(join(root, named), specs);
      } catch (err) {
        problem = `${join(root, 'latest.json')} names ${named}, which is not a complete checkpoint (${messageOf(err)})`;
      }
    }
  } catch (err) {
    problem = messageOf(err);
  }
  const skipped: string[] = [];
  for (const f of folders.filter((f) => f.name !== named)) {
    try {
      const ck = await loadCheckpoint(f.dir, specs);
      const why = skipped.length > 0 ? ` (newer, not complete: ${skipped.join('; ')})` : '';
      log(`${problem}; resuming from the newest complete checkpoint, ${f.name}${why}`);
      return ck;
    } catch (err) {
      skipped.push(`${f.name}: ${messageOf(err)}`);
    }
  }
  const why = skipped.length > 0 ? ` (${skipped.join('; ')})` : '';
  throw new Error(`${problem}; no complete checkpoint in ${root} to resume from${why}`);
}
