// A slow float64 MambaForCausalLM forward built from the reference ops (sequential scan), for
// models the tests build themselves: the yardstick for every backend's full, step and stream.
import type { HostTensor } from '../../kernels/io/safetensors';
import type { MambaConfig } from '../../kernels/model/config';
import type { MambaParams } from '../../kernels/model/weights';
import {
  type F64,
  refAdd,
  refConv1d,
  refEmbedding,
  refGate,
  refLinear,
  refRmsNorm,
  refScan,
  refSliceLast,
} from './reference-ops';

export interface ReferenceOutputs {
  logits: F64; // [b, l, v]
  layerOutputs: F64[]; // per layer [b, l, d]
  convStates: F64[]; // per layer [b, c, k-1]
  ssmStates: F64[]; // per layer [b, c, n]
}

export function referenceForward(
  cfg: MambaConfig,
  p: MambaParams<HostTensor>,
  ids: Int32Array,
  b: number,
  l: number,
): ReferenceOutputs {
  const { hiddenSize: d, intermediateSize: c, stateSize: n, timeStepRank: r, convKernel: k, vocabSize: v } = cfg;
  const rows = b * l;
  let x = refEmbedding(p.embedding.data, d, ids);
  const out: ReferenceOutputs = { logits: new Float64Array(), layerOutputs: [], convStates: [], ssmStates: [] };
  for (const layer of p.layers) {
    const h = refRmsNorm(x, rows, d, layer.norm.data, cfg.layerNormEpsilon);
    const xz = refLinear(h, rows, d, layer.inProj.data, 2 * c, layer.inProjBias?.data, 'none');
    const conv = refConv1d(
      refSliceLast(xz, rows, 2 * c, 0, c),
      b,
      l,
      c,
      layer.convWeight.data,
      k,
      layer.convBias?.data,
      undefined,
      'silu',
    );
    const xDbl = refLinear(conv.y, rows, c, layer.xProj.data, r + 2 * n, undefined, 'none');
    const delta = refLinear(
      refSliceLast(xDbl, rows, r + 2 * n, 0, r),
      rows,
      r,
      layer.dtProjWeight.data,
      c,
      layer.dtProjBias.data,
      'softplus',
    );
    const scan = refScan(
      {
        u: conv.y,
        delta,
        aLog: layer.aLog.data,
        D: layer.D.data,
        B: refSliceLast(xDbl, rows, r + 2 * n, r, n),
        C: refSliceLast(xDbl, rows, r + 2 * n, r + n, n),
      },
      b,
      l,
      c,
      n,
    );
    const gated = refGate(scan.y, refSliceLast(xz, rows, 2 * c, c, c));
    x = refAdd(x, refLinear(gated, rows, c, layer.outProj.data, d, layer.outProjBias?.data, 'none'));
    out.layerOutputs.push(x);
    out.convStates.push(conv.state);
    out.ssmStates.push(scan.hLast);
  }
  out.logits = refLinear(
    refRmsNorm(x, rows, d, p.normF.data, cfg.layerNormEpsilon),
    rows,
    d,
    p.lmHead.data,
    v,
    undefined,
    'none',
  );
  return out;
}
