// All trainable parameters of a model in one flat array, with a named view per tensor (Hugging
// Face MambaForCausalLM names and shapes). One buffer makes AdamW, clipping and the gradient
// all-reduce single loops; views make the model code read like the math.
import type { FloatArray } from '../backend';
import type { MambaConfig } from '../model/config';

export interface ParamSpec {
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** AdamW applies weight decay only to matrices (not norms, biases, A_log, D). */
  decay: boolean;
}

export interface LayerNames {
  norm: string;
  inProj: string;
  inProjBias: string;
  convW: string;
  convB: string;
  xProj: string;
  dtW: string;
  dtB: string;
  aLog: string;
  D: string;
  outProj: string;
  outProjBias: string;
}

export function layerNames(i: number): LayerNames {
  const p = `backbone.layers.${i}`;
  return {
    norm: `${p}.norm.weight`,
    inProj: `${p}.mixer.in_proj.weight`,
    inProjBias: `${p}.mixer.in_proj.bias`,
    convW: `${p}.mixer.conv1d.weight`,
    convB: `${p}.mixer.conv1d.bias`,
    xProj: `${p}.mixer.x_proj.weight`,
    dtW: `${p}.mixer.dt_proj.weight`,
    dtB: `${p}.mixer.dt_proj.bias`,
    aLog: `${p}.mixer.A_log`,
    D: `${p}.mixer.D`,
    outProj: `${p}.mixer.out_proj.weight`,
    outProjBias: `${p}.mixer.out_proj.bias`,
  };
}

export const EMBEDDING = 'backbone.embeddings.weight';
export const NORM_F = 'backbone.norm_f.weight';
export const LM_HEAD = 'lm_head.weight';

/** The parameter list in storage order, for these sizes. */
export function paramSpecs(cfg: MambaConfig): ParamSpec[] {
  const { vocabSize: vocab, hiddenSize: d, intermediateSize: c, stateSize: n, timeStepRank: r, convKernel: k } = cfg;
  const list: Omit<ParamSpec, 'offset' | 'size'>[] = [{ name: EMBEDDING, shape: [vocab, d], decay: true }];
  for (let i = 0; i < cfg.numLayers; i++) {
    const L = layerNames(i);
    list.push({ name: L.norm, shape: [d], decay: false }, { name: L.inProj, shape: [2 * c, d], decay: true });
    if (cfg.useBias) list.push({ name: L.inProjBias, shape: [2 * c], decay: false });
    list.push({ name: L.convW, shape: [c, 1, k], decay: true });
    if (cfg.useConvBias) list.push({ name: L.convB, shape: [c], decay: false });
    list.push(
      { name: L.xProj, shape: [r + 2 * n, c], decay: true },
      { name: L.dtW, shape: [c, r], decay: true },
      { name: L.dtB, shape: [c], decay: false },
      { name: L.aLog, shape: [c, n], decay: false },
      { name: L.D, shape: [c], decay: false },
      { name: L.outProj, shape: [d, c], decay: true },
    );
    if (cfg.useBias) list.push({ name: L.outProjBias, shape: [d], decay: false });
  }
  list.push({ name: NORM_F, shape: [d], decay: false });
  if (!cfg.tieWordEmbeddings) list.push({ name: LM_HEAD, shape: [vocab, d], decay: true });
  let offset = 0;
  return list.map((p) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const spec = { ...p, offset, size };
    offset += size;
    return spec;
  });
}

export function paramCount(specs: readonly ParamSpec[]): number {
  const last = specs[specs.length - 1];
  return last.offset + last.size;
}

/** Named views into a flat buffer laid out by `specs` (no copies: writes go to the buffer). */
export class ParamViews<A extends FloatArray> {
  private readonly byName = new Map<string, A>();

  constructor(
    readonly flat: A,
    readonly specs: readonly ParamSpec[],
  ) {
    if (flat.length !== paramCount(specs))
      throw new Error(`parameter buffer holds ${flat.length} values, the layout needs ${paramCount(specs)}`);
    for (const s of specs) this.byName.set(s.name, flat.subarray(s.offset, s.offset + s.size) as A);
  }

  get(name: string): A {
    const v = this.byName.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  maybe(name: string): A | undefined {
    return this.byName.get(name);
  }
}

/** Copies HF-named tensors (checked by the model loader) into a flat buffer laid out by `specs`. */
export function flatFromTensors(
  specs: readonly ParamSpec[],
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>,
  source: string,
): Float32Array {
  const flat = new Float32Array(paramCount(specs));
  for (const s of specs) {
    const t = tensors.get(s.name);
    if (!t) throw new Error(`${source}: missing tensor "${s.name}"`);
    if (t.data.length !== s.size)
      throw new Error(
        `${source}: tensor "${s.name}" holds ${t.data.length} values, expected ${s.size} for shape [${s.shape.join(', ')}]`,
      );
    flat.set(t.data, s.offset);
  }
  return flat;
}

/** HF-named tensors (copies) of a flat buffer, ready for writeSafetensors. */
export function tensorsFromFlat(
  specs: readonly ParamSpec[],
  flat: Float32Array,
): Map<string, { shape: number[]; data: Float32Array }> {
  return new Map(specs.map((s) => [s.name, { shape: s.shape, data: flat.slice(s.offset, s.offset + s.size) }]));
}
