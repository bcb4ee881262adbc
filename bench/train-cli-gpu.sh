#!/bin/bash
# `seqlab train --backend webgpu` itself on a bare lent GPU machine (no network), beside the
# training gpu tests and the throughput benchmark. Carry what bench/README.md lists for the
# training benchmark plus `dist` and `bench/out/data` holding NCTC8325.fasta.gz and
# lambda_virus.fa.gz (Debian sibelia-examples, bowtie2-examples). Results go to $OUT.
set -o pipefail
. "$(dirname "$0")/lent-gpu-setup.sh"
# The gpu tests read lambda where Debian's bowtie2-examples puts it.
mkdir -p /usr/share/doc/bowtie2/examples/reference && cp bench/out/data/lambda_virus.fa.gz /usr/share/doc/bowtie2/examples/reference/
nvidia-smi --query-gpu=name,driver_version --format=csv | tee "$OUT/gpu.txt"
SEQLAB_GPU_NATIVE=1 timeout 200 /opt/n/node --test --test-concurrency=1 --test-reporter=spec out/test/gpu/train-webgpu.test.js out/test/gpu/webgpu-device.test.js out/test/gpu/train-engine-webview.test.js > "$OUT/gpu-tests.txt" 2>&1
grep -E "^✖|^ℹ (tests|pass|fail|skipped)" "$OUT/gpu-tests.txt"
timeout 120 /opt/n/node bench/out/train-throughput.js --backend webgpu --shapes tiny:64x1024,tiny:256x1024,small:64x1024 --seconds 5 2>&1 | grep -v '^ *at ' | tee "$OUT/train-throughput.txt"
for p in tiny small; do
  s=$( [ $p = tiny ] && echo 1500 || echo 600 )
  ( time timeout 150 /opt/n/node dist/cli.js train --data bench/out/data/NCTC8325.fasta.gz --out "$OUT/runs/$p" --preset $p --batch 64 --length 1024 \
      --steps $s --eval-every $s --checkpoint-every 100000 --backend webgpu --range 0%-80% ) 2>&1 | tail -5 | tee -a "$OUT/cli-train.txt"
  rm -rf "$OUT/runs/$p/checkpoints" # only the metrics come back
done
