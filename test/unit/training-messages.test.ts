// The training pane boundary (protocol/training-messages.ts): the pane's checks of what the host
// tells it (metric records are numbers, phases from the enum), the host's checks of what the pane
// says, and both sides talking over a channel the way the training pane and the host do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, RemoteError } from '../../protocol/channel';
import {
  TRAINING_PANE_CHANNEL,
  parseMetricRecord,
  parsePaneInit,
  parsePaneMetric,
  parsePanePhase,
  trainingPaneHostValidators,
  trainingPaneValidators,
  type PaneInit,
  type PaneMetric,
  type PanePhase,
  type TrainingPaneHostSays,
  type TrainingPaneSays,
} from '../../protocol/training-messages';
import { ProtocolError } from '../../protocol/validate';
import { portPair } from '../support/port-pair';

const record = { step: 20, tokens: 10240, elapsedSec: 1.5, lr: 0.001, trainBits: 1.93, tokensPerSec: 6800 };
const init: PaneInit = {
  run: {
    name: 'lambda-small',
    phase: 'cancelled',
    data: ['lambda_virus.fa'],
    range: '0%-80%',
    model: 'd_model 8, 1 layers, d_state 4',
    budget: '300 steps',
    totalSteps: 300,
    backend: 'cpu',
    step: 20,
    message: 'cancelled by the user',
  },
  records: [{ step: 0, tokens: 0, elapsedSec: 0, valBits: 2.01 }, record],
};
const metric: PaneMetric = { record, totalSteps: 300, backend: 'cpu' };

function refuses(parse: (raw: unknown) => unknown, raw: unknown, says: RegExp): void {
  assert.throws(
    () => parse(raw),
    (e: unknown) => e instanceof ProtocolError && says.test(e.message),
    JSON.stringify(raw),
  );
}

test('what the host tells the pane parses to itself', () => {
  assert.deepEqual(parsePaneInit(init), init);
  assert.deepEqual(parsePaneMetric(metric), metric);
  assert.deepEqual(parsePanePhase({ phase: 'finished', step: 300 }), { phase: 'finished', step: 300 });
  // A progress event carries more than the record; the pane keeps the record's fields only.
  assert.deepEqual(parseMetricRecord({ ...record, backend: 'cpu', totalSteps: 300 }), record);
});

test('a bad field from the host is refused with the field named', () => {
  refuses(parsePaneMetric, { ...metric, record: { ...record, trainBits: 'low' } }, /^metric\.record\.trainBits: /);
  refuses(parsePaneMetric, { ...metric, record: { ...record, step: 1.5 } }, /^metric\.record\.step: /);
  refuses(parsePaneMetric, { ...metric, record: { ...record, valBits: NaN } }, /^metric\.record\.valBits: /);
  refuses(parsePaneMetric, { ...metric, backend: undefined }, /^metric\.backend: /);
  refuses(parsePanePhase, { phase: 'paused', step: 3 }, /^phase\.phase: expected one of running, finished/);
  refuses(parsePanePhase, { phase: 'running', step: -1 }, /^phase\.step: /);
  refuses(parsePaneInit, { ...init, records: [record, { ...record, tokens: '1k' }] }, /^init\.records\[1\]\.tokens: /);
  refuses(parsePaneInit, { ...init, records: {} }, /^init\.records: expected an array/);
  refuses(parsePaneInit, { ...init, run: { ...init.run, data: ['a.fa', 3] } }, /^init\.run\.data\[1\]: /);
  refuses(parsePaneInit, { ...init, run: { ...init.run, phase: 'done' } }, /^init\.run\.phase: /);
  refuses(parsePaneInit, { ...init, run: { ...init.run, totalSteps: '300' } }, /^init\.run\.totalSteps: /);
});

test("the pane's ready, cancel and resume carry nothing", () => {
  assert.equal(trainingPaneHostValidators.notifications.ready(null), null);
  assert.equal(trainingPaneHostValidators.requests.cancel(null), null);
  refuses(trainingPaneHostValidators.requests.resume, { dir: '/' }, /^resume: expected null/);
});

/** A host and a pane on one port pair, the host answering cancel and resume as the training pane does. */
function connected() {
  const pair = portPair();
  const host = new Channel<TrainingPaneHostSays, TrainingPaneSays>({
    name: TRAINING_PANE_CHANNEL,
    port: pair.a,
    validate: trainingPaneHostValidators,
  });
  const invalid: string[] = [];
  const pane = new Channel<TrainingPaneSays, TrainingPaneHostSays>({
    name: TRAINING_PANE_CHANNEL,
    port: pair.b,
    validate: trainingPaneValidators,
    onInvalid: (e) => invalid.push(e.message),
  });
  let live = true;
  host.on('ready', () => host.notify('init', init));
  host.serve({
    cancel: () => {
      live = false;
      return { phase: 'cancelled', step: 20 };
    },
    resume: () => {
      if (live) throw new Error('the run is already training');
      live = true;
      return { phase: 'running', step: 20 };
    },
  });
  const seen: { type: string; payload: unknown }[] = [];
  pane.on('init', (payload) => seen.push({ type: 'init', payload }));
  pane.on('metric', (payload) => seen.push({ type: 'metric', payload }));
  pane.on('phase', (payload) => seen.push({ type: 'phase', payload }));
  return { host, pane, seen, invalid };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('round trip: ready brings init, notifications arrive checked, cancel and resume answer where the run stands', async () => {
  const { host, pane, seen, invalid } = connected();
  pane.notify('ready', null);
  await sleep(10);
  host.notify('metric', metric);
  host.notify('phase', { phase: 'cancelled', step: 20, message: 'cancelled by the user' });
  await sleep(10);
  assert.deepEqual(seen, [
    { type: 'init', payload: init },
    { type: 'metric', payload: metric },
    { type: 'phase', payload: { phase: 'cancelled', step: 20, message: 'cancelled by the user' } },
  ]);
  assert.deepEqual(await pane.request('cancel', null), { phase: 'cancelled', step: 20 } satisfies PanePhase);
  assert.deepEqual(await pane.request('resume', null), { phase: 'running', step: 20 } satisfies PanePhase);
  await assert.rejects(
    pane.request('resume', null),
    (e: unknown) => e instanceof RemoteError && e.message === 'the run is already training',
  );
  assert.deepEqual(invalid, []);
});

test('round trip: a bad notification from the host never reaches the pane, which hears the field named', async () => {
  const { host, seen, invalid } = connected();
  // The host's types forbid these; the pane checks all the same.
  host.notify('metric', { ...metric, record: { ...record, trainBits: 'low' } } as never);
  host.notify('phase', { phase: 'paused', step: 3 } as never);
  await sleep(10);
  assert.deepEqual(seen, []);
  assert.equal(invalid.length, 2);
  assert.match(invalid[0], /metric\.record\.trainBits: expected a number/);
  assert.match(invalid[1], /phase\.phase: expected one of/);
});
