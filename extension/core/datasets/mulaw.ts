// The audio tokenizer: 8-bit mu-law quantization to 256 tokens and back, the formula of SaShiMi
// and the Mamba audio experiments (mu = 255):
//   y = sign(x) * ln(1 + mu|x|) / ln(1 + mu),   token = floor((y + 1) / 2 * mu + 0.5)
//   decode: y = 2 * token / mu - 1,             x = sign(y) * ((1 + mu)^|y| - 1) / mu
// Input is clamped to [-1, 1]. SaShiMi also min-max scales each clip first; we leave loudness
// alone (pass `normalize: true` to scale by the clip's peak), so quiet audio stays quiet.

export const MULAW_TOKENS = 256;
const MU = MULAW_TOKENS - 1;
const LOG1P_MU = Math.log1p(MU);

export function mulawEncode(samples: Float32Array, opts: { normalize?: boolean } = {}): Int32Array {
  let scale = 1;
  if (opts.normalize) {
    let peak = 0;
    for (const x of samples) if (Math.abs(x) > peak) peak = Math.abs(x);
    if (peak > 0) scale = 1 / peak;
  }
  const out = new Int32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i] * scale || 0)); // NaN -> 0
    const y = Math.sign(x) * (Math.log1p(MU * Math.abs(x)) / LOG1P_MU);
    out[i] = Math.floor(((y + 1) / 2) * MU + 0.5);
  }
  return out;
}

export function mulawDecode(tokens: ArrayLike<number>): Float32Array {
  const out = new Float32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!(Number.isInteger(t) && t >= 0 && t < MULAW_TOKENS))
      throw new RangeError(`mu-law token ${t} at index ${i} is outside 0..${MU}`);
    const y = (2 * t) / MU - 1;
    out[i] = (Math.sign(y) * ((1 + MU) ** Math.abs(y) - 1)) / MU;
  }
  return out;
}
