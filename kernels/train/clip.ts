// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_): when the norm exceeds
// maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6). Returns the norm before clipping.
import type { FloatArray } from './params';

export function clipGradNorm(grad: FloatArray, maxNorm: number): number {
  let ss = 0;
  for (let i = 0; i < grad.length; i++) ss += grad[i] * grad[i];
  const norm = Math.sqrt(ss);
  if (!Number.isFinite(norm)) throw new Error(`gradient norm is ${norm}: the loss diverged`);
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (let i = 0; i < grad.length; i++) grad[i] *= scale;
  }
  return norm;
}
