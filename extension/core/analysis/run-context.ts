// What an analysis or generation needs from its surroundings (the controller provides it): the
// cell's cancellation, files resolved as the spec names them, the model, the engine, and a way to
// show a first picture and progress before the result is complete; what a stopped run keeps.
import type { EngineClient } from '../engine/engine-client';
import type { EngineChoice, ModelLoaded } from '../../../protocol/engine-messages';
import type { Modality, OutputSummary } from '../../../protocol/notebook-output';
import type { ModelSource } from './model-source';
import type { Block } from '../../../protocol/track-codec';

export interface ResolvedModel {
  source: ModelSource;
  shownPath: string;
}

export interface RunContext {
  /** The id every output of this run carries (OutputSummary.id). */
  runId: string;
  signal: AbortSignal;
  /** Absolute path of a file named in the spec; throws a clear error when it does not exist. */
  resolveFile(specPath: string): Promise<string>;
  /** How a path is shown to the user (workspace-relative inside the workspace). */
  shownPath(absolute: string): string;
  /** The spec's model folder, or the default model of the modality; undefined when there is none. */
  model(modality: Modality, specModel: string | undefined): Promise<ResolvedModel | undefined>;
  engine(): Promise<EngineClient>;
  /** The cell's backend, or the seqlab.backend setting. */
  backend(specBackend: EngineChoice | undefined): EngineChoice;
  /** Replaces the cell's output with an intermediate picture. */
  show(summary: OutputSummary, blocks: ReadonlyMap<string, Block>): void;
}

/** Intermediate pictures carry a note that starts with this (then a percentage, when known). */
export const PROGRESS_NOTE = 'scoring…';

/** Notes every output of an untrained model carries. */
export const UNTRAINED_NOTE = 'model is untrained: numbers are not meaningful';

/** An intermediate picture of a run that was stopped: its progress note becomes a cancellation note. */
export function cancelledPicture(summary: OutputSummary): OutputSummary {
  const progress = summary.notes.find((n) => n.startsWith(PROGRESS_NOTE));
  const done = progress ? /(\d+)%/.exec(progress)?.[1] : undefined;
  const note = `cancelled${done === undefined ? '' : ` after scoring ${done}%`}: the numbers cover only what was scored before the stop`;
  return { ...summary, notes: [...summary.notes.filter((n) => !n.startsWith(PROGRESS_NOTE)), note] };
}

/** The engine with the run's model loaded on the cell's backend, and how long the load took. */
export async function loadModelOnEngine(
  ctx: RunContext,
  model: ResolvedModel,
  specBackend: EngineChoice | undefined,
): Promise<{ engine: EngineClient; loaded: ModelLoaded; loadModelMs: number }> {
  const engine = await ctx.engine();
  const t0 = performance.now();
  const { source } = model;
  const loaded = await engine.loadModel(
    source.key,
    ctx.backend(specBackend),
    source.configJson,
    source.weights,
    ctx.signal,
  );
  return { engine, loaded, loadModelMs: performance.now() - t0 };
}
