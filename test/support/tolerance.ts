// The project's one tolerance table (ARCHITECTURE.md, "Tolerances") and the comparison every
// numerical test uses: |got - ref| <= atol + rtol*|ref|, with max and mean error reported.
import assert from 'node:assert/strict';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export const TOLERANCE = {
  scan: { rtol: 6e-4, atol: 2e-3 },
  conv1d: { rtol: 3e-4, atol: 1e-3 },
  matmulCpu: { rtol: 1e-4, atol: 1e-4 },
  matmulWebgpu: { rtol: 1e-3, atol: 1e-3 },
  logitsCpu: { rtol: 1e-4, atol: 1e-4 },
  logitsWebgpu: { rtol: 1e-3, atol: 1e-3 },
} as const satisfies Record<string, Tolerance>;

export interface CloseReport {
  maxAbs: number;
  meanAbs: number;
  worstIndex: number;
  violations: number;
}

export function compareClose(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance): CloseReport {
  assert.equal(got.length, ref.length, `length ${got.length} != reference length ${ref.length}`);
  let maxAbs = 0,
    sum = 0,
    worstIndex = -1,
    violations = 0;
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(got[i] - ref[i]);
    if (!(err <= tol.atol + tol.rtol * Math.abs(ref[i]))) violations++; // NaN counts as a violation
    if (!(err <= maxAbs)) {
      maxAbs = err;
      worstIndex = i;
    }
    sum += err;
  }
  return { maxAbs, meanAbs: sum / Math.max(1, ref.length), worstIndex, violations };
}

/** Asserts closeness; the message names the worst element and the max and mean error. */
export function assertClose(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance, what: string): CloseReport {
  const r = compareClose(got, ref, tol);
  const summary = `${what}: max abs err ${r.maxAbs.toExponential(3)}, mean ${r.meanAbs.toExponential(3)} (rtol ${tol.rtol}, atol ${tol.atol})`;
  assert.ok(
    r.violations === 0,
    `${summary}; ${r.violations} of ${ref.length} out of tolerance, worst at ${r.worstIndex}: got ${got[r.worstIndex]}, ref ${ref[r.worstIndex]}`,
  );
  return r;
}
