import test from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, compareClose, TOLERANCE } from '../support/tolerance';

test('compareClose reports max and mean error and counts violations', () => {
  const ref = [1, -2, 1000];
  const r = compareClose([1 + 1e-5, -2, 1000.2], ref, TOLERANCE.logitsCpu);
  assert.equal(r.violations, 1); // 0.2 > 1e-4 + 1e-4*1000
  assert.equal(r.worstIndex, 2);
  assert.ok(Math.abs(r.maxAbs - 0.2) < 1e-9);
});

test('assertClose fails on NaN and passes within tolerance', () => {
  assert.throws(() => assertClose([NaN], [0], TOLERANCE.scan, 'nan'), /out of tolerance/);
  assertClose([0.0015], [0], TOLERANCE.scan, 'within atol');
});
