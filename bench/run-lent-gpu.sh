#!/bin/bash
# Runs the WebGPU scan benchmark (and, with GPU_TIER=1, the gpu test tier) on a bare GPU machine
# without network, from what bench/README.md says to carry: .gl/ (Debian's Vulkan and GL loader
# debs), .carry/webgpu-bench/ (node.xz, and the `webgpu` package with only dawn.node.xz), the
# built bench/out/scan.js and, for the tier, the compiled out/. Arguments go to scan.js; results
# go to $OUT (or ./bench/out/remote when OUT is unset).
set -o pipefail
. "$(dirname "$0")/lent-gpu-setup.sh"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu --format=csv
/opt/n/node bench/out/scan.js "$@" --json "$OUT/scan.json" 2>&1 | tee "$OUT/scan.log" | grep -v '^{'
if [ -n "$GPU_TIER" ]; then
  SEQLAB_GPU_NATIVE=1 timeout 300 /opt/n/node --test --test-concurrency=1 --test-reporter=spec out/test/gpu/*.test.js > "$OUT/gpu-tier.log" 2>&1
  grep -E "^ℹ (tests|pass|fail|skipped)" "$OUT/gpu-tier.log"
fi
