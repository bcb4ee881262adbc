// Everything a trainer needs to continue exactly where it stopped: what a checkpoint stores, what a
// step engine is set to and read back from, what moves between the session and the engine page.

/** Parameters and AdamW moments, flat in paramSpecs order, and AdamW's step count. */
export interface TrainerState {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  t: number;
}
