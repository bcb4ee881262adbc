// Host side of training on the engine webview's GPU: a session's worker asks the training calls
// (protocol/training-calls.ts) on its channel to this thread, and each is passed on, unchanged, to
// the engine page's trainer (webview/engine/engine-trainer.ts), with its answer and streamed
// chunks passed back. The host only relays arrays: its event loop never trains. A page that went
// away (its channel disposed) makes every later call TrainerLostError: the run is interrupted, not
// failed, and resumes from its checkpoint.
import type {
  Channel,
  Handlers,
  HandlerContext,
  PayloadOf,
  ReplyOf,
  RequestType,
  Speaker,
  Transfer,
} from '../../../protocol/channel';
import {
  TrainerLostError,
  type StateChunk,
  type TrainingCaller,
  type TrainingRequests,
  type TrainingServer,
} from '../../../protocol/training-calls';
import { RemoteError } from '../../../protocol/channel';

/** The host's channel to the engine page's trainer. */
export type TrainingPage = Channel<TrainingCaller, TrainingServer>;

/** The buffers a call's payload may give up on the way to the page (the host's copy is not used again). */
function transferOf(type: keyof TrainingRequests, payload: unknown): Transfer | undefined {
  if (type === 'write') return [(payload as StateChunk).values.buffer as ArrayBuffer];
  if (type === 'step') {
    const p = payload as TrainingRequests['step']['payload'];
    return [p.ids.buffer as ArrayBuffer, p.targets.buffer as ArrayBuffer];
  }
  return undefined;
}

/** Asks the page `type` with the worker's payload; its error passes back under the page's own name. */
async function passOn<K extends RequestType<TrainingCaller>>(
  page: TrainingPage,
  type: K,
  payload: PayloadOf<TrainingCaller, K>,
  ctx: HandlerContext<unknown>,
): Promise<ReplyOf<TrainingCaller, K>> {
  try {
    return await page.request(type, payload, {
      signal: ctx.signal,
      transfer: transferOf(type, payload),
      onProgress: (c) => {
        const chunk = c as StateChunk;
        ctx.progress(chunk, [chunk.values.buffer as ArrayBuffer]);
      },
    });
  } catch (e) {
    if (page.disposed) throw new TrainerLostError(e instanceof Error ? e.message : String(e));
    if (e instanceof RemoteError) throw Object.assign(new Error(e.message), { name: e.remoteName });
    throw e;
  }
}

/**
 * Serves a session worker's training calls on `worker` by passing them on to the page `openPage`
 * gives (EngineView's, opened when needed). Without a page, 'auto' trains on the CPU and 'webgpu' fails.
 */
export function relayTraining(
  worker: Pick<Channel<Speaker, TrainingCaller>, 'serve'>,
  openPage: () => Promise<TrainingPage>,
): void {
  let trainingOn: TrainingPage | undefined;
  const page = (): TrainingPage => {
    if (!trainingOn) throw new TrainerLostError('no trainer is open on the engine view');
    return trainingOn;
  };
  const handlers: Handlers<TrainingCaller> = {
    open: async (p, ctx) => {
      let opened: TrainingPage;
      try {
        opened = await openPage();
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        // 'auto' without an engine view to ask is 'auto' without an adapter: the CPU trains.
        if (p.backend === 'auto') return { reason: `cpu: the engine view gave no WebGPU (${why})`, device: 'cpu' };
        throw new Error(`WebGPU is not available in the engine view: ${why}; pick cpu`);
      }
      const reply = await passOn(opened, 'open', p, ctx);
      if (reply.trainer !== undefined) trainingOn = opened;
      return reply;
    },
    write: (p, ctx) => passOn(page(), 'write', p, ctx),
    setState: (p, ctx) => passOn(page(), 'setState', p, ctx),
    read: (p, ctx) => passOn(page(), 'read', p, ctx),
    step: (p, ctx) => passOn(page(), 'step', p, ctx),
    readLosses: (p, ctx) => passOn(page(), 'readLosses', p, ctx),
    close: (p, ctx) => passOn(page(), 'close', p, ctx),
  };
  worker.serve(handlers);
}
