// Model size presets and training defaults. tiny trains fast on a laptop CPU; small is for
// WebGPU or a longer CPU run. Sizes are Mamba-1 with Mamba's defaults (expand 2, conv 4,
// dt_rank ceil(d/16)), the vocabulary set by the data's tokenizer.
import type { MambaConfig } from '../../../kernels/model/config';

export type PresetName = 'tiny' | 'small';

export interface ModelSize {
  dModel: number;
  nLayer: number;
  dState: number;
}

export const PRESETS: Record<PresetName, ModelSize> = {
  tiny: { dModel: 32, nLayer: 2, dState: 16 },
  small: { dModel: 64, nLayer: 4, dState: 16 },
};

export function modelConfig(size: ModelSize, vocabSize: number): MambaConfig {
  for (const [k, v] of Object.entries(size))
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`model size ${k} must be a positive integer, got ${v}`);
  return {
    vocabSize,
    hiddenSize: size.dModel,
    numLayers: size.nLayer,
    stateSize: size.dState,
    convKernel: 4,
    expand: 2,
    intermediateSize: 2 * size.dModel,
    timeStepRank: Math.ceil(size.dModel / 16),
    useBias: false,
    useConvBias: true,
    residualInFp32: true,
    layerNormEpsilon: 1e-5,
    tieWordEmbeddings: true,
  };
}

export interface TrainHyper {
  batch: number; // windows per step
  length: number; // tokens per window
  lr: number; // peak learning rate
  minLrRatio: number;
  warmupSteps: number;
  weightDecay: number;
  clip: number;
  valFraction: number; // tail of each file's range held out
  valWindows: number; // validation windows scored at each evaluation
  evalEvery: number; // steps between validation runs
  checkpointEvery: number; // steps between checkpoints
  seed: number;
}

export const DEFAULT_HYPER: TrainHyper = {
  batch: 16,
  length: 256,
  lr: 3e-3,
  minLrRatio: 0.1,
  warmupSteps: 100,
  weightDecay: 0.1,
  clip: 1,
  valFraction: 0.02,
  valWindows: 64,
  evalEvery: 100,
  checkpointEvery: 200,
  seed: 1,
};

// Fine-tuning (`--init MODEL`) starts from weights that already model the data's kind: a third of
// the from-scratch peak keeps the first updates from wrecking what they learned, and the warmup only
// has to cover AdamW's fresh moments (their first estimates are noisy), not random weights finding
// their scale.
export const FINE_TUNE_HYPER: TrainHyper = { ...DEFAULT_HYPER, lr: DEFAULT_HYPER.lr / 3, warmupSteps: 20 };
