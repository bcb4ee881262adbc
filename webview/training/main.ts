// The training pane: run facts, live training and validation loss (bits/token) over steps on a
// canvas in the theme's chart colours, throughput and progress, and cancel / resume buttons.
// All state arrives from the host (init, metric, phase); the pane computes nothing heavy.
import type { FromTrainingPane, MetricRecord, PaneRunInfo, RunPhase, ToTrainingPane } from '../../extension/runs/training-messages';

declare function acquireVsCodeApi(): { postMessage(m: FromTrainingPane): void };
const vscode = acquireVsCodeApi();

let run: PaneRunInfo | undefined;
let records: MetricRecord[] = [];
let progressText = '';

const root = document.getElementById('root') as HTMLElement;
root.innerHTML = `
  <h2 id="title"></h2>
  <p id="facts"></p>
  <p><span id="phase"></span> <span id="progress"></span></p>
  <p><button id="cancel">Cancel</button> <button id="resume">Resume</button></p>
  <canvas id="chart" width="720" height="360" style="width:100%;max-width:900px;"></canvas>
  <p id="legend"></p>`;
const el = (id: string) => document.getElementById(id) as HTMLElement;
const canvas = el('chart') as HTMLCanvasElement;
el('cancel').addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
el('resume').addEventListener('click', () => vscode.postMessage({ type: 'resume' }));

function css(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function setPhase(phase: RunPhase, message?: string): void {
  if (run) run.phase = phase;
  el('phase').textContent = `${phase}${message ? `: ${message}` : ''}`;
  (el('cancel') as HTMLButtonElement).disabled = phase !== 'running';
  (el('resume') as HTMLButtonElement).disabled = phase === 'running' || phase === 'finished';
}

function niceStep(span: number, ticks: number): number {
  const raw = span / Math.max(1, ticks), mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
}

function draw(): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || 720, h = Math.round(w / 2);
  canvas.width = w * dpr; canvas.height = h * dpr; canvas.style.height = `${h}px`;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const fg = css('--vscode-foreground', '#888'), trainColor = css('--vscode-charts-blue', '#3794ff'), valColor = css('--vscode-charts-orange', '#d18616');
  const pad = { l: 56, r: 12, t: 12, b: 36 };
  const pts = (key: 'trainBits' | 'valBits') => records.filter((r) => r[key] !== undefined).map((r) => [r.step, r[key] as number] as const);
  const train = pts('trainBits'), val = pts('valBits');
  const all = [...train, ...val];
  ctx.fillStyle = fg; ctx.strokeStyle = fg; ctx.font = '12px sans-serif';
  if (all.length === 0) { ctx.fillText('waiting for the first metrics…', pad.l, h / 2); return; }
  const maxStep = Math.max(1, ...all.map((p) => p[0]));
  const ys = all.map((p) => p[1]).sort((a, b) => a - b);
  const lo = ys[0], hi = ys[Math.min(ys.length - 1, Math.floor(ys.length * 0.98))]; // the first steps' huge loss would flatten the curve
  const y0 = lo - 0.05 * (hi - lo || 1), y1 = hi + 0.05 * (hi - lo || 1);
  const X = (s: number) => pad.l + ((w - pad.l - pad.r) * s) / maxStep;
  const Y = (v: number) => pad.t + ((h - pad.t - pad.b) * (y1 - Math.min(Math.max(v, y0), y1))) / (y1 - y0);
  ctx.globalAlpha = 0.3;
  const yStep = niceStep(y1 - y0, 5);
  for (let v = Math.ceil(y0 / yStep) * yStep; v <= y1; v += yStep) {
    ctx.beginPath(); ctx.moveTo(pad.l, Y(v)); ctx.lineTo(w - pad.r, Y(v)); ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.textAlign = 'right';
  for (let v = Math.ceil(y0 / yStep) * yStep; v <= y1; v += yStep) ctx.fillText(v.toFixed(yStep < 0.01 ? 3 : 2), pad.l - 6, Y(v) + 4);
  ctx.textAlign = 'center';
  const xStep = niceStep(maxStep, 6);
  for (let s = 0; s <= maxStep; s += xStep) ctx.fillText(String(s), X(s), h - pad.b + 16);
  ctx.fillText('step', (pad.l + w - pad.r) / 2, h - 4);
  ctx.save(); ctx.translate(12, (pad.t + h - pad.b) / 2); ctx.rotate(-Math.PI / 2); ctx.fillText('bits / token', 0, 0); ctx.restore();
  const line = (p: readonly (readonly [number, number])[], color: string, width: number) => {
    ctx.strokeStyle = color; ctx.lineWidth = width; ctx.beginPath();
    p.forEach(([s, v], i) => (i === 0 ? ctx.moveTo(X(s), Y(v)) : ctx.lineTo(X(s), Y(v))));
    ctx.stroke();
    ctx.fillStyle = color;
    if (p.length < 40) for (const [s, v] of p) { ctx.beginPath(); ctx.arc(X(s), Y(v), 2.5, 0, 2 * Math.PI); ctx.fill(); }
  };
  line(train, trainColor, 1.5);
  line(val, valColor, 2);
  const lastT = train[train.length - 1], lastV = val[val.length - 1];
  el('legend').innerHTML = `<span style="color:${trainColor}">■ training</span> ${lastT ? lastT[1].toFixed(4) : '–'} &nbsp; ` +
    `<span style="color:${valColor}">■ validation</span> ${lastV ? lastV[1].toFixed(4) : '–'} bits/token`;
}

function showProgress(r: MetricRecord, totalSteps?: number, budgetSec?: number, backend?: string): void {
  // The share of the budget is known only from live metric messages; a reopened pane shows none.
  const share = totalSteps ? r.step / totalSteps : budgetSec ? r.elapsedSec / budgetSec : undefined;
  progressText = `step ${r.step}${totalSteps ? ` / ${totalSteps}` : ''}${share === undefined ? '' : ` · ${Math.round(100 * share)}%`} · ${(r.tokens / 1e6).toFixed(2)}M tokens` +
    `${r.tokensPerSec ? ` · ${r.tokensPerSec} tokens/s` : ''}${backend ? ` · ${backend}` : ''}`;
  el('progress').textContent = progressText;
}

window.addEventListener('message', (ev: MessageEvent<ToTrainingPane>) => {
  const m = ev.data;
  if (m.type === 'init') {
    run = m.run; records = m.records;
    el('title').textContent = `Training ${m.run.name}`;
    el('facts').textContent = `${m.run.model} · ${m.run.budget} · backend ${m.run.backend} · range ${m.run.range} of ${m.run.data.join(', ')}`;
    setPhase(m.run.phase, m.run.message);
    const last = records[records.length - 1];
    if (last) showProgress(last);
  } else if (m.type === 'metric') {
    const i = records.findIndex((r) => r.step >= m.record.step);
    if (i >= 0) records.splice(i); // a resumed run continues from its checkpoint
    records.push(m.record);
    setPhase('running');
    showProgress(m.record, m.totalSteps, m.budgetSec, m.backend);
  } else if (m.type === 'phase') setPhase(m.phase, m.message);
  draw();
});
window.addEventListener('resize', draw);
vscode.postMessage({ type: 'ready' });
