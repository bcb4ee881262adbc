// The compute engine's contract: every op the Mamba model needs, implemented once per
// backend (cpu in TypeScript, webgpu in WGSL). Ops enqueue work and return tensors at once;
// only read() waits. Tensors are row-major float32 (ids are int32), last index fastest.
//
// Shape letters: b batch, l length, d d_model, c channels (d_in in the mixer), n d_state,
// r dt_rank, k conv kernel width, v vocab, rows = any product of leading dimensions.

export interface Tensor {
  readonly shape: readonly number[];
  readonly dtype: 'f32' | 'i32';
}

export type Activation = 'none' | 'silu' | 'softplus';

/** The arrays the ops' CPU twins take: float32 for the engine and the trainer, float64 for the finite-difference tests. */
export type FloatArray = Float32Array | Float64Array;

/** Which selective-scan algorithm runs: the sequential reference or the chunked parallel scan. */
export type ScanVariant = 'sequential' | 'chunked';

export interface ScanInputs {
  u: Tensor; // [b, l, c]  conv output after SiLU
  delta: Tensor; // [b, l, c]  softplus(dt_proj(dt)), already positive
  aLog: Tensor; // [c, n]     A = -exp(aLog)
  B: Tensor; // [b, l, n]
  C: Tensor; // [b, l, n]
  D: Tensor; // [c]
  h0?: Tensor; // [b, c, n]  state before the first step; zeros when absent
}

export interface ScanOutputs {
  y: Tensor; // [b, l, c]  sum_s C*h + D*u (not gated)
  hLast: Tensor; // [b, c, n] state after the last step
}

export interface Conv1dOutputs {
  y: Tensor; // [b, l, c]
  state: Tensor; // [b, c, k-1]  the last k-1 inputs, oldest first (the window for the next call)
}

/** Thrown by a backend that does not implement an op: callers never fall back silently. */
export class UnsupportedOpError extends Error {
  constructor(
    readonly backend: string,
    readonly op: string,
  ) {
    super(`backend "${backend}" does not support op "${op}"`);
    this.name = 'UnsupportedOpError';
  }
}

/** The backend a user or a run asks for: 'auto' takes WebGPU on a hardware adapter, else the CPU. */
export type BackendChoice = 'auto' | 'webgpu' | 'cpu';
/** The backend that runs. */
export type BackendName = 'webgpu' | 'cpu';

export interface Backend {
  readonly name: BackendName;
  /** Human-readable description of the device (adapter name, fallback or not, threads). */
  readonly description: string;

  // Memory.
  upload(data: Float32Array, shape: readonly number[]): Tensor;
  uploadIds(ids: Int32Array, shape: readonly number[]): Tensor;
  zeros(shape: readonly number[]): Tensor;
  read(t: Tensor): Promise<Float32Array>;
  readIds(t: Tensor): Promise<Int32Array>;
  free(t: Tensor): void;

  // Ops (forward).
  /** ids [b, l] int32, table [v, d] -> [b, l, d]. Out-of-range ids are an error at upload time of the caller. */
  embedding(table: Tensor, ids: Tensor): Tensor;
  /** x [rows, d], weight [d] -> weight * x / sqrt(mean(x^2) + eps). */
  rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor;
  /** x [rows, k], weight [m, k] (PyTorch layout), bias [m]? -> act(x @ weight^T + bias) [rows, m]. */
  linear(x: Tensor, weight: Tensor, bias: Tensor | undefined, act: Activation): Tensor;
  /** Copy of the columns [start, start+width) of the last dimension: [..., w] -> [..., width]. */
  sliceLast(x: Tensor, start: number, width: number): Tensor;
  /**
   * Causal depthwise conv over l, per channel, with an optional bias and SiLU fused:
   * y[t,c] = act(bias[c] + sum_j weight[c,j] * x[t-(k-1)+j, c]), where inputs before t=0 come
   * from state (zeros when absent). weight [c, k] (HF's [c, 1, k] squeezed). l = 1 is the
   * recurrent one-step update.
   */
  conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | undefined,
    state: Tensor | undefined,
    act: Activation,
  ): Conv1dOutputs;
  /** The selective scan (discretization fused): see ScanInputs. */
  selectiveScan(inputs: ScanInputs, variant: ScanVariant): ScanOutputs;
  /** y * silu(z), elementwise, same shapes. */
  gate(y: Tensor, z: Tensor): Tensor;
  /** a + b, elementwise, same shapes. */
  add(a: Tensor, b: Tensor): Tensor;
  /** Mean over the last dimension: [rows, w] -> [rows]. Used for the Δ (selection) track. */
  meanLast(x: Tensor): Tensor;
  /** log_softmax(logits)[target] per row in bits: logits [rows, v], targets [rows] int32 -> [rows]. */
  surprisalBits(logits: Tensor, targets: Tensor): Tensor;

  /** Releases the device (webgpu) or worker pool (cpu). */
  dispose(): void;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
