// The host's side of the variant-worker channel: one worker thread per cell job, its progress
// passed on, its output checked and decoded; the thread ends with the job, and a cancelled job's
// thread is terminated at once (no need to wait for the batch in progress).
import { Worker } from 'node:worker_threads';
import { Channel, nodePort } from '../../../protocol/channel';
import { decodeOutput } from '../../../protocol/track-codec';
import {
  controllerValidators,
  VARIANT_WORKER_CHANNEL,
  type ControllerSays,
  type JobProgress,
  type MutagenesisJob,
  type VariantsJob,
  type VariantWorkerSays,
} from './variant-worker-messages';

export type VariantJobRequest = { type: 'variants'; job: VariantsJob } | { type: 'mutagenesis'; job: MutagenesisJob };

export async function runVariantJob(
  workerScript: string,
  request: VariantJobRequest,
  signal: AbortSignal,
  onProgress: (p: JobProgress) => void,
): Promise<ReturnType<typeof decodeOutput>> {
  const worker = new Worker(workerScript);
  const channel = new Channel<ControllerSays, VariantWorkerSays>({
    name: VARIANT_WORKER_CHANNEL,
    port: nodePort(worker),
    validate: controllerValidators,
  });
  const died = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the variant scorer stopped (exit code ${code})`)));
  });
  died.catch(() => undefined); // the thread also exits when terminated below, after the reply

  try {
    const options = { signal, onProgress };
    const reply =
      request.type === 'variants'
        ? channel.request('variants', request.job, options)
        : channel.request('mutagenesis', request.job, options);
    return decodeOutput(await Promise.race([reply, died]));
  } finally {
    channel.dispose('the job ended');
    await worker.terminate();
  }
}
