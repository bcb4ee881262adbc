// The engine suites (test/support/engine-suites.ts) on the CPU backend.
import { CpuBackend } from '../../kernels/cpu-backend';
import { engineSuites } from '../support/engine-suites';
import { TOLERANCE } from '../support/tolerance';

engineSuites({
  name: 'cpu',
  makeBackend: () => new CpuBackend(),
  matmul: TOLERANCE.matmulCpu,
  logits: TOLERANCE.logitsCpu,
});
