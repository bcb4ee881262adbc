// Band-limited resampling between any two integer rates: a Kaiser-windowed sinc low-pass
// evaluated as an exact rational polyphase filter (out/in reduced to L/M; output sample n sits at
// input time n*M/L). The cutoff is `rolloff` times the lower Nyquist, so downsampling removes
// what would alias. Streaming: process() chunks in order, then flush(); the output equals one
// call over the whole signal, and has ceil(inputLength * L / M) samples. One channel at a time.
// Equal rates pass the signal through unchanged.
//
// Filter (tau in input samples, fc = rolloff * min(1, L/M), half-width W = zeroCrossings / fc):
//   h(tau) = fc * sinc(fc * tau) * kaiser(tau / W, beta),  |tau| < W
// and each phase's taps are scaled to sum to 1 (exact DC gain).

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side (filter length). */
  zeroCrossings?: number;
  /** Passband edge as a fraction of the lower Nyquist frequency. */
  rolloff?: number;
  /** Kaiser window shape (about 8.6 gives some 90 dB of stopband). */
  beta?: number;
}

export const RESAMPLE_DEFAULTS = { zeroCrossings: 16, rolloff: 0.945, beta: 8.6 } as const;
const MAX_TABLE = 1 << 24;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series). */
export function besselI0(x: number): number {
  let sum = 1,
    term = 1;
  for (let k = 1; k < 200 && term > 1e-17 * sum; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/** The filter's parameters for a rate pair: L, M, cutoff, half-width and taps per phase. */
export function resampleDesign(inRate: number, outRate: number, opts: ResampleOptions = {}) {
  if (!(Number.isSafeInteger(inRate) && inRate > 0 && Number.isSafeInteger(outRate) && outRate > 0)) {
    throw new RangeError(`sample rates must be positive integers, got ${inRate} -> ${outRate}`);
  }
  const { zeroCrossings, rolloff, beta } = { ...RESAMPLE_DEFAULTS, ...opts };
  const g = gcd(inRate, outRate),
    L = outRate / g,
    M = inRate / g;
  const fc = rolloff * Math.min(1, L / M);
  const halfWidth = zeroCrossings / fc;
  const W = Math.ceil(halfWidth);
  return { L, M, fc, halfWidth, W, taps: 2 * W, beta };
}

/** h(tau) of the design above (unnormalized). */
export function resampleKernel(tau: number, fc: number, halfWidth: number, beta: number): number {
  if (Math.abs(tau) >= halfWidth) return 0;
  const x = fc * tau;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  const r = tau / halfWidth;
  return fc * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta));
}

export class Resampler {
  readonly L: number;
  readonly M: number;
  private readonly W: number;
  private readonly taps: number;
  private readonly table: Float32Array; // [phase][tap]: tap j multiplies input q - W + 1 + j
  private buf: Float32Array; // input from index bufBase on (zeros before the signal)
  private bufLen: number;
  private bufBase: number;
  private q = 0; // input index at or before the next output's time
  private p = 0; // its phase: time = q + p / L
  private produced = 0;
  private consumed = 0;
  private flushed = false;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
    opts: ResampleOptions = {},
  ) {
    const d = resampleDesign(inRate, outRate, opts);
    this.L = d.L;
    this.M = d.M;
    this.W = d.W;
    this.taps = d.taps;
    if (d.L * d.taps > MAX_TABLE)
      throw new RangeError(
        `resampling ${inRate} -> ${outRate} Hz needs ${d.L} filter phases; choose rates with a larger common divisor`,
      );
    this.table = new Float32Array(d.L * d.taps);
    for (let ph = 0; ph < d.L; ph++) {
      let sum = 0;
      const row = new Float64Array(d.taps);
      for (let j = 0; j < d.taps; j++) {
        row[j] = resampleKernel(ph / d.L + d.W - 1 - j, d.fc, d.halfWidth, d.beta);
        sum += row[j];
      }
      for (let j = 0; j < d.taps; j++) this.table[ph * d.taps + j] = row[j] / sum;
    }
    this.bufBase = -(this.W - 1);
    this.buf = new Float32Array(Math.max(4096, 2 * this.taps));
    this.bufLen = this.W - 1;
  }

  /** Resamples the next chunk; returns the outputs it completes. */
  process(input: Float32Array): Float32Array {
    if (this.flushed) throw new Error('Resampler: process() after flush()');
    if (this.L === this.M) {
      this.consumed += input.length;
      this.produced += input.length;
      return input.slice();
    } // same rate: unchanged
    this.append(input);
    this.consumed += input.length;
    return this.drain(Infinity);
  }

  /** Ends the signal (zeros after it) and returns the remaining outputs. */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    if (this.L === this.M) return new Float32Array(0);
    const total = Math.ceil((this.consumed * this.L) / this.M);
    this.append(new Float32Array(this.W + 1));
    return this.drain(total - this.produced);
  }

  private append(input: Float32Array): void {
    if (this.bufLen + input.length > this.buf.length) {
      const grown = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + input.length));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    this.buf.set(input, this.bufLen);
    this.bufLen += input.length;
  }

  private drain(limit: number): Float32Array {
    const { L, taps, W, table, buf } = this;
    const stepQ = Math.floor(this.M / L),
      stepP = this.M % L;
    const available = this.bufBase + this.bufLen; // input indices below this are in the buffer
    const count = Math.max(0, Math.min(limit, this.outputsBefore(available - W - 1)));
    const out = new Float32Array(count);
    let q = this.q,
      p = this.p;
    for (let n = 0; n < count; n++) {
      const start = q - W + 1 - this.bufBase,
        row = p * taps;
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += buf[start + j] * table[row + j];
      out[n] = acc;
      q += stepQ;
      p += stepP;
      if (p >= L) {
        p -= L;
        q++;
      }
    }
    this.q = q;
    this.p = p;
    this.produced += count;
    // Keep the inputs the next output needs: from q - W + 1 on.
    const drop = Math.min(this.bufLen, q - W + 1 - this.bufBase);
    if (drop > 0) {
      buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufBase += drop;
    }
    return out;
  }

  /** How many more outputs have their time's integer part q <= lastQ. */
  private outputsBefore(lastQ: number): number {
    if (lastQ < this.q) return 0;
    // Output n (counting from the next) has q_n = floor((q*L + p + n*M) / L) <= lastQ.
    return Math.floor(((lastQ + 1) * this.L - (this.q * this.L + this.p) - 1) / this.M) + 1;
  }
}

/** Resamples a whole signal in one call. */
export function resample(
  input: Float32Array,
  inRate: number,
  outRate: number,
  opts: ResampleOptions = {},
): Float32Array {
  const r = new Resampler(inRate, outRate, opts);
  const a = r.process(input),
    b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
