// The fused CPU forward (kernels/model/cpu-forward.ts) against the op-by-op forward it replaces
// for inference (mambaForward with `ops`): random models of awkward shapes (channels not a
// multiple of 4 or 8, odd states, untied heads, biases), lengths 1 to 129, batch 1 and 3, from a
// random carried state; logits, surprisal, end states and mean Δ. Prints the max and mean error.
import { describe, it } from 'node:test';
import { CpuBackend } from '../../kernels/cpu-backend';
import type { Tensor } from '../../kernels/backend';
import type { MambaConfig } from '../../kernels/model/config';
import { mambaForward } from '../../kernels/model/forward';
import type { MambaState } from '../../kernels/model/state';
import { uploadMambaModel } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import { GENERALISATION_CONFIGS, randomMambaParams } from '../support/engine-suites';
import { TOLERANCE, assertClose, type Tolerance } from '../support/tolerance';

const ODD: MambaConfig = {
  vocabSize: 16,
  hiddenSize: 13,
  numLayers: 2,
  stateSize: 5,
  convKernel: 4,
  expand: 2,
  intermediateSize: 26,
  timeStepRank: 1,
  useBias: false,
  useConvBias: true,
  residualInFp32: true,
  layerNormEpsilon: 1e-5,
  tieWordEmbeddings: true,
};

const CONFIGS: [string, MambaConfig][] = [['d 13, 26 channels, state 5, rank 1', ODD], ...GENERALISATION_CONFIGS];

describe('fused CPU forward vs the op-by-op forward', () => {
  for (const [label, config] of CONFIGS) {
    it(label, () => {
      const seed = Math.floor(Math.random() * 2 ** 31),
        rng = new Rng(seed);
      const backend = new CpuBackend();
      const model = uploadMambaModel(backend, config, randomMambaParams(config, rng));
      const { intermediateSize: c, convKernel: k, stateSize: n, numLayers } = config;
      const random = (size: number, scale: number) => Float32Array.from({ length: size }, () => scale * rng.normal());
      const data = (t: Tensor) => backend.f32(t, 'test');
      for (const [b, l] of [
        [1, 1],
        [3, 2],
        [1, 3],
        [3, 127],
        [1, 129],
      ]) {
        const ids = Int32Array.from({ length: b * l }, () => rng.int(config.vocabSize));
        const state: MambaState = {
          conv: Array.from({ length: numLayers }, () => backend.upload(random(b * c * (k - 1), 1), [b, c, k - 1])),
          ssm: Array.from({ length: numLayers }, () => backend.upload(random(b * c * n, 0.5), [b, c, n])),
        };
        const run = (ops: boolean) =>
          mambaForward(backend, model, backend.uploadIds(ids, [b, l]), {
            state,
            returnState: true,
            targets: backend.uploadIds(
              ids.map((_, i) => ids[(i + 1) % ids.length]),
              [b, l],
            ),
            meanDelta: true,
            ops,
          });
        const fused = run(false),
          ref = run(true);
        const check = (got: Tensor, want: Tensor, tol: Tolerance, what: string) => {
          const r = assertClose(data(got), data(want), tol, `${what}, b ${b} l ${l} (seed ${seed})`);
          console.log(
            `${label}: ${what}, b ${b} l ${l}: max ${r.maxAbs.toExponential(2)}, mean ${r.meanAbs.toExponential(2)}`,
          );
        };
        check(fused.logits, ref.logits, TOLERANCE.logitsCpu, 'logits');
        check(fused.surprisal!, ref.surprisal!, TOLERANCE.logitsCpu, 'surprisal');
        for (let i = 0; i < numLayers; i++) {
          check(fused.state!.ssm[i], ref.state!.ssm[i], TOLERANCE.scan, `ssm state ${i}`);
          check(fused.state!.conv[i], ref.state!.conv[i], TOLERANCE.conv1d, `conv state ${i}`);
          check(fused.meanDelta![i], ref.meanDelta![i], TOLERANCE.logitsCpu, `mean delta ${i}`);
        }
      }
    });
  }
});
