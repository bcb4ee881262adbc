// What a `variants:` or `mutagenesis:` cell computes, run in the variant worker (never on the
// extension host's event loop): the model opened on a kernels backend, the reference indexed, the
// VCF scored batch by batch (or every substitution of the region), and the notebook output built
// from it: the table or the heatmap, the letters the track shows, and the files `seqlab vep` would
// write (scored VCF and TSV, gzip-compressed) for the output's export buttons.
import { gzipSync } from 'node:zlib';
import type {
  EngineInfo,
  MutagenesisSummary,
  TrackDescriptor,
  VariantScoresSummary,
} from '../../../protocol/notebook-output';
import { VARIANT_BLOCKS } from '../../../protocol/notebook-output';
import { encodeOutput, type Block } from '../../../protocol/track-codec';
import { describeModel, modelInfo } from '../analysis/model-source';
import { UNTRAINED_NOTE } from '../analysis/run-context';
import { openDnaModel, type DnaModel } from './dna-model';
import { BASES, saturationMutagenesis } from './mutagenesis';
import { ReferenceGenome } from './reference';
import { scoreEntries, tally } from './score-vcf';
import { VariantEffectScorer } from './variant-effect';
import { startRunSummary } from './variant-result';
import { VariantTableBuilder } from './variant-table';
import { TSV_COLUMNS, tsvRows } from './variant-tsv';
import type { JobProgress, MutagenesisJob, VariantsJob } from './variant-worker-messages';
import { VcfReader, type VcfEntry } from './vcf-reader';
import { vepHeader, vepLine } from './vcf-writer';

/** Record problems listed in the output's notes; the rest are counted (the exported files name them all). */
const SHOWN_PROBLEMS = 10;

export interface JobHooks {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/** What both cells share: the model and reference opened, with timings and what the output says about them. */
async function open(job: VariantsJob | MutagenesisJob) {
  const t0 = performance.now();
  const description = await describeModel(job.model.path);
  const dna = await openDnaModel(job.model.path, job.backend);
  const t1 = performance.now();
  try {
    const reference = await ReferenceGenome.open(job.reference.path);
    const engine: EngineInfo = {
      backend: dna.backend.name,
      reason: dna.reason,
      device: `${dna.backend.name === 'cpu' ? 'CPU' : 'WebGPU (Dawn)'} in a worker thread`,
      tokensPerSecond: 0,
    };
    return {
      t0,
      loadModelMs: t1 - t0,
      readMs: performance.now() - t1,
      dna,
      reference,
      engine,
      model: modelInfo(description, job.model.shown),
      notes: description.trained ? [] : [UNTRAINED_NOTE],
    };
  } catch (err) {
    dna.dispose();
    throw err;
  }
}

type Opened = Awaited<ReturnType<typeof open>>;

/** The output's timings: reading and loading from `open`, the scoring's `computeMs`, and all until now. */
function timingsOf(opened: Opened, computeMs: number) {
  const { readMs, loadModelMs, t0 } = opened;
  return { readMs, loadModelMs, computeMs, totalMs: performance.now() - t0 };
}

const gzipLines = (lines: readonly string[]): Uint8Array => new Uint8Array(gzipSync(lines.join('\n') + '\n'));

/** The first `limit` entries; `more` says whether the file had another after them. */
async function* firstEntries(entries: AsyncIterable<VcfEntry>, limit: number, more: { value: boolean }) {
  let n = 0;
  for await (const e of entries) {
    if (n++ === limit) {
      more.value = true;
      return;
    }
    yield e;
  }
}

export async function scoreVariantsCell(job: VariantsJob, hooks: JobHooks): Promise<Uint8Array> {
  const opened = await open(job);
  const { dna, reference } = opened;
  let reader: VcfReader | undefined;
  try {
    reader = await VcfReader.open(job.vcf.path);
    const run = startRunSummary(
      { vcf: job.vcf.shown, reference: job.reference.shown, model: job.model.shown, window: job.window },
      reader.notes,
    );
    const vcfLines = vepHeader(reader.header, {
      model: job.model.shown,
      reference: job.reference.shown,
      window: job.window,
    });
    const tsvLines = [TSV_COLUMNS.join('\t')];
    const table = new VariantTableBuilder(reference);
    const problems: string[] = [];
    const more = { value: false };
    const t0 = performance.now();
    const batches = scoreEntries(
      firstEntries(reader.entries(), job.records, more),
      reference,
      new VariantEffectScorer(dna.backend, dna.model, dna.tokenizer),
      { vcfName: job.vcf.shown, window: job.window, signal: hooks.signal },
    );
    for await (const batch of batches) {
      for (const { entry, result } of batch) {
        tally(run, result);
        table.add(result);
        vcfLines.push(vepLine(entry, result));
        tsvLines.push(...tsvRows(result));
        if (result.problem) problems.push(result.problem);
      }
      hooks.progress({ done: run.records, total: null, scored: run.scored });
    }
    const computeMs = performance.now() - t0;
    const notes = [...opened.notes, ...run.notes];
    if (reader.stoppedBy) notes.push(reader.stoppedBy);
    if (more.value)
      notes.push(
        `scored the first ${job.records.toLocaleString('en-US')} records of ${job.vcf.shown}; raise records: for more (seqlab vep scores a whole file)`,
      );
    for (const r of run.renamed) notes.push(`chromosome ${r}`);
    notes.push(...problems.slice(0, SHOWN_PROBLEMS));
    if (problems.length > SHOWN_PROBLEMS)
      notes.push(`… and ${problems.length - SHOWN_PROBLEMS} more records with problems (the exported files name them)`);
    const { variants, records, blocks } = await table.finish();
    blocks.set(VARIANT_BLOCKS.scoredVcf, gzipLines(vcfLines));
    blocks.set(VARIANT_BLOCKS.scoredTsv, gzipLines(tsvLines));
    const summary: VariantScoresSummary = {
      schema: 1,
      kind: 'variant-scores',
      id: job.runId,
      file: job.vcf.shown,
      reference: job.reference.shown,
      window: job.window,
      model: opened.model,
      engine: opened.engine,
      timings: timingsOf(opened, computeMs),
      tracks: [],
      intervals: [],
      notes,
      records,
      variants,
      counts: { records: run.records, alleles: run.alleles, scored: run.scored, notScored: run.notScored },
    };
    return encodeOutput(summary, blocks);
  } finally {
    await reader?.close();
    await closeAll(reference, dna);
  }
}

async function closeAll(reference: ReferenceGenome, dna: DnaModel): Promise<void> {
  await reference.close();
  dna.dispose();
}

export async function mutagenesisCell(job: MutagenesisJob, hooks: JobHooks): Promise<Uint8Array> {
  const opened = await open(job);
  const { dna, reference } = opened;
  try {
    const t0 = performance.now();
    const result = await saturationMutagenesis(
      reference,
      new VariantEffectScorer(dna.backend, dna.model, dna.tokenizer),
      job.region,
      {
        window: job.window,
        signal: hooks.signal,
        onProgress: (done, total) => hooks.progress({ done, total, scored: done * 3 }),
      },
    );
    const computeMs = performance.now() - t0;
    const L = result.bases.length;
    const start = job.region.start - 1;
    const track = (block: string, kind: TrackDescriptor['kind'], label: string): TrackDescriptor => ({
      block,
      record: 0,
      kind,
      label,
      unit: kind === 'sequence' ? 'base' : 'bits',
      start,
      binSize: 1,
      length: L,
      rows: kind === 'sequence' ? 1 : 4,
      rowLabels: kind === 'sequence' ? [] : [...BASES],
    });
    /** Rows A, C, G, T of one position after another's: value[row * L + i]. */
    const rows = (llr: (number | null)[][]): Float32Array => {
      const out = new Float32Array(4 * L);
      llr.forEach((values, i) => values.forEach((v, b) => (out[b * L + i] = v ?? NaN)));
      return out;
    };
    const blocks = new Map<string, Block>([
      ['sequence', new Uint8Array(Buffer.from(result.bases, 'latin1'))],
      ['llr', rows(result.llr)],
      ['llr-forward', rows(result.llrForward)],
      ['llr-reverse', rows(result.llrReverse)],
    ]);
    const summary: MutagenesisSummary = {
      schema: 1,
      kind: 'mutagenesis',
      id: job.runId,
      file: job.reference.shown,
      reference: job.reference.shown,
      window: job.window,
      region: { ...job.region, referenceName: result.referenceName ?? null },
      model: opened.model,
      engine: opened.engine,
      timings: timingsOf(opened, computeMs),
      tracks: [
        track('sequence', 'sequence', 'reference'),
        track('llr', 'llr', 'LLR (mean of both strands)'),
        track('llr-forward', 'llr-forward', 'LLR (+)'),
        track('llr-reverse', 'llr-reverse', 'LLR (−)'),
      ],
      intervals: [],
      notes: opened.notes,
    };
    return encodeOutput(summary, blocks);
  } finally {
    await closeAll(reference, dna);
  }
}
