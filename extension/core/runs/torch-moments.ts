// AdamW's moments between SeqLab's flat layout (adam.m / adam.v over the parameter buffer) and
// torch's per-parameter state (exp_avg / exp_avg_sq of each named parameter), as an exported run
// carries them in optimizer.safetensors: `exp_avg.NAME` and `exp_avg_sq.NAME`, NAME the
// transformers parameter name, in the parameter's shape. The update rule is the same in both
// (decoupled weight decay, bias correction by the shared step count), so the numbers carry over.
import type { HostTensor } from '../../../kernels/io/safetensors';
import { flatFromTensors, tensorsFromFlat, type ParamSpec } from '../../../kernels/train/params';

const KEYS = { m: 'exp_avg', v: 'exp_avg_sq' } as const;

/** Tensors for optimizer.safetensors from the flat moments. */
export function torchMoments(specs: readonly ParamSpec[], m: Float32Array, v: Float32Array): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [key, flat] of [
    [KEYS.m, m],
    [KEYS.v, v],
  ] as const)
    for (const [name, t] of tensorsFromFlat(specs, flat)) out.set(`${key}.${name}`, t);
  return out;
}

/** The flat moments from optimizer.safetensors' tensors (`file` names it in errors). */
export function flatMoments(
  specs: readonly ParamSpec[],
  tensors: ReadonlyMap<string, HostTensor>,
  file: string,
): { m: Float32Array; v: Float32Array } {
  const take = (key: string) =>
    flatFromTensors(
      specs,
      new Map(
        specs.flatMap((s) => (tensors.has(`${key}.${s.name}`) ? [[s.name, tensors.get(`${key}.${s.name}`)!]] : [])),
      ),
      file,
    );
  try {
    return { m: take(KEYS.m), v: take(KEYS.v) };
  } catch (err) {
    // flatFromTensors names the parameter; the file holds it under the moment's prefix.
    throw new Error(`${(err as Error).message} (as ${KEYS.m}.NAME and ${KEYS.v}.NAME)`);
  }
}
