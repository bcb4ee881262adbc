#!/bin/bash
# Runs the WebGPU training-throughput benchmark (and the training gpu tests) on a bare GPU machine
# without network, from the pieces bench/README.md says to carry (.gl/, .carry/webgpu-bench/), the
# bundle bench/out/train-throughput.js and the compiled out/. Results go to $OUT.
#   npx esbuild bench/train-throughput.ts --bundle --platform=node --external:webgpu --outfile=bench/out/train-throughput.js
#   npx tsc -p tsconfig.json
set -o pipefail
OUT=${OUT:-bench/out/remote}; mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
B=.carry/webgpu-bench
mkdir -p /opt/n && xz -dc $B/node.xz > /opt/n/node && chmod +x /opt/n/node
mkdir -p node_modules/webgpu/dist/linux-x64 && cp $B/webgpu/index.js $B/webgpu/package.json node_modules/webgpu/
xz -dc $B/webgpu/dist/linux-x64/dawn.node.xz > node_modules/webgpu/dist/linux-x64/dawn.node
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $ICD ] && export VK_DRIVER_FILES=$ICD
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/gpu.txt"
for args in "--preset tiny --batch 64 --length 1024" "--preset tiny --batch 128 --length 1024" "--preset small --batch 64 --length 1024"; do
  timeout 150 /opt/n/node bench/out/train-throughput.js --backend webgpu $args --seconds 15 2>&1 | grep -v '^ *at ' | tee -a "$OUT/train-throughput.txt"
done
SEQLAB_GPU_NATIVE=1 timeout 200 /opt/n/node --test --test-reporter=spec out/test/gpu/train-webgpu.test.js > "$OUT/train-gpu-tests.txt" 2>&1
grep -E "^(✔|✖)|^ℹ (tests|pass|fail)" "$OUT/train-gpu-tests.txt"
