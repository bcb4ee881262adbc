// What the real-VS-Code tiers (test/integration/run.mjs, test/e2e/*.mjs) share: where the artifacts
// go, how chromium starts here, the S. aureus variants example; where the VS Code server lives, the
// real genome they open and two process helpers come from scripts/vscode-server.mjs, which
// `npm start` uses too.
import { join } from 'node:path';
import { root } from '../../scripts/vscode-server.mjs';

export { base, freePort, LAMBDA_GZ, must, root } from '../../scripts/vscode-server.mjs';
export const artifacts = join(root, '.seqlab-test', 'artifacts');
/** Sibelia's S. aureus example: NCTC8325.fasta.gz and the variant.vcf.gz called against it (Debian's sibelia-examples). */
export const SAUREUS_DIR = '/usr/share/doc/sibelia/examples/C-Sibelia/Staphylococcus_aureus';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
