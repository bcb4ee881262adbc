// The text of an output's summary (what ran, on what, how fast; per-record and audio numbers).
// Pure, so unit tests check it; analysis-summary.ts puts it on the page as text.
import type {
  AudioSummary,
  DnaRecordSummary,
  GenerationSummary,
  MutagenesisSummary,
  OutputSummary,
  VariantScoresSummary,
} from '../../protocol/notebook-output';

/** The host's UNTRAINED_NOTE (run-context.ts imports Node modules, so it is not imported here; a unit test keeps them equal). */
export const UNTRAINED_WARNING = 'model is untrained: numbers are not meaningful';

function num(v: number | null, digits: number, unit = ''): string {
  return v === null || !Number.isFinite(v) ? '–' : `${v.toFixed(digits)}${unit}`;
}

/** Lines that say what ran: model, engine, timings. */
export function provenanceLines(s: OutputSummary): string[] {
  const lines = [`file: ${s.file}`];
  if (s.model) {
    lines.push(
      `model: ${s.model.name} (${s.model.layers} layers, d_model ${s.model.dModel}, d_state ${s.model.dState}, vocab ${s.model.vocabSize})`,
    );
  } else lines.push('model: none (sequence statistics only)');
  if (s.engine) {
    // Variant scoring counts alleles, not tokens (its own line says how fast).
    const speed =
      s.engine.tokensPerSecond > 0 ? `, ${Math.round(s.engine.tokensPerSecond).toLocaleString('en-US')} tokens/s` : '';
    lines.push(`engine: ${s.engine.backend} on ${s.engine.device} (${s.engine.reason})${speed}`);
  }
  const t = s.timings;
  lines.push(
    `time: read ${t.readMs.toFixed(0)} ms, load model ${t.loadModelMs.toFixed(0)} ms, compute ${t.computeMs.toFixed(0)} ms, total ${t.totalMs.toFixed(0)} ms`,
  );
  return lines;
}

export function dnaRecordRows(records: readonly DnaRecordSummary[]): string[][] {
  return records.map((r) => [
    r.name,
    r.description,
    `${(r.start + 1).toLocaleString('en-US')}–${r.end.toLocaleString('en-US')}`,
    r.length.toLocaleString('en-US'),
    num(r.gcPercent, 2, ' %'),
    r.nCount.toLocaleString('en-US'),
    r.softMaskedCount.toLocaleString('en-US'),
    num(r.bitsPerBase, 4),
    num(r.bitsPerBaseReverse, 4),
  ]);
}

export function audioRows(a: AudioSummary): string[][] {
  const rows = [
    ['duration', `${a.durationS.toFixed(3)} s`],
    ['sample rate', `${a.sampleRate} Hz, ${a.channels} channel(s), ${a.bitsPerSampleFormat}-bit`],
    ['model rate', `${a.modelRate} Hz`],
    ['analyzed', `${a.startS.toFixed(3)}–${a.endS.toFixed(3)} s`],
    ['bits/sample', num(a.bitsPerSample, 4)],
  ];
  for (const [k, v] of Object.entries(a.tags)) rows.push([`tag ${k}`, v]);
  return rows;
}

/** The generation line: the bases or samples that actually came out (the generated track's length), and the
 *  requested count where it differs (DNA special tokens decode to no base and are left out). */
export function generationLine(s: GenerationSummary): string {
  const unit = s.kind === 'dna-generation' ? 'bases' : 'samples';
  const produced = s.tracks[0]?.length ?? 0;
  const count =
    produced === s.steps
      ? `${produced.toLocaleString('en-US')} ${unit}`
      : `${produced.toLocaleString('en-US')} ${unit} (${s.steps.toLocaleString('en-US')} requested)`;
  return `generated ${count} after position ${s.position.toLocaleString('en-US')} of record ${s.sourceRecord + 1}: temperature ${s.temperature}, top-k ${s.topK || 'all'}, seed ${s.seed}`;
}

const count = (n: number, what: string): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/** What a variants output scored: records, alleles, how many scored and why the others were not, how fast. */
export function variantLines(s: VariantScoresSummary): string[] {
  const c = s.counts;
  const not = Object.entries(c.notScored)
    .map(([reason, n]) => `${n.toLocaleString('en-US')} ${reason.replace(/_/g, ' ')}`)
    .join(', ');
  const perSecond = c.scored / Math.max(1e-3, s.timings.computeMs / 1000);
  return [
    `reference: ${s.reference}; ${s.window} bases each side of an allele`,
    `${count(c.records, 'VCF record')}, ${count(c.alleles, 'ALT allele')}: ${c.scored.toLocaleString('en-US')} scored${not ? `; not scored: ${not}` : ''} (${perSecond.toFixed(1)} alleles/s)`,
  ];
}

/** What a mutagenesis output scored. */
export function mutagenesisLines(s: MutagenesisSummary): string[] {
  const r = s.region;
  const positions = r.end - r.start + 1;
  const named = r.referenceName ? ` (${r.referenceName} in the reference)` : '';
  return [
    `reference: ${s.reference}; ${s.window} bases each side of a substitution`,
    `region ${r.chrom}:${r.start.toLocaleString('en-US')}-${r.end.toLocaleString('en-US')}${named}: ${count(positions, 'position')}, ${count(3 * positions, 'substitution')}`,
  ];
}
