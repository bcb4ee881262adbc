// Whether a model can train here, checked before anything is allocated: a size typed by hand
// (d_state 1e9) must be refused with its sizes named, not die in a typed-array constructor. The
// need is estimated from the largest buffers: the parameters, their gradient and AdamW's two
// moments (four float32 arrays of the parameter count), and the activations the CPU training model
// keeps for the backward (its per-layer buffers and the scan's chunk states, the logits and their
// gradient) over the batch and over validation's windows. One array may hold at most
// buffer.constants.MAX_LENGTH bytes; the checkpoint's model.safetensors is one such array of 4
// bytes per parameter.
import { constants } from 'node:buffer';
import { totalmem } from 'node:os';
import type { MambaConfig } from '../../../kernels/model/config';
import { chunkCount, SCAN_CHUNK } from '../../../kernels/ops/selective-scan';
import { paramCount, paramSpecs } from '../../../kernels/train/params';
import { VAL_BATCH } from './validation-loss';

const FLOAT = 4;

export interface MemoryLimits {
  /** Bytes of memory the machine has. */
  total: number;
  /** Bytes one typed array may hold. */
  maxArray: number;
}

function bytesText(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${i === 0 ? bytes : bytes.toFixed(1)} ${units[i]}`;
}

/** The parameter count, without listing every layer (a layer count typed by hand may be huge). */
function parameters(cfg: MambaConfig): number {
  const none = paramCount(paramSpecs({ ...cfg, numLayers: 0 }));
  return none + cfg.numLayers * (paramCount(paramSpecs({ ...cfg, numLayers: 1 })) - none);
}

/** Values the training model allocates for b windows of length l: each layer's, then the head's. */
function activations(cfg: MambaConfig, b: number, l: number): { total: number; largest: number } {
  const { hiddenSize: d, intermediateSize: c, stateSize: n, timeStepRank: r, vocabSize: vocab } = cfg;
  const rows = b * l;
  const chunkStates = b * chunkCount(l, SCAN_CHUNK) * c * n;
  return {
    total: cfg.numLayers * (rows * (2 * d + 10 * c + 2 * r + 4 * n) + chunkStates) + 2 * rows * vocab,
    largest: Math.max(rows * vocab, rows * 2 * c, chunkStates),
  };
}

/** Throws, naming the sizes, when training `cfg` on batch × length would not fit in `limits`. */
export function checkTrainingMemory(
  cfg: MambaConfig,
  batch: number,
  length: number,
  limits: MemoryLimits = { total: totalmem(), maxArray: constants.MAX_LENGTH },
): void {
  const params = parameters(cfg);
  const train = activations(cfg, batch, length),
    val = activations(cfg, VAL_BATCH, length);
  const stateBytes = 4 * params * FLOAT,
    activationBytes = (train.total + val.total) * FLOAT;
  const model =
    `a model of ${params.toLocaleString('en-US')} parameters ` +
    `(d_model ${cfg.hiddenSize}, ${cfg.numLayers} layers, d_state ${cfg.stateSize})`;
  if (stateBytes + activationBytes > limits.total)
    throw new Error(
      `${model} needs about ${bytesText(stateBytes + activationBytes)} to train: ` +
        `${bytesText(stateBytes)} for the parameters, their gradient and AdamW's two moments, ` +
        `${bytesText(activationBytes)} for the activations of batch ${batch} × length ${length} ` +
        `and of ${VAL_BATCH} validation windows; this machine has ${bytesText(limits.total)} of memory`,
    );
  const largest = Math.max(params, train.largest, val.largest) * FLOAT;
  if (largest > limits.maxArray)
    throw new Error(
      `${model} with batch ${batch} × length ${length} needs an array of ${bytesText(largest)}; ` +
        `one array may hold at most ${bytesText(limits.maxArray)}`,
    );
}
