// The notebook renderer (ESM entry, VS Code's renderer API: activate(ctx) -> renderOutputItem):
// decodes an analysis output with the host's codec and mounts it (mount-output.ts). It draws
// stored results only and never computes (ARCHITECTURE.md, "Where inference runs"). Saving and
// Generate are requests to the host over the renderer channel (protocol/renderer-messages.ts).
import { Channel, ChannelTimeoutError } from '../../protocol/channel';
import { ANALYSIS_MIME } from '../../protocol/notebook-output';
import {
  RENDERER_CHANNEL,
  rendererValidators,
  type RendererHostSays,
  type RendererReply,
  type RendererSays,
} from '../../protocol/renderer-messages';
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

type HostChannel = Channel<RendererSays, RendererHostSays>;

/** The channel to the host, when this notebook view has renderer messaging. */
function hostChannel(ctx: RendererContext): HostChannel | undefined {
  if (!ctx.postMessage || !ctx.onDidReceiveMessage) return undefined;
  return new Channel({
    name: RENDERER_CHANNEL,
    port: {
      post: (m) => ctx.postMessage?.(m),
      subscribe: (listener) => {
        const d = ctx.onDidReceiveMessage?.(listener);
        return () => d?.dispose();
      },
    },
    validate: rendererValidators,
    timeoutMs: REPLY_TIMEOUT_MS,
    onInvalid: (e) => console.error(`SeqLab renderer: ${e.message}`),
  });
}

export function activate(ctx: RendererContext) {
  const mounted = new Map<string, MountedOutput>();
  const host = hostChannel(ctx);

  /** The host's answer as a line for the status bar; a clear error when it cannot or does not answer. */
  async function ask(request: (host: HostChannel) => Promise<RendererReply>): Promise<string> {
    if (!host) throw new Error('this notebook view cannot reach the extension (no renderer messaging)');
    try {
      return (await request(host)).message;
    } catch (e) {
      if (e instanceof ChannelTimeoutError)
        throw new Error(`the extension did not answer within ${REPLY_TIMEOUT_MS / 60_000} minutes`);
      throw e;
    }
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
          save: (r) => ask((h) => h.request('export', r)),
          generateFrom: (record, position) =>
            ask((h) => h.request('generateFrom', { outputId: summary.id, record, position })),
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
