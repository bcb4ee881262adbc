// Slow float64 references for every engine op, written straight from the equations (no
// blocking, no chunking, no shared code with kernels/): what the backends are compared against.

export type F64 = Float64Array;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
export const refSilu = (x: number): number => x * sigmoid(x);
export const refSoftplus = (x: number): number => (x > 20 ? x : Math.log(1 + Math.exp(x)));
const act = (x: number, a: 'none' | 'silu' | 'softplus'): number =>
  a === 'silu' ? refSilu(x) : a === 'softplus' ? refSoftplus(x) : x;

export function refEmbedding(table: ArrayLike<number>, d: number, ids: ArrayLike<number>): F64 {
  const out = new Float64Array(ids.length * d);
  for (let i = 0; i < ids.length; i++) for (let j = 0; j < d; j++) out[i * d + j] = table[ids[i] * d + j];
  return out;
}

export function refRmsNorm(x: ArrayLike<number>, rows: number, d: number, w: ArrayLike<number>, eps: number): F64 {
  const out = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    let ms = 0;
    for (let j = 0; j < d; j++) ms += x[r * d + j] ** 2 / d;
    for (let j = 0; j < d; j++) out[r * d + j] = (w[j] * x[r * d + j]) / Math.sqrt(ms + eps);
  }
  return out;
}

export function refLinear(
  x: ArrayLike<number>,
  rows: number,
  k: number,
  w: ArrayLike<number>,
  m: number,
  bias: ArrayLike<number> | undefined,
  a: 'none' | 'silu' | 'softplus',
): F64 {
  const out = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < m; j++) {
      let s = bias ? bias[j] : 0;
      for (let i = 0; i < k; i++) s += x[r * k + i] * w[j * k + i];
      out[r * m + j] = act(s, a);
    }
  }
  return out;
}

export function refSliceLast(x: ArrayLike<number>, rows: number, w: number, start: number, width: number): F64 {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) out[r * width + j] = x[r * w + start + j];
  return out;
}

/** Causal depthwise conv over the concatenation [state, x] per channel; returns y and the last k-1 inputs. */
export function refConv1d(
  x: ArrayLike<number>,
  b: number,
  l: number,
  c: number,
  w: ArrayLike<number>,
  k: number,
  bias: ArrayLike<number> | undefined,
  state: ArrayLike<number> | undefined,
  a: 'none' | 'silu',
): { y: F64; state: F64 } {
  const y = new Float64Array(b * l * c),
    next = new Float64Array(b * c * (k - 1));
  for (let bi = 0; bi < b; bi++) {
    for (let ci = 0; ci < c; ci++) {
      const seq: number[] = [];
      for (let j = 0; j < k - 1; j++) seq.push(state ? state[(bi * c + ci) * (k - 1) + j] : 0);
      for (let t = 0; t < l; t++) seq.push(x[(bi * l + t) * c + ci]);
      for (let t = 0; t < l; t++) {
        let s = bias ? bias[ci] : 0;
        for (let j = 0; j < k; j++) s += w[ci * k + j] * seq[t + j];
        y[(bi * l + t) * c + ci] = act(s, a);
      }
      for (let j = 0; j < k - 1; j++) next[(bi * c + ci) * (k - 1) + j] = seq[seq.length - (k - 1) + j];
    }
  }
  return { y, state: next };
}

export interface RefScanInputs {
  u: ArrayLike<number>;
  delta: ArrayLike<number>;
  aLog: ArrayLike<number>;
  B: ArrayLike<number>;
  C: ArrayLike<number>;
  D: ArrayLike<number>;
  h0?: ArrayLike<number>;
}

/** The recurrence of the Mamba paper, per (batch, channel, state), in float64. */
export function refScan(inp: RefScanInputs, b: number, l: number, c: number, n: number): { y: F64; hLast: F64 } {
  const y = new Float64Array(b * l * c),
    hLast = new Float64Array(b * c * n);
  for (let bi = 0; bi < b; bi++) {
    for (let ci = 0; ci < c; ci++) {
      const h = Array.from({ length: n }, (_, s) => (inp.h0 ? inp.h0[(bi * c + ci) * n + s] : 0));
      for (let t = 0; t < l; t++) {
        const dt = inp.delta[(bi * l + t) * c + ci],
          u = inp.u[(bi * l + t) * c + ci];
        let out = inp.D[ci] * u;
        for (let s = 0; s < n; s++) {
          const A = -Math.exp(inp.aLog[ci * n + s]);
          h[s] = Math.exp(dt * A) * h[s] + dt * inp.B[(bi * l + t) * n + s] * u;
          out += inp.C[(bi * l + t) * n + s] * h[s];
        }
        y[(bi * l + t) * c + ci] = out;
      }
      for (let s = 0; s < n; s++) hLast[(bi * c + ci) * n + s] = h[s];
    }
  }
  return { y, hLast };
}

export function refGate(y: ArrayLike<number>, z: ArrayLike<number>): F64 {
  return Float64Array.from({ length: y.length }, (_, i) => y[i] * refSilu(z[i]));
}

export function refAdd(a: ArrayLike<number>, b: ArrayLike<number>): F64 {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] + b[i]);
}

export function refMeanLast(x: ArrayLike<number>, rows: number, w: number): F64 {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) out[r] += x[r * w + j] / w;
  return out;
}

export function refSurprisalBits(logits: ArrayLike<number>, rows: number, v: number, targets: ArrayLike<number>): F64 {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let z = 0;
    for (let j = 0; j < v; j++) z += Math.exp(logits[r * v + j]);
    out[r] = -Math.log2(Math.exp(logits[r * v + targets[r]]) / z);
  }
  return out;
}
