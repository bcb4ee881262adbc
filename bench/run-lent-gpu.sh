#!/bin/bash
# Runs the WebGPU scan benchmark (and, with GPU_TIER=1, the gpu test tier) on a bare GPU machine
# without network, from what bench/README.md says to carry: .gl/ (Debian's Vulkan and GL loader
# debs), .carry/webgpu-bench/ (node.xz, and the `webgpu` package with only dawn.node.xz), the
# built bench/out/scan.js and, for the tier, the compiled out/. Arguments go to scan.js; results
# go to $OUT (or ./bench/out/remote when OUT is unset).
set -o pipefail
OUT=${OUT:-bench/out/remote}; mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
B=.carry/webgpu-bench
mkdir -p /opt/n && xz -dc $B/node.xz > /opt/n/node && chmod +x /opt/n/node
mkdir -p node_modules/webgpu/dist/linux-x64 && cp $B/webgpu/index.js $B/webgpu/package.json node_modules/webgpu/
xz -dc $B/webgpu/dist/linux-x64/dawn.node.xz > node_modules/webgpu/dist/linux-x64/dawn.node
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $ICD ] && export VK_DRIVER_FILES=$ICD
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu --format=csv
/opt/n/node bench/out/scan.js "$@" --json "$OUT/scan.json" 2>&1 | tee "$OUT/scan.log" | grep -v '^{'
if [ -n "$GPU_TIER" ]; then
  SEQLAB_GPU_NATIVE=1 timeout 300 /opt/n/node --test --test-concurrency=1 --test-reporter=spec out/test/gpu/*.test.js > "$OUT/gpu-tier.log" 2>&1
  grep -E "^ℹ (tests|pass|fail|skipped)" "$OUT/gpu-tier.log"
fi
