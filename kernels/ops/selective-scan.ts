// The selective scan (Mamba S6) with the discretization fused, per batch b, channel c, state s:
//   h[s] <- exp(delta[t,c] * A[c,s]) * h[s] + delta[t,c] * B[t,s] * u[t,c],   A = -exp(aLog)
//   y[t,c] = sum_s C[t,s] * h[s] + D[c] * u[t,c]
// u, delta [b, l, c]; aLog [c, n]; B, C [b, l, n]; D [c]; h0 [b, c, n]? (zeros when absent).
// Returns y [b, l, c] (not gated) and the state after the last step hLast [b, c, n].
// Two variants with one signature: the sequential reference, and the chunked parallel scan
// (l split into chunks whose state transitions are computed independently, then combined).
// Neither writes an l x n tensor; the chunked scan holds one [c, n] state per chunk.

export interface ScanArrays {
  u: Float32Array;
  delta: Float32Array;
  aLog: Float32Array;
  B: Float32Array;
  C: Float32Array;
  D: Float32Array;
  h0?: Float32Array;
}

export interface ScanDims { b: number; l: number; c: number; n: number }

/** Time steps per chunk of the chunked scan. */
export const SCAN_CHUNK = 64;

function negExp(aLog: Float32Array): Float64Array {
  return Float64Array.from(aLog, (a) => -Math.exp(a));
}

/**
 * Runs the recurrence over t in [t0, t1) of batch bi, updating h [c, n] in place; writes y for
 * those steps when given (a chunk's summary pass needs only the end state).
 */
function scanRange(inp: ScanArrays, dims: ScanDims, A: Float64Array, bi: number, t0: number, t1: number, h: Float64Array, y?: Float32Array): void {
  const { l, c, n } = dims;
  const { u, delta, B, C, D } = inp;
  for (let t = t0; t < t1; t++) {
    const row = (bi * l + t) * c, bn = (bi * l + t) * n;
    for (let ci = 0; ci < c; ci++) {
      const dt = delta[row + ci], uu = u[row + ci], du = dt * uu;
      const hs = ci * n;
      let acc = 0;
      for (let s = 0; s < n; s++) {
        const v = Math.exp(dt * A[hs + s]) * h[hs + s] + du * B[bn + s];
        h[hs + s] = v;
        acc += C[bn + s] * v;
      }
      if (y) y[row + ci] = acc + D[ci] * uu;
    }
  }
}

function initialState(inp: ScanArrays, dims: ScanDims, bi: number): Float64Array {
  const size = dims.c * dims.n;
  return inp.h0 ? Float64Array.from(inp.h0.subarray(bi * size, (bi + 1) * size)) : new Float64Array(size);
}

/** Sequential reference: one pass over t, state carried in float64. */
export function selectiveScanSequentialCpu(inp: ScanArrays, dims: ScanDims): { y: Float32Array; hLast: Float32Array } {
  const { b, l, c, n } = dims;
  const A = negExp(inp.aLog);
  const y = new Float32Array(b * l * c), hLast = new Float32Array(b * c * n);
  for (let bi = 0; bi < b; bi++) {
    const h = initialState(inp, dims, bi);
    scanRange(inp, dims, A, bi, 0, l, h, y);
    hLast.set(h, bi * c * n);
  }
  return { y, hLast };
}

/**
 * Chunked scan in three passes. 1: per chunk, independently, the local end state from zero and
 * the chunk's decay exp(A * sum(delta)) (the product of its per-step decays). 2: combine across
 * chunks, start[k+1] = decay[k] * start[k] + local[k]. 3: per chunk, independently, rescan from
 * its start state and write y.
 */
export function selectiveScanChunkedCpu(inp: ScanArrays, dims: ScanDims, chunk: number = SCAN_CHUNK): { y: Float32Array; hLast: Float32Array } {
  const { b, l, c, n } = dims;
  if (!(Number.isInteger(chunk) && chunk > 0)) throw new RangeError(`scan chunk length ${chunk} is not a positive integer`);
  const A = negExp(inp.aLog);
  const chunks = Math.ceil(l / chunk), size = c * n;
  const y = new Float32Array(b * l * c), hLast = new Float32Array(b * size);
  const states = new Float64Array(chunks * size); // pass 1: local end states; after pass 2: start states
  const deltaSums = new Float64Array(chunks * c);
  for (let bi = 0; bi < b; bi++) {
    states.fill(0);
    deltaSums.fill(0);
    for (let k = 0; k < chunks; k++) {
      const t0 = k * chunk, t1 = Math.min(l, t0 + chunk);
      scanRange(inp, dims, A, bi, t0, t1, states.subarray(k * size, (k + 1) * size));
      for (let t = t0; t < t1; t++) {
        for (let ci = 0; ci < c; ci++) deltaSums[k * c + ci] += inp.delta[(bi * l + t) * c + ci];
      }
    }
    const carry = initialState(inp, dims, bi);
    for (let k = 0; k < chunks; k++) {
      for (let ci = 0; ci < c; ci++) {
        const sum = deltaSums[k * c + ci];
        for (let s = 0; s < n; s++) {
          const i = ci * n + s, local = states[k * size + i];
          states[k * size + i] = carry[i];
          carry[i] = Math.exp(sum * A[i]) * carry[i] + local;
        }
      }
    }
    for (let k = 0; k < chunks; k++) {
      scanRange(inp, dims, A, bi, k * chunk, Math.min(l, (k + 1) * chunk), states.subarray(k * size, (k + 1) * size), y);
    }
    hLast.set(carry, bi * size);
  }
  return { y, hLast };
}
