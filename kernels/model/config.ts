// Hugging Face MambaConfig (config.json of MambaForCausalLM): field names and defaults as in
// transformers' MambaConfig, resolved ("auto" time_step_rank, intermediate_size) and validated.
import { showJson } from '../io/show-json';

export interface MambaConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number; // d
  readonly numLayers: number;
  readonly stateSize: number; // n
  readonly convKernel: number; // k
  readonly expand: number;
  readonly intermediateSize: number; // c = d_in = expand * d
  readonly timeStepRank: number; // r
  readonly useBias: boolean; // in_proj / out_proj bias
  readonly useConvBias: boolean;
  readonly residualInFp32: boolean; // no effect here: every residual is float32 already
  readonly layerNormEpsilon: number;
  readonly tieWordEmbeddings: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** MambaConfig's defaults (transformers), for fields config.json leaves out. */
export const HF_MAMBA_DEFAULTS = {
  vocab_size: 50280,
  hidden_size: 768,
  state_size: 16,
  num_hidden_layers: 32,
  layer_norm_epsilon: 1e-5,
  expand: 2,
  conv_kernel: 4,
  use_bias: false,
  use_conv_bias: true,
  hidden_act: 'silu',
  residual_in_fp32: true,
  time_step_rank: 'auto',
  tie_word_embeddings: true,
} as const;

/**
 * MambaConfig's fields that only initialisation and transformers' PyTorch implementation read (not
 * the forward SeqLab runs), with their defaults: carried through import and export unchanged.
 */
export const HF_MAMBA_INIT_DEFAULTS = {
  initializer_range: 0.1,
  time_step_scale: 1.0,
  time_step_min: 0.001,
  time_step_max: 0.1,
  time_step_init_scheme: 'random',
  time_step_floor: 1e-4,
  rescale_prenorm_residual: false,
  use_cache: true,
  use_mambapy: false,
  use_associative_scan: true,
} as const;

/** MambaConfig's float fields: transformers 5 checks their types strictly, so 1 must be written 1.0. */
const HF_FLOAT_FIELDS = new Set([
  'layer_norm_epsilon',
  'initializer_range',
  'time_step_scale',
  'time_step_min',
  'time_step_max',
  'time_step_floor',
]);

/** config.json text (2-space indent) with the float fields of a whole value written as floats. */
export function configJsonText(json: Record<string, unknown>): string {
  const lines = Object.entries(json)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) => {
      const text = HF_FLOAT_FIELDS.has(key) && Number.isSafeInteger(v) ? (v as number).toFixed(1) : JSON.stringify(v);
      return `  ${JSON.stringify(key)}: ${text}`;
    });
  return `{\n${lines.join(',\n')}\n}\n`;
}

function positiveInt(source: string, json: Record<string, unknown>, key: keyof typeof HF_MAMBA_DEFAULTS): number {
  const v = json[key] ?? HF_MAMBA_DEFAULTS[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
    throw new ConfigError(`${source}: "${key}" must be a positive integer, got ${showJson(v)}`);
  return v;
}

function bool(source: string, json: Record<string, unknown>, key: keyof typeof HF_MAMBA_DEFAULTS): boolean {
  const v = json[key] ?? HF_MAMBA_DEFAULTS[key];
  if (typeof v !== 'boolean') throw new ConfigError(`${source}: "${key}" must be true or false, got ${showJson(v)}`);
  return v;
}

/** Parses a config.json object; `source` names the file in errors. */
export function parseMambaConfig(json: unknown, source: string): MambaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError(`${source}: not a JSON object`);
  const j = json as Record<string, unknown>;
  if (j.model_type !== undefined && j.model_type !== 'mamba')
    throw new ConfigError(`${source}: model_type ${showJson(j.model_type)} is not "mamba"`);
  const act = j.hidden_act ?? HF_MAMBA_DEFAULTS.hidden_act;
  if (act !== 'silu') throw new ConfigError(`${source}: hidden_act ${showJson(act)} is not supported (only "silu")`);
  const hiddenSize = positiveInt(source, j, 'hidden_size');
  const expand = j.expand ?? HF_MAMBA_DEFAULTS.expand;
  if (typeof expand !== 'number' || !(expand > 0))
    throw new ConfigError(`${source}: "expand" must be a positive number, got ${showJson(expand)}`);
  const intermediateSize = Math.trunc(expand * hiddenSize);
  // A huge expand (1e999 reads as Infinity) would give channels no array can hold.
  if (!Number.isSafeInteger(intermediateSize) || intermediateSize <= 0)
    throw new ConfigError(`${source}: expand * hidden_size = ${expand * hiddenSize} is not a number of channels`);
  if (j.intermediate_size !== undefined && j.intermediate_size !== intermediateSize) {
    throw new ConfigError(
      `${source}: intermediate_size ${showJson(j.intermediate_size)} disagrees with int(expand * hidden_size) = ${intermediateSize}`,
    );
  }
  const rank = j.time_step_rank ?? HF_MAMBA_DEFAULTS.time_step_rank;
  let timeStepRank: number;
  if (rank === 'auto') timeStepRank = Math.ceil(hiddenSize / 16);
  else if (typeof rank === 'number' && Number.isSafeInteger(rank) && rank > 0) timeStepRank = rank;
  else throw new ConfigError(`${source}: "time_step_rank" must be "auto" or a positive integer, got ${showJson(rank)}`);
  const eps = j.layer_norm_epsilon ?? HF_MAMBA_DEFAULTS.layer_norm_epsilon;
  if (typeof eps !== 'number' || !(eps > 0 && eps < Infinity))
    throw new ConfigError(`${source}: "layer_norm_epsilon" must be a positive number, got ${showJson(eps)}`);
  return {
    vocabSize: positiveInt(source, j, 'vocab_size'),
    hiddenSize,
    numLayers: positiveInt(source, j, 'num_hidden_layers'),
    stateSize: positiveInt(source, j, 'state_size'),
    convKernel: positiveInt(source, j, 'conv_kernel'),
    expand,
    intermediateSize,
    timeStepRank,
    useBias: bool(source, j, 'use_bias'),
    useConvBias: bool(source, j, 'use_conv_bias'),
    residualInFp32: bool(source, j, 'residual_in_fp32'),
    layerNormEpsilon: eps,
    tieWordEmbeddings: bool(source, j, 'tie_word_embeddings'),
  };
}

/** The config.json object for a config (HF field names; what parseMambaConfig reads back). */
export function mambaConfigToJson(config: MambaConfig): Record<string, unknown> {
  return {
    architectures: ['MambaForCausalLM'],
    model_type: 'mamba',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numLayers,
    state_size: config.stateSize,
    conv_kernel: config.convKernel,
    expand: config.expand,
    intermediate_size: config.intermediateSize,
    time_step_rank: config.timeStepRank,
    use_bias: config.useBias,
    use_conv_bias: config.useConvBias,
    residual_in_fp32: config.residualInFp32,
    layer_norm_epsilon: config.layerNormEpsilon,
    tie_word_embeddings: config.tieWordEmbeddings,
    hidden_act: 'silu',
  };
}
