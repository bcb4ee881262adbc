// MambaForCausalLM parameters: Hugging Face names <-> a typed structure, shape checks against
// the config, the tied lm_head, and upload to a backend. The structure is generic over the
// tensor type so the same shape holds host arrays (IO, init, training) and device tensors.
import type { Backend, Tensor } from '../backend';
import type { HostTensor } from '../io/safetensors';
import type { MambaConfig } from './config';
import { firstNonFinite, indexText } from './finite';

export interface MambaLayerParams<T> {
  norm: T; // [d]
  inProj: T; // [2c, d]
  inProjBias?: T; // [2c] when use_bias
  convWeight: T; // [c, k]  (HF stores [c, 1, k])
  convBias?: T; // [c] when use_conv_bias
  xProj: T; // [r + 2n, c]
  dtProjWeight: T; // [c, r]
  dtProjBias: T; // [c]
  aLog: T; // [c, n]
  D: T; // [c]
  outProj: T; // [d, c]
  outProjBias?: T; // [d] when use_bias
}

export interface MambaParams<T> {
  embedding: T; // [v, d]
  layers: MambaLayerParams<T>[];
  normF: T; // [d]
  lmHead: T; // [v, d]; the embedding itself when tie_word_embeddings
}

/** A model ready to run: its config and its parameters on a backend. */
export interface MambaModel {
  readonly config: MambaConfig;
  readonly params: MambaParams<Tensor>;
}

export class WeightsError extends Error {
  override name = 'WeightsError';
}

/** Parameter shapes of one layer, by field, as stored by HF (conv weight [c, 1, k]). */
function layerShapes(
  cfg: MambaConfig,
): Record<keyof MambaLayerParams<unknown>, { hf: string; shape: number[]; present: boolean }> {
  const { hiddenSize: d, intermediateSize: c, stateSize: n, timeStepRank: r, convKernel: k } = cfg;
  return {
    norm: { hf: 'norm.weight', shape: [d], present: true },
    inProj: { hf: 'mixer.in_proj.weight', shape: [2 * c, d], present: true },
    inProjBias: { hf: 'mixer.in_proj.bias', shape: [2 * c], present: cfg.useBias },
    convWeight: { hf: 'mixer.conv1d.weight', shape: [c, 1, k], present: true },
    convBias: { hf: 'mixer.conv1d.bias', shape: [c], present: cfg.useConvBias },
    xProj: { hf: 'mixer.x_proj.weight', shape: [r + 2 * n, c], present: true },
    dtProjWeight: { hf: 'mixer.dt_proj.weight', shape: [c, r], present: true },
    dtProjBias: { hf: 'mixer.dt_proj.bias', shape: [c], present: true },
    aLog: { hf: 'mixer.A_log', shape: [c, n], present: true },
    D: { hf: 'mixer.D', shape: [c], present: true },
    outProj: { hf: 'mixer.out_proj.weight', shape: [d, c], present: true },
    outProjBias: { hf: 'mixer.out_proj.bias', shape: [d], present: cfg.useBias },
  };
}

const EMBEDDING_NAMES = ['backbone.embeddings.weight', 'backbone.embedding.weight'];

/**
 * Picks and checks every parameter from HF-named tensors (shapes, and every value finite). Accepts
 * mamba_ssm's backbone.embedding.weight; a stored lm_head.weight is ignored when the head is tied
 * (HF ties it). `source` names where the tensors are in errors: one name, or the file of each
 * tensor (a missing tensor is named with the name it is given).
 */
export function mambaParamsFromTensors(
  cfg: MambaConfig,
  tensors: ReadonlyMap<string, HostTensor>,
  source: string | ((tensor: string) => string),
): MambaParams<HostTensor> {
  const at = typeof source === 'string' ? () => source : source;
  const used = new Set<string>();
  const take = (name: string, shape: number[]): HostTensor => {
    const t = tensors.get(name);
    if (!t) throw new WeightsError(`${at(name)}: missing tensor "${name}" (shape [${shape.join(', ')}])`);
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new WeightsError(
        `${at(name)}: tensor "${name}" has shape [${t.shape.join(', ')}], config says [${shape.join(', ')}]`,
      );
    }
    const bad = firstNonFinite(t.data);
    if (bad >= 0)
      throw new WeightsError(
        `${at(name)}: tensor "${name}" holds ${t.data[bad]} at ${indexText(t.shape, bad)} (flat index ${bad}); a model with NaN or infinite weights gives NaN logits`,
      );
    used.add(name);
    return t;
  };
  const { vocabSize: v, hiddenSize: d } = cfg;
  const embeddingName = EMBEDDING_NAMES.find((n) => tensors.has(n)) ?? EMBEDDING_NAMES[0];
  const embedding = take(embeddingName, [v, d]);
  const layers: MambaLayerParams<HostTensor>[] = [];
  const shapes = layerShapes(cfg);
  for (let i = 0; i < cfg.numLayers; i++) {
    const layer: Partial<MambaLayerParams<HostTensor>> = {};
    for (const [field, spec] of Object.entries(shapes) as [
      keyof MambaLayerParams<unknown>,
      (typeof shapes)['norm'],
    ][]) {
      const name = `backbone.layers.${i}.${spec.hf}`;
      if (!spec.present) {
        if (tensors.has(name))
          throw new WeightsError(`${at(name)}: tensor "${name}" is present but the config turns it off`);
        continue;
      }
      const t = take(name, spec.shape);
      layer[field] = field === 'convWeight' ? { shape: [spec.shape[0], spec.shape[2]], data: t.data } : t;
    }
    layers.push(layer as MambaLayerParams<HostTensor>);
  }
  const normF = take('backbone.norm_f.weight', [d]);
  let lmHead = embedding;
  if (cfg.tieWordEmbeddings) used.add('lm_head.weight');
  else lmHead = take('lm_head.weight', [v, d]);
  const unknown = [...tensors.keys()].filter((n) => !used.has(n));
  if (unknown.length > 0)
    throw new WeightsError(
      `${at(unknown[0])}: unexpected tensor(s) for this config: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
    );
  return { embedding, layers, normF, lmHead };
}

/** HF-named tensors for saving (conv weight back to [c, 1, k]; no lm_head when tied). */
export function mambaParamsToTensors(cfg: MambaConfig, params: MambaParams<HostTensor>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>([['backbone.embeddings.weight', params.embedding]]);
  const shapes = layerShapes(cfg);
  params.layers.forEach((layer, i) => {
    for (const [field, spec] of Object.entries(shapes) as [
      keyof MambaLayerParams<unknown>,
      (typeof shapes)['norm'],
    ][]) {
      const t = layer[field];
      if (!spec.present || !t) continue;
      out.set(`backbone.layers.${i}.${spec.hf}`, field === 'convWeight' ? { shape: spec.shape, data: t.data } : t);
    }
  });
  out.set('backbone.norm_f.weight', params.normF);
  if (!cfg.tieWordEmbeddings) out.set('lm_head.weight', params.lmHead);
  return out;
}

/** Applies `f` to every parameter, keeping a tied head tied (one result for embedding and head). */
export function mapMambaParams<A, B>(params: MambaParams<A>, f: (t: A) => B): MambaParams<B> {
  const embedding = f(params.embedding);
  const opt = (t: A | undefined): B | undefined => (t === undefined ? undefined : f(t));
  return {
    embedding,
    layers: params.layers.map((l) => ({
      norm: f(l.norm),
      inProj: f(l.inProj),
      inProjBias: opt(l.inProjBias),
      convWeight: f(l.convWeight),
      convBias: opt(l.convBias),
      xProj: f(l.xProj),
      dtProjWeight: f(l.dtProjWeight),
      dtProjBias: f(l.dtProjBias),
      aLog: f(l.aLog),
      D: f(l.D),
      outProj: f(l.outProj),
      outProjBias: opt(l.outProjBias),
    })),
    normF: f(params.normF),
    lmHead: params.lmHead === params.embedding ? embedding : f(params.lmHead),
  };
}

/** Uploads host parameters to a backend. */
export function uploadMambaModel(backend: Backend, config: MambaConfig, params: MambaParams<HostTensor>): MambaModel {
  return { config, params: mapMambaParams(params, (t) => backend.upload(t.data, t.shape)) };
}

/** Frees every device tensor of a model (a tied head once). */
export function freeMambaModel(backend: Backend, model: MambaModel): void {
  const seen = new Set<Tensor>();
  mapMambaParams(model.params, (t) => {
    if (!seen.has(t)) backend.free(t);
    seen.add(t);
  });
}
