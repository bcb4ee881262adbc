// A Hugging Face config.json of a Mamba-1 causal LM, as import reads it and export writes it.
// Import takes transformers' MambaConfig (model_type "mamba") or mamba_ssm's MambaLMHeadModel
// config (d_model, n_layer, ssm_cfg) and refuses, naming the field, whatever would change the
// forward SeqLab runs: Mamba-2 or attention layers, LayerNorm or MLP blocks, a bidirectional model,
// quantised weights, another head. Fields that only initialisation or PyTorch's implementation
// read (use_mambapy, rescale_prenorm_residual, the time_step_* init ranges, ...) are accepted and
// kept; residual_in_fp32 either way, since SeqLab's residual is always float32.
import { showJson } from '../../../kernels/io/show-json';
import { ConfigError, HF_MAMBA_INIT_DEFAULTS, type MambaConfig, parseMambaConfig } from '../../../kernels/model/config';

export interface HfConfig {
  readonly config: MambaConfig;
  /** The init-only fields (HF_MAMBA_INIT_DEFAULTS's names) the file gives, checked. */
  readonly init: Record<string, unknown>;
  readonly layout: 'transformers' | 'mamba_ssm';
}

type Json = Record<string, unknown>;

/** mamba_ssm's Mamba (v1) arguments that may appear in ssm_cfg; any other key is another layer's. */
const MAMBA1_SSM_CFG = new Set([
  'layer',
  'd_state',
  'd_conv',
  'expand',
  'dt_rank',
  'dt_min',
  'dt_max',
  'dt_init',
  'dt_scale',
  'dt_init_floor',
  'conv_bias',
  'bias',
  'use_fast_path',
]);

/** mamba_ssm's ssm_cfg init arguments under transformers' names. */
const SSM_CFG_INIT: Record<string, keyof typeof HF_MAMBA_INIT_DEFAULTS> = {
  dt_min: 'time_step_min',
  dt_max: 'time_step_max',
  dt_init: 'time_step_init_scheme',
  dt_scale: 'time_step_scale',
  dt_init_floor: 'time_step_floor',
};

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The init-only fields of `j` (transformers' names), each of its default's type. */
function initFields(j: Json, source: string, names: Record<string, string> = {}): Json {
  const init: Json = {};
  for (const [key, fallback] of Object.entries(HF_MAMBA_INIT_DEFAULTS)) {
    const from = Object.keys(names).find((k) => names[k] === key) ?? key;
    const v = j[from];
    if (v === undefined) continue;
    if (typeof v !== typeof fallback || (typeof v === 'number' && !Number.isFinite(v)))
      throw new ConfigError(`${source}: "${from}" must be a ${typeof fallback}, got ${showJson(v)}`);
    init[key] = v;
  }
  return init;
}

function transformersConfig(j: Json, source: string): HfConfig {
  if (j.model_type === 'mamba2')
    throw new ConfigError(`${source}: model_type "mamba2" (Mamba-2) is not supported; SeqLab runs Mamba-1 ("mamba")`);
  if (Array.isArray(j.architectures) && !j.architectures.includes('MambaForCausalLM'))
    throw new ConfigError(
      `${source}: architectures ${showJson(j.architectures)} has no MambaForCausalLM (a language-model head)`,
    );
  if (j.quantization_config !== undefined && j.quantization_config !== null)
    throw new ConfigError(`${source}: "quantization_config": quantised weights are not supported (F32, F16, BF16 are)`);
  return { config: parseMambaConfig(j, source), init: initFields(j, source), layout: 'transformers' };
}

const isPositiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isPositive = (v: unknown): boolean => typeof v === 'number' && v > 0 && v < Infinity;
const isBool = (v: unknown): boolean => typeof v === 'boolean';

/** A mamba_ssm field, checked under its own name (`where` its object's path) before it is renamed. */
function field(
  j: Json,
  key: string,
  fallback: unknown,
  ok: (v: unknown) => boolean,
  what: string,
  source: string,
  where = '',
): unknown {
  const v = j[key] ?? fallback;
  if (!ok(v)) throw new ConfigError(`${source}: "${where}${key}" must be ${what}, got ${showJson(v)}`);
  return v;
}

function mambaSsmConfig(j: Json, source: string): HfConfig {
  if (j.rms_norm === false)
    throw new ConfigError(
      `${source}: "rms_norm" false (LayerNorm blocks) is not supported; SeqLab's Mamba uses RMSNorm`,
    );
  if (typeof j.d_intermediate === 'number' && j.d_intermediate > 0)
    throw new ConfigError(`${source}: "d_intermediate" ${j.d_intermediate} (an MLP after each mixer) is not supported`);
  if (Array.isArray(j.attn_layer_idx) && j.attn_layer_idx.length > 0)
    throw new ConfigError(
      `${source}: "attn_layer_idx" ${showJson(j.attn_layer_idx)} (attention layers) is not supported`,
    );
  if (j.bidirectional === true)
    throw new ConfigError(`${source}: "bidirectional" true is not supported; SeqLab runs a causal model`);
  const ssm = j.ssm_cfg ?? {};
  if (!isObject(ssm)) throw new ConfigError(`${source}: "ssm_cfg" must be an object`);
  if (ssm.layer !== undefined && ssm.layer !== 'Mamba1')
    throw new ConfigError(`${source}: "ssm_cfg.layer" ${showJson(ssm.layer)} is not supported; only Mamba1 is`);
  const other = Object.keys(ssm).find((k) => !MAMBA1_SSM_CFG.has(k));
  if (other) throw new ConfigError(`${source}: "ssm_cfg.${other}" is not a Mamba1 setting (a Mamba-2 layer?)`);
  const int = (o: Json, key: string, fallback: number, where = ''): number =>
    field(o, key, fallback, isPositiveInt, 'a positive integer', source, where) as number;
  const bool = (o: Json, key: string, fallback: boolean, where = ''): unknown =>
    field(o, key, fallback, isBool, 'true or false', source, where);
  const vocab = int(j, 'vocab_size', 50277);
  // MambaLMHeadModel pads the vocabulary to a multiple (8 by default) before it builds the embedding.
  const multiple = int(j, 'pad_vocab_size_multiple', 8);
  const hf: Json = {
    vocab_size: Math.ceil(vocab / multiple) * multiple,
    hidden_size: int(j, 'd_model', 2560),
    num_hidden_layers: int(j, 'n_layer', 64),
    state_size: int(ssm, 'd_state', 16, 'ssm_cfg.'),
    conv_kernel: int(ssm, 'd_conv', 4, 'ssm_cfg.'),
    expand: field(ssm, 'expand', 2, isPositive, 'a positive number', source, 'ssm_cfg.'),
    time_step_rank: field(
      ssm,
      'dt_rank',
      'auto',
      (v) => v === 'auto' || isPositiveInt(v),
      '"auto" or a positive integer',
      source,
      'ssm_cfg.',
    ),
    use_conv_bias: bool(ssm, 'conv_bias', true, 'ssm_cfg.'),
    use_bias: bool(ssm, 'bias', false, 'ssm_cfg.'),
    residual_in_fp32: bool(j, 'residual_in_fp32', true),
    layer_norm_epsilon: field(j, 'norm_epsilon', 1e-5, isPositive, 'a positive number', source),
    tie_word_embeddings: bool(j, 'tie_embeddings', true),
  };
  return { config: parseMambaConfig(hf, source), init: initFields(ssm, source, SSM_CFG_INIT), layout: 'mamba_ssm' };
}

/** Reads a config.json object of either layout; `source` names the file in errors. */
export function readHfConfig(json: unknown, source: string): HfConfig {
  if (!isObject(json)) throw new ConfigError(`${source}: not a JSON object`);
  const mambaSsm = json.d_model !== undefined && json.hidden_size === undefined;
  return mambaSsm ? mambaSsmConfig(json, source) : transformersConfig(json, source);
}

/**
 * What a folder of trained weights must say: transformers 5 applies rescale_prenorm_residual (an
 * initialisation, out_proj / sqrt(layers)) to the weights it has just loaded, so true changes the
 * model that from_pretrained gives.
 */
export const TRAINED_WEIGHTS = { rescale_prenorm_residual: false } as const;

export interface SpecialIds {
  readonly pad: number | null;
  readonly bos: number | null;
  readonly eos: number | null;
}

/**
 * The config.json fields of an export beside the model's own (mambaConfigToJson): the special
 * token ids, every init-only field (the model's, else transformers' default) and the dtype.
 */
export function hfExportFields(config: MambaConfig, init: Json, ids: SpecialIds, source: string): Json {
  // transformers 5 checks MambaConfig's types strictly: expand is an int there.
  if (!Number.isInteger(config.expand))
    throw new ConfigError(`${source}: "expand" ${config.expand} is not an integer, which transformers requires`);
  return {
    pad_token_id: ids.pad,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    ...HF_MAMBA_INIT_DEFAULTS,
    ...init,
    ...TRAINED_WEIGHTS,
    dtype: 'float32',
    torch_dtype: 'float32',
  };
}
