// `seqlab embed --model DIR --data FILE [--layer K] [--window N] --out FILE.safetensors
//  [--backend auto|cpu|webgpu]`: one embedding per FASTA record (or per window of N bases), the mean
// over its positions of block K's output, written as safetensors: `embeddings` [count, d_model]
// float32, with metadata naming what each row stands for (`entries`, JSON: name, start, end).
import { openFileSource } from '../datasets/source';
import { writeFileAtomic } from '../runs/atomic-file';
import { openDnaModel } from '../variants/dna-model';
import { embedFasta } from '../variants/embeddings';
import { writeSafetensors } from '../../../kernels/io/safetensors';
import { CliError, parseOptions, type Command } from './command';
import { interruptSignal, isAbort, kernelBackend, Progress, windowOption } from './variant-commands';

export const embedCommand: Command = {
  help:
    'seqlab embed --model DIR --data FILE [--layer K] [--window N] --out FILE.safetensors [--backend auto|cpu|webgpu]\n' +
    '  Mean-pooled hidden states: for each FASTA record (or each window of N bases of each record, the last\n' +
    '  one shorter), the mean over its positions of the output of block K (0-based; default the last, the\n' +
    '  input of the final norm). Written as safetensors: "embeddings" [count, d_model] float32; metadata\n' +
    '  "entries" (JSON list of {name, start, end}, 0-based, end exclusive), "model", "layer", "window", "data".',
  async run(args) {
    const o = parseOptions(args, {
      model: 'value',
      data: 'value',
      layer: 'value',
      window: 'value',
      out: 'value',
      backend: 'value',
    });
    for (const k of ['model', 'data', 'out'])
      if (!o.values[k]) throw new CliError(`--${k} is required (seqlab embed --help)`);
    const window = o.values.window === undefined ? undefined : windowOption(o.values.window, 0);
    const choice = kernelBackend(o.values, 'embed');
    const dna = await openDnaModel(o.values.model, choice).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const layers = dna.model.config.numLayers;
    const layer = o.values.layer === undefined ? layers - 1 : Number(o.values.layer);
    const interrupt = interruptSignal();
    const src = await openFileSource(o.values.data).catch((err: Error) => {
      dna.dispose();
      throw new CliError(err.message);
    });
    try {
      if (!(Number.isInteger(layer) && layer >= 0 && layer < layers))
        throw new CliError(`--layer must be a block from 0 to ${layers - 1}, got "${o.values.layer}"`);
      console.error(`embed: ${dna.reason}`);
      const t0 = performance.now();
      const progress = new Progress();
      const set = await embedFasta(src, dna.backend, dna.model, dna.tokenizer, {
        layer,
        window,
        signal: interrupt.signal,
        onProgress: (bases) => progress.update(() => `embed: ${bases} bases`),
      });
      progress.end();
      const bytes = writeSafetensors(
        new Map([['embeddings', { shape: [set.entries.length, set.width], data: set.vectors }]]),
        {
          format: 'seqlab-embeddings',
          model: o.values.model,
          data: o.values.data,
          layer: String(layer),
          pooling: 'mean',
          window: window === undefined ? 'record' : String(window),
          entries: JSON.stringify(set.entries),
        },
      );
      await writeFileAtomic(o.values.out, bytes);
      console.error(
        `embed: ${set.entries.length} embeddings of ${set.width} from block ${layer} in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${o.values.out}`,
      );
      return 0;
    } catch (err) {
      if (isAbort(err)) {
        console.error('embed: stopped; nothing was written');
        return 130;
      }
      throw err;
    } finally {
      interrupt.release();
      await src.close();
      dna.dispose();
    }
  },
};
