// The sizes of a Mamba-1 model as the trainer sees them, and their mapping to and from the
// fields of Hugging Face's MambaConfig (config.json), so a trained model loads in transformers.

export interface MambaDims {
  vocab: number; // v
  d: number; // d_model (hidden_size)
  nLayer: number;
  n: number; // d_state (state_size)
  k: number; // conv width (conv_kernel)
  c: number; // d_in (intermediate_size = expand * d)
  r: number; // dt_rank (time_step_rank)
  eps: number; // RMSNorm epsilon (layer_norm_epsilon)
  tieEmbeddings: boolean;
  convBias: boolean; // use_conv_bias
  projBias: boolean; // use_bias (in_proj and out_proj)
}

export interface DimsRequest { vocab: number; d: number; nLayer: number; n?: number; expand?: number; k?: number }

/** Fills in Mamba's defaults: d_state 16, expand 2, conv 4, dt_rank ceil(d/16), eps 1e-5, tied head. */
export function makeDims(req: DimsRequest): MambaDims {
  for (const [name, v] of Object.entries(req)) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new Error(`model size ${name} must be a positive integer, got ${String(v)}`);
  }
  return {
    vocab: req.vocab, d: req.d, nLayer: req.nLayer, n: req.n ?? 16, k: req.k ?? 4,
    c: (req.expand ?? 2) * req.d, r: Math.ceil(req.d / 16), eps: 1e-5,
    tieEmbeddings: true, convBias: true, projBias: false,
  };
}

type Json = Record<string, unknown>;

function field(cfg: Json, name: string, source: string): number {
  const v = cfg[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: field "${name}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads the sizes from a parsed HF config.json; `source` names the file in errors. */
export function dimsFromHfConfig(cfg: Json, source: string): MambaDims {
  const d = field(cfg, 'hidden_size', source);
  const rank = cfg.time_step_rank === 'auto' || cfg.time_step_rank === undefined ? Math.ceil(d / 16) : field(cfg, 'time_step_rank', source);
  const c = cfg.intermediate_size === undefined ? field(cfg, 'expand', source) * d : field(cfg, 'intermediate_size', source);
  return {
    vocab: field(cfg, 'vocab_size', source), d, nLayer: field(cfg, 'num_hidden_layers', source),
    n: field(cfg, 'state_size', source), k: field(cfg, 'conv_kernel', source), c, r: rank,
    eps: cfg.layer_norm_epsilon === undefined ? 1e-5 : field(cfg, 'layer_norm_epsilon', source),
    tieEmbeddings: cfg.tie_word_embeddings !== false, convBias: cfg.use_conv_bias !== false, projBias: cfg.use_bias === true,
  };
}

/** The HF config.json for these sizes (MambaForCausalLM), with the init ranges used. */
export function hfConfigFromDims(dims: MambaDims, init: { dtMin: number; dtMax: number; dtFloor: number }): Json {
  return {
    architectures: ['MambaForCausalLM'], model_type: 'mamba',
    vocab_size: dims.vocab, hidden_size: dims.d, num_hidden_layers: dims.nLayer, state_size: dims.n,
    conv_kernel: dims.k, expand: dims.c / dims.d, intermediate_size: dims.c, time_step_rank: dims.r,
    layer_norm_epsilon: dims.eps, tie_word_embeddings: dims.tieEmbeddings, use_conv_bias: dims.convBias,
    use_bias: dims.projBias, hidden_act: 'silu', residual_in_fp32: true, rescale_prenorm_residual: true,
    time_step_min: init.dtMin, time_step_max: init.dtMax, time_step_floor: init.dtFloor,
    time_step_init_scheme: 'random', time_step_scale: 1.0, initializer_range: 0.02,
    bos_token_id: 0, eos_token_id: 0, pad_token_id: 0, dtype: 'float32',
  };
}
