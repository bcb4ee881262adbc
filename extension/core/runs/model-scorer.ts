// Scores token segments with a trained model on the CPU backend, streaming chunks with the
// recurrent state carried (memory independent of the segment length). Bits of each token
// given everything before it in the segment; NaN for the first.
import { CpuBackend } from '../../../kernels/cpu-backend';
import { chunkRows, streamScores } from '../../../kernels/model/stream';
import { freeMambaModel, uploadMambaModel, type MambaModel } from '../../../kernels/model/weights';
import type { LoadedModel } from '../models/load-model';
import type { SegmentScorer } from './range-eval';

const CHUNK = 4096;

export class ModelScorer {
  private readonly backend = new CpuBackend();
  private readonly model: MambaModel;

  constructor(loaded: LoadedModel) {
    this.model = uploadMambaModel(this.backend, loaded.config, loaded.params);
  }

  readonly score: SegmentScorer = async (tokens) => {
    const out = new Float32Array(tokens.length);
    for await (const r of streamScores(this.backend, this.model, chunkRows([Int32Array.from(tokens)], CHUNK)))
      out.set(r.surprisal, r.start);
    return out;
  };

  dispose(): void {
    freeMambaModel(this.backend, this.model);
    this.backend.dispose();
  }
}
