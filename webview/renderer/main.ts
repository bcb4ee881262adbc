// The notebook renderer (ESM entry, VS Code's renderer API: activate(ctx) -> renderOutputItem):
// decodes an analysis output with the host's codec and mounts it (mount-output.ts). It draws
// stored results only and never computes (DESIGN.md "Where inference runs"). Saving and
// Generate go to the host through renderer messaging; each request gets one reply by id.
import { ANALYSIS_MIME, type FromRenderer, type RendererReply } from '../../protocol/messages';
import { decodeOutput } from '../../protocol/track-codec';
import { mountOutput, type MountedOutput, type OutputActions } from './mount-output';

/** The parts of VS Code's notebook renderer API this renderer uses (vscode-notebook-renderer). */
interface OutputItem {
  readonly id: string;
  readonly mime: string;
  data(): Uint8Array;
}
interface RendererContext {
  postMessage?(message: unknown): void;
  onDidReceiveMessage?(listener: (message: unknown) => void): { dispose(): void };
}

const REPLY_TIMEOUT_MS = 10 * 60_000; // a save dialog waits for the user

export function activate(ctx: RendererContext) {
  const mounted = new Map<string, MountedOutput>();
  const pending = new Map<number, { resolve(m: string): void; reject(e: Error): void }>();
  let nextRequest = 1;
  ctx.onDidReceiveMessage?.((raw) => {
    const m = raw as Partial<RendererReply>;
    if (m?.type !== 'reply' || typeof m.requestId !== 'number') return;
    const p = pending.get(m.requestId);
    pending.delete(m.requestId);
    if (m.ok) p?.resolve(String(m.message));
    else p?.reject(new Error(String(m.message)));
  });

  function request(body: (requestId: number) => FromRenderer): Promise<string> {
    const post = ctx.postMessage;
    if (!post)
      return Promise.reject(new Error('this notebook view cannot reach the extension (no renderer messaging)'));
    const requestId = nextRequest++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(requestId);
        reject(new Error('the extension did not answer'));
      }, REPLY_TIMEOUT_MS);
      pending.set(requestId, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      post.call(ctx, body(requestId));
    });
  }

  return {
    renderOutputItem(item: OutputItem, element: HTMLElement): void {
      mounted.get(item.id)?.dispose();
      mounted.delete(item.id);
      element.replaceChildren();
      try {
        if (item.mime !== ANALYSIS_MIME) throw new Error(`this renderer draws ${ANALYSIS_MIME}, not ${item.mime}`);
        const { summary, blocks } = decodeOutput(item.data());
        const actions: OutputActions = {
          save: (r) => request((requestId) => ({ type: 'export', requestId, ...r })),
          generateFrom: (record, position) =>
            request((requestId) => ({ type: 'generateFrom', requestId, outputId: summary.id, record, position })),
        };
        mounted.set(item.id, mountOutput(element, summary, blocks, actions));
      } catch (e) {
        const error = document.createElement('div');
        error.className = 'seqlab-error';
        error.textContent = `SeqLab cannot show this output: ${e instanceof Error ? e.message : String(e)}`;
        element.append(error);
      }
    },
    disposeOutputItem(id?: string): void {
      if (id === undefined) {
        for (const m of mounted.values()) m.dispose();
        mounted.clear();
        return;
      }
      mounted.get(id)?.dispose();
      mounted.delete(id);
    },
  };
}
