// ITU-T G.711 mu-law and A-law, the 8-bit companded sample formats of telephone audio
// (WAVE format tags 7 and 6): decoding to 16-bit linear values, as every WAV reader does.
// (The model's own 256-token mu-law quantizer is a different, continuous formula: mulaw.ts.)

/** 16-bit linear value of a G.711 mu-law byte (range -32124..32124). */
export function ulawToLinear(u: number): number {
  const v = ~u & 0xff;
  const exponent = (v >> 4) & 7,
    mantissa = v & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return v & 0x80 ? -magnitude : magnitude;
}

/** 16-bit linear value of a G.711 A-law byte (range -32256..32256). */
export function alawToLinear(a: number): number {
  const v = a ^ 0x55;
  const segment = (v >> 4) & 7;
  let magnitude = (v & 0x0f) << 4;
  magnitude += segment === 0 ? 8 : 0x108;
  if (segment > 1) magnitude <<= segment - 1;
  return v & 0x80 ? magnitude : -magnitude;
}

export const ULAW_TABLE: Int16Array = Int16Array.from({ length: 256 }, (_, i) => ulawToLinear(i));
export const ALAW_TABLE: Int16Array = Int16Array.from({ length: 256 }, (_, i) => alawToLinear(i));
