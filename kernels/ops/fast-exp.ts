// exp(x) in plain arithmetic for the CPU's hot loops (the scan's decays, SiLU, softplus): Math.exp
// is a call into the C library that V8 does not inline, 2-3x slower than this. x = k ln2 + r with
// |r| <= ln2 / 2; e^r by its degree-7 Taylor polynomial (relative error below 1e-8, far under the
// float32 results' own rounding); 2^k from a table.

/** 2^(i - POW2_BIAS) for every exponent a double reaches, 0 and Infinity at the ends. */
const POW2_BIAS = 1075;
const POW2 = Float64Array.from({ length: 2100 }, (_, i) => 2 ** (i - POW2_BIAS));
const LN2_HI = 0.6931471803691238,
  LN2_LO = 1.9082149292705877e-10;

export function fastExp(x: number): number {
  if (!(x > -745)) return x === x ? 0 : NaN; // underflow, and NaN passed through
  if (x > 709) return Infinity;
  const k = Math.floor(x * Math.LOG2E + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  const p =
    1 +
    r *
      (1 +
        r *
          (0.5 +
            r *
              (0.16666666666666666 +
                r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * 1.984126984126984e-4))))));
  return p * POW2[k + POW2_BIAS];
}
