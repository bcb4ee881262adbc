#!/bin/bash
# Runs the WebGPU training-throughput benchmark (and the training gpu tests) on a bare GPU machine
# without network, from the pieces bench/README.md says to carry (.gl/, .carry/webgpu-bench/), the
# bundle bench/out/train-throughput.js and the compiled out/. Results go to $OUT.
#   npx esbuild bench/train-throughput.ts --bundle --platform=node --external:webgpu --outfile=bench/out/train-throughput.js
#   npx tsc -p tsconfig.json
set -o pipefail
. "$(dirname "$0")/lent-gpu-setup.sh"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/gpu.txt"
for args in "--preset tiny --batch 64 --length 1024" "--preset tiny --batch 128 --length 1024" "--preset small --batch 64 --length 1024"; do
  timeout 150 /opt/n/node bench/out/train-throughput.js --backend webgpu $args --seconds 15 2>&1 | grep -v '^ *at ' | tee -a "$OUT/train-throughput.txt"
done
SEQLAB_GPU_NATIVE=1 timeout 200 /opt/n/node --test --test-reporter=spec out/test/gpu/train-webgpu.test.js > "$OUT/train-gpu-tests.txt" 2>&1
grep -E "^(✔|✖)|^ℹ (tests|pass|fail)" "$OUT/train-gpu-tests.txt"
