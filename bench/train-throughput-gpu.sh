#!/bin/bash
# Runs the WebGPU training-throughput benchmark (with one profiled step per shape) and then the
# whole gpu test tier on a bare GPU machine without network, from the pieces bench/README.md says
# to carry (.gl/, .carry/webgpu-bench/), the bundle bench/out/train-throughput.js and the compiled
# out/. Results go to $OUT (bench/out/remote when unset). Build here first:
#   npx esbuild bench/train-throughput.ts --bundle --platform=node --external:webgpu --outfile=bench/out/train-throughput.js
#   npx tsc -p tsconfig.json
# Arguments go to the benchmark (default: the four shapes of bench/TRAINING.md, 8 s per measurement).
set -o pipefail
. "$(dirname "$0")/lent-gpu-setup.sh"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/gpu.txt"
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(--shapes tiny:64x1024,tiny:128x1024,tiny:256x1024,small:64x1024 --seconds 8 --profile)
timeout 420 /opt/n/node bench/out/train-throughput.js --backend webgpu "${ARGS[@]}" 2>&1 | tee "$OUT/train-throughput.txt"
SEQLAB_GPU_NATIVE=1 timeout 150 /opt/n/node --test --test-concurrency=1 --test-reporter=spec out/test/gpu/*.test.js > "$OUT/gpu-tier.txt" 2>&1
grep -E "^ℹ (tests|pass|fail|skipped)" "$OUT/gpu-tier.txt"; grep -A8 "^✖\|^  ✖" "$OUT/gpu-tier.txt" | head -40
