// A new run that fails before its first training step (data that yields no window, a model too
// large for the machine, a trainer that does not start) holds nothing worth keeping, and its folder
// would block the name; so it is removed, as `seqlab train` does. A run that trained a step keeps
// its folder, whose status says why it failed.
import { readStatus } from './run-dir';
import type { RunManager } from './run-manager';
import type { NewRun } from './train-session';

/**
 * Watches the run `created` made in `dir` (attach before it can end): when it ends failed before
 * its first step, discards it and tells the manager's listeners. Resolves to whether it discarded.
 */
export function discardIfStartFails(manager: RunManager, dir: string, created: NewRun): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let stepped = false;
    const onProgress = (d: string, p: { step: number }): void => {
      if (d === dir && p.step > 0) stepped = true;
    };
    const onEnded = (d: string, o: { state: string }): void => {
      if (d !== dir) return;
      manager.off('progress', onProgress);
      manager.off('ended', onEnded);
      if (stepped || o.state !== 'failed') return resolve(false);
      // Progress comes every few steps; the status a failing session writes has its exact step.
      readStatus(dir)
        .catch(() => undefined)
        .then(async (status) => {
          if ((status?.step ?? 0) > 0) return false;
          await created.discard();
          manager.emit('changed');
          return true;
        })
        .then(resolve, reject);
    };
    manager.on('progress', onProgress);
    manager.on('ended', onEnded);
  });
}
