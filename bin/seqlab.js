#!/usr/bin/env node
// The `seqlab` CLI: a thin launcher for the bundle that `npm run build` writes.
require('../dist/cli.js');
