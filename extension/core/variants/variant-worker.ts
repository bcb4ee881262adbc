// Worker-thread entry of the variant scorer (dist/variant-worker.js): serves one `variants` or
// `mutagenesis` cell job on the variant-worker channel (variant-worker-messages.ts), so scoring
// runs off the extension host's event loop. The encoded output's buffer moves to the host.
import { parentPort } from 'node:worker_threads';
import { Channel, nodePort, Transferring } from '../../../protocol/channel';
import { mutagenesisCell, scoreVariantsCell } from './variant-cell';
import {
  VARIANT_WORKER_CHANNEL,
  variantWorkerValidators,
  type ControllerSays,
  type VariantWorkerSays,
} from './variant-worker-messages';

const moved = (bytes: Uint8Array) => new Transferring(bytes, [bytes.buffer as ArrayBuffer]);

if (parentPort) {
  const controller = new Channel<VariantWorkerSays, ControllerSays>({
    name: VARIANT_WORKER_CHANNEL,
    port: nodePort(parentPort),
    validate: variantWorkerValidators,
  });
  controller.serve({
    variants: async (job, ctx) => moved(await scoreVariantsCell(job, ctx)),
    mutagenesis: async (job, ctx) => moved(await mutagenesisCell(job, ctx)),
  });
}
