// The file-parser fuzz targets, in the order the long run (run-long-parsers.ts) takes them and the
// unit tier's bounded fuzz (test/unit/parsers-fuzz.test.ts) runs them. A new file format joins by
// adding its target here.
import type { FuzzTarget } from './fuzz-target';
import { configTarget, safetensorsTarget } from './model-targets';
import { cellSpecTarget, notebookTarget } from './notebook-targets';
import {
  latestTarget,
  manifestTarget,
  metricsTarget,
  runJsonTarget,
  statusTarget,
  trainerStateTarget,
} from './run-targets';
import { vcfTarget } from './vcf-target';

export const PARSER_TARGETS: readonly FuzzTarget[] = [
  safetensorsTarget,
  configTarget,
  cellSpecTarget,
  notebookTarget,
  runJsonTarget,
  statusTarget,
  manifestTarget,
  latestTarget,
  trainerStateTarget,
  metricsTarget,
  vcfTarget,
];
