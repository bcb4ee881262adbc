// "Generate from here" on an analysis output (the renderer's generateFrom request): the generate
// cell that continues the analyzed file from the picked position, and what the renderer is told.
// Only a SeqLab notebook gets one: the renderer draws our outputs in any notebook, and a cell added
// elsewhere would run under another kernel. Names from the output (file, record) are written as
// values, so a name can never add a key to the spec.
import { NOTEBOOK_TYPE, type OutputSummary } from '../../../protocol/notebook-output';
import type { GenerateFromRequest } from '../../../protocol/renderer-messages';
import { formatCellSpec } from './cell-spec';

export interface GenerateCell {
  source: string;
  /** What the renderer shows once the cell is added. */
  message: string;
}

/** The cell that continues `summary`'s file from `req`'s position, in a notebook of `notebookType`. */
export function generateCellFrom(notebookType: string, summary: OutputSummary, req: GenerateFromRequest): GenerateCell {
  if (notebookType !== NOTEBOOK_TYPE)
    throw new Error('Generate from adds cells to Mamba SeqLab notebooks (.seqlab) only');
  if (summary.kind === 'audio-analysis') {
    // Audio positions are samples at the rate the model heard; the spec says seconds into the file.
    const seconds =
      Math.min(Math.max(1, req.position), Math.round(summary.audio.durationS * summary.audio.modelRate)) /
      summary.audio.modelRate;
    return {
      source: formatCellSpec('generate', summary.file, {
        from: Number(seconds.toFixed(4)),
        length: 8000,
        temperature: 1,
        topK: 0,
        seed: 1,
      }),
      message: `generating audio after ${seconds.toFixed(3)} s`,
    };
  }
  if (summary.kind !== 'dna-analysis') throw new Error('generation starts from a DNA or audio analysis');
  const record = summary.records[req.record];
  if (!record) throw new Error(`the analysis has no record ${req.record}`);
  const position = Math.min(Math.max(1, req.position), record.length);
  return {
    source: formatCellSpec('generate', summary.file, {
      record: record.name,
      from: position,
      length: 500,
      temperature: 1,
      topK: 0,
      seed: 1,
    }),
    message: `generating from ${record.name}:${position}`,
  };
}
