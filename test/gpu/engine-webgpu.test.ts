// The engine suites (test/support/engine-suites.ts) on the WebGPU backend: ops, both scans,
// the Hugging Face fixture (logits within atol 1e-3 + rtol 1e-3), step, stream, self-built models.
import { engineSuites } from '../support/engine-suites';
import { TOLERANCE } from '../support/tolerance';
import { openWebGpu } from './webgpu-setup';

engineSuites({
  name: 'webgpu',
  makeBackend: () => openWebGpu(),
  matmul: TOLERANCE.matmulWebgpu,
  logits: TOLERANCE.logitsWebgpu,
});
