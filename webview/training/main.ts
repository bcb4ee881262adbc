// The training pane: run facts, phase, progress, the latest training and validation loss
// (bits/token) with the step each was measured at, the loss curve over steps (SVG in the
// theme's chart colours), and cancel / resume buttons. All state arrives from the host over the
// training pane channel (init, metric, phase; protocol/training-messages.ts); the pane computes
// nothing heavy.
import { Channel, eventPort } from '../../protocol/channel';
import {
  TRAINING_PANE_CHANNEL,
  trainingPaneValidators,
  type MetricRecord,
  type PanePhase,
  type PaneRunInfo,
  type RunPhase,
  type TrainingPaneHostSays,
  type TrainingPaneSays,
} from '../../protocol/training-messages';
import { button } from '../components/toolkit';
import { lossChartLayout } from './chart-layout';
import { renderLossChart } from './loss-chart';
import { installPaneStyles } from './pane-styles';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void };

let run: PaneRunInfo | undefined;
let records: MetricRecord[] = [];
let backendUsed: string | undefined;

installPaneStyles(document.querySelector('meta[property="csp-nonce"]')?.getAttribute('content') ?? undefined);
const root = document.getElementById('root') as HTMLElement;
root.innerHTML = `
  <header><h2 id="title">Training</h2><span id="phase" class="phase"></span></header>
  <table class="facts"><tbody>
    <tr><th>data</th><td id="fact-data"></td></tr>
    <tr><th>model</th><td id="fact-model"></td></tr>
    <tr><th>budget</th><td id="fact-budget"></td></tr>
    <tr><th>backend</th><td id="fact-backend"></td></tr>
  </tbody></table>
  <p id="progress" class="progress">waiting for the run…</p>
  <p id="error" class="error" hidden></p>
  <div id="actions" class="actions"></div>
  <div class="latest">
    <span><span class="swatch train"></span>training <b id="train-bits">–</b> bits/token <span id="train-step" class="muted"></span></span>
    <span><span class="swatch val"></span>validation <b id="val-bits">–</b> bits/token <span id="val-step" class="muted"></span></span>
  </div>
  <svg id="chart" role="img" aria-label="training and validation loss in bits per token over steps"></svg>`;
const el = (id: string) => document.getElementById(id) as HTMLElement;
const chart = el('chart') as unknown as SVGSVGElement;
const cancelButton = button('Cancel', () => ask('cancel'));
const resumeButton = button('Resume', () => ask('resume'), false);
cancelButton.id = 'cancel';
resumeButton.id = 'resume';
el('actions').append(cancelButton, resumeButton);

const count = (n: number) => n.toLocaleString('en-US');

function setPhase(phase: RunPhase, message?: string): void {
  if (run) run.phase = phase;
  const badge = el('phase');
  // A stopped run names the step it stopped at: its checkpoint, which may lie past the last metric.
  badge.textContent = run && phase !== 'running' && phase !== 'new' ? `${phase} at step ${count(run.step)}` : phase;
  badge.className = `phase phase-${phase}`;
  showError(message);
  cancelButton.toggleAttribute('disabled', phase !== 'running');
  resumeButton.toggleAttribute('disabled', phase === 'running' || phase === 'finished');
}

function showError(message: string | undefined): void {
  el('error').hidden = !message;
  el('error').textContent = message ?? '';
}

/** Where the run stands, from the host (a reply or a phase notification). */
function applyPhase(p: PanePhase): void {
  if (run) run.step = p.step;
  setPhase(p.phase, p.message);
}

/** Asks the host to cancel or resume the run; its answer says where the run then stands. */
function ask(action: 'cancel' | 'resume'): void {
  cancelButton.toggleAttribute('disabled', true);
  resumeButton.toggleAttribute('disabled', true);
  host.request(action, null).then(
    (p) => {
      applyPhase(p);
      redraw();
    },
    (e: unknown) => {
      if (run) setPhase(run.phase);
      showError(`${action} failed: ${e instanceof Error ? e.message : String(e)}`);
    },
  );
}

function showFacts(r: PaneRunInfo): void {
  el('title').textContent = `Training ${r.name}`;
  el('fact-data').textContent = `${r.data.join(', ')} (range ${r.range})`;
  el('fact-model').textContent = r.model;
  el('fact-budget').textContent = r.budget;
  // What was asked for, and once the run reports it, what runs (for 'auto', which one it chose).
  el('fact-backend').textContent = !backendUsed
    ? r.backend
    : r.backend === 'auto'
      ? `auto: ${backendUsed}`
      : backendUsed;
}

function duration(sec: number): string {
  const s = Math.round(sec);
  return s < 3600
    ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
    : `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function showProgress(): void {
  const r = records[records.length - 1];
  if (!r || !run) return;
  const share = run.totalSteps ? r.step / run.totalSteps : run.budgetSec ? r.elapsedSec / run.budgetSec : undefined;
  el('progress').textContent = [
    `step ${count(r.step)}${run.totalSteps ? ` / ${count(run.totalSteps)}` : ''}`,
    ...(share === undefined ? [] : [`${Math.min(100, Math.round(100 * share))}%`]),
    `${count(r.tokens)} tokens`,
    `${duration(r.elapsedSec)} training`,
    ...(r.tokensPerSec ? [`${count(r.tokensPerSec)} tokens/s`] : []),
  ].join(' · ');
  const latest = (key: 'trainBits' | 'valBits', bits: string, step: string) => {
    const last = [...records].reverse().find((m) => m[key] !== undefined);
    el(bits).textContent = last ? (last[key] as number).toFixed(4) : '–';
    el(step).textContent = last ? `at step ${count(last.step)}` : '';
  };
  latest('trainBits', 'train-bits', 'train-step');
  latest('valBits', 'val-bits', 'val-step');
}

function draw(): void {
  const width = Math.max(320, Math.min(root.clientWidth, 960));
  const size = { width, height: Math.round(Math.min(400, Math.max(220, width * 0.45))) };
  const note = run?.phase === 'running' || !run ? 'waiting for the first metrics…' : 'no metrics recorded for this run';
  renderLossChart(chart, lossChartLayout(records, size, run?.totalSteps), size, note);
}

function redraw(): void {
  if (run) showFacts(run);
  showProgress();
  draw();
}

const host = new Channel<TrainingPaneSays, TrainingPaneHostSays>({
  name: TRAINING_PANE_CHANNEL,
  port: eventPort(window, acquireVsCodeApi()),
  validate: trainingPaneValidators,
  onInvalid: (e) => showError(`the extension sent a bad message: ${e.message}`),
});
host.on('init', (m) => {
  run = m.run;
  records = m.records;
  setPhase(m.run.phase, m.run.message);
  redraw();
});
host.on('metric', (m) => {
  const i = records.findIndex((r) => r.step >= m.record.step);
  if (i >= 0) records.splice(i); // a resumed run continues from its checkpoint
  records.push(m.record);
  backendUsed = m.backend;
  if (run) Object.assign(run, { totalSteps: m.totalSteps, budgetSec: m.budgetSec }); // the session's own budget
  setPhase('running');
  redraw();
});
host.on('phase', (m) => {
  applyPhase(m);
  redraw();
});
let drawnWidth = 0;
new ResizeObserver(() => {
  if (root.clientWidth !== drawnWidth) {
    drawnWidth = root.clientWidth;
    draw();
  }
}).observe(root);
host.notify('ready', null);
