// Data-parallel gradients over worker threads: the batch is cut into shards, this thread
// computes the first and each worker one more, all reading the same parameters from shared
// memory. Each shard's gradient is a mean over its own counted targets, so the whole-batch mean
// is their count-weighted sum. Workers are train-worker.js started in the 'gradient' role; each
// shard is one request on the worker's gradient channel.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MambaConfig } from '../../../kernels/model/config';
import type { CrossEntropyResult } from '../../../kernels/train/cross-entropy';
import { MambaTrainModel } from '../../../kernels/train/mamba-train-model';
import { paramCount, paramSpecs, ParamViews } from '../../../kernels/train/params';
import { Channel, nodePort, type NodeMessagePort, type Validators } from '../../../protocol/channel';
import { Fields, ProtocolError } from '../../../protocol/validate';

export interface GradientShardInit {
  role: 'gradient';
  cfg: MambaConfig;
  batch: number;
  length: number;
  params: SharedArrayBuffer;
  grad: SharedArrayBuffer;
}
export interface GradientShardJob {
  ids: Int32Array;
  targets: Int32Array;
}

type TrainerSays = {
  requests: { shard: { payload: GradientShardJob; reply: CrossEntropyResult } };
  notifications: Record<never, never>;
};
type ShardSays = { requests: Record<never, never>; notifications: Record<never, never> };
const GRADIENT_CHANNEL = 'gradient';

const trainerValidators: Validators<TrainerSays, ShardSays> = {
  requests: {},
  replies: {
    shard: (raw) => {
      const f = new Fields(raw, 'shard result');
      return { nats: f.num('nats', 0, Number.MAX_VALUE), count: f.int('count', 0, Number.MAX_SAFE_INTEGER) };
    },
  },
  progress: {},
  notifications: {},
};

/** The shard worker takes only ids and targets of exactly its rows. */
function shardValidators(rows: number): Validators<ShardSays, TrainerSays> {
  return {
    requests: {
      shard: (raw) => {
        const f = new Fields(raw, 'shard');
        const ids = f.typed('ids', Int32Array, rows),
          targets = f.typed('targets', Int32Array, rows);
        if (ids.length !== rows || targets.length !== rows)
          throw new ProtocolError(`shard: ${ids.length} ids and ${targets.length} targets, expected ${rows}`);
        return { ids, targets };
      },
    },
    replies: {},
    progress: {},
    notifications: {},
  };
}

/** Threads to use by default: two where the machine has them (the trainer's own thread plus one). */
export function defaultThreads(): number {
  return Math.min(2, availableParallelism());
}

function shardSizes(batch: number, threads: number): number[] {
  const n = Math.max(1, Math.min(threads, batch));
  return Array.from({ length: n }, (_, i) => Math.floor((batch * (i + 1)) / n) - Math.floor((batch * i) / n));
}

export class ParallelGradient {
  readonly params: Float32Array;
  readonly grad: Float32Array;
  private readonly local: MambaTrainModel<Float32Array>;
  private readonly localGrad: ParamViews<Float32Array>;
  private readonly p: ParamViews<Float32Array>;
  private readonly workers: { worker: Worker; shard: Channel<TrainerSays, ShardSays>; grad: Float32Array }[] = [];
  private readonly sizes: number[];

  constructor(
    readonly cfg: MambaConfig,
    readonly batch: number,
    readonly length: number,
    threads: number,
  ) {
    const specs = paramSpecs(cfg),
      size = paramCount(specs);
    this.params = new Float32Array(new SharedArrayBuffer(size * 4));
    this.grad = new Float32Array(size);
    this.p = new ParamViews(this.params, specs);
    this.sizes = shardSizes(batch, threads);
    this.local = new MambaTrainModel(cfg, this.sizes[0], length, (n): Float32Array => new Float32Array(n));
    this.localGrad = new ParamViews(new Float32Array(size), specs);
    for (const b of this.sizes.slice(1)) {
      const gradBuf = new SharedArrayBuffer(size * 4);
      const init: GradientShardInit = {
        role: 'gradient',
        cfg,
        batch: b,
        length,
        params: this.params.buffer as SharedArrayBuffer,
        grad: gradBuf,
      };
      const worker = new Worker(join(__dirname, 'train-worker.js'), { workerData: init });
      worker.unref();
      const shard = new Channel<TrainerSays, ShardSays>({
        name: GRADIENT_CHANNEL,
        port: nodePort(worker),
        validate: trainerValidators,
      });
      worker.on('error', (err) => shard.dispose(err));
      this.workers.push({ worker, shard, grad: new Float32Array(gradBuf) });
    }
  }

  get threads(): number {
    return this.sizes.length;
  }

  /** Loss and mean gradient of the batch ids/targets [batch, length] into `grad`. */
  async lossAndGrad(ids: Int32Array, targets: Int32Array): Promise<CrossEntropyResult> {
    const L = this.length;
    const pending: Promise<CrossEntropyResult>[] = [];
    let row = this.sizes[0];
    for (let w = 0; w < this.workers.length; w++) {
      const b = this.sizes[w + 1],
        from = row * L,
        to = (row + b) * L;
      const shardIds = ids.slice(from, to),
        shardTargets = targets.slice(from, to);
      pending.push(
        this.workers[w].shard.request(
          'shard',
          { ids: shardIds, targets: shardTargets },
          { transfer: [shardIds.buffer, shardTargets.buffer] },
        ),
      );
      row += b;
    }
    const first = this.local.lossAndGrad(
      this.p,
      ids.subarray(0, this.sizes[0] * L),
      targets.subarray(0, this.sizes[0] * L),
      this.localGrad,
    );
    const results = [first, ...(await Promise.all(pending))];
    const total = results.reduce((a, r) => a + r.count, 0);
    const g = this.grad,
      shards = [this.localGrad.flat, ...this.workers.map((w) => w.grad)];
    g.fill(0);
    results.forEach((r, i) => {
      const wgt = r.count / Math.max(1, total),
        s = shards[i];
      for (let j = 0; j < g.length; j++) g[j] += wgt * s[j];
    });
    return { nats: results.reduce((a, r) => a + r.nats, 0), count: total };
  }

  async dispose(): Promise<void> {
    for (const w of this.workers) w.shard.dispose('the trainer was disposed');
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** The worker side: computes its shard's loss and gradient for each job it is asked. */
export function serveGradientShard(init: GradientShardInit, port: NodeMessagePort): void {
  const specs = paramSpecs(init.cfg);
  const p = new ParamViews(new Float32Array(init.params), specs),
    g = new ParamViews(new Float32Array(init.grad), specs);
  const model = new MambaTrainModel(init.cfg, init.batch, init.length, (n): Float32Array => new Float32Array(n));
  new Channel<ShardSays, TrainerSays>({
    name: GRADIENT_CHANNEL,
    port: nodePort(port),
    validate: shardValidators(init.batch * init.length),
  }).serve({ shard: (job) => model.lossAndGrad(p, job.ids, job.targets, g) });
}
