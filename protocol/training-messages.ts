// Messages between the extension host and the training pane (webview/training), and the
// metric record they carry. Node-free and vscode-free so the webview compiles against it.

/** One line of metrics.jsonl. */
export interface MetricRecord {
  step: number;
  tokens: number;
  elapsedSec: number;
  lr?: number;
  trainBits?: number; // mean over the steps since the last record, bits per token
  valBits?: number;
  tokensPerSec?: number;
}

export type RunPhase = 'running' | 'finished' | 'cancelled' | 'failed' | 'interrupted' | 'new';

export interface PaneRunInfo {
  name: string;
  phase: RunPhase;
  data: string[];
  range: string;
  model: string; // e.g. "d_model 32, 2 layers, d_state 16"
  budget: string; // e.g. "1000 steps" or "30 min"
  totalSteps?: number; // the budget in steps, when it is one
  budgetSec?: number; // the budget in seconds, when it is a time
  backend: string;
  step: number; // where the run stands (status.json): a stopped run's checkpoint may be past its last metric
  message?: string;
}

export type ToTrainingPane =
  | { type: 'init'; run: PaneRunInfo; records: MetricRecord[] }
  | { type: 'metric'; record: MetricRecord; totalSteps?: number; budgetSec?: number; backend: string }
  | { type: 'phase'; phase: RunPhase; step: number; message?: string };

export type FromTrainingPane = { type: 'ready' } | { type: 'cancel' } | { type: 'resume' };

/** The host never trusts a message: only these shapes pass. */
export function parseFromTrainingPane(m: unknown): FromTrainingPane | undefined {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'ready' || t === 'cancel' || t === 'resume' ? { type: t } : undefined;
}
