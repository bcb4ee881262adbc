#!/bin/bash
# SeqLab runs continued with transformers + accelerate on the GPU machine, and brought back.
#
#   bash bench/scaleout.sh prepare RUN_DIR [train.py options…]   here (node, the build in dist/):
#       seqlab export-run of the run into .carry/scaleout/NAME (NAME: the run folder's name), the
#       options train.py is launched with, and ids.json (random token ids for the logits check).
#       An export whose data/ is the same as an earlier one's (same window length and range over the
#       same files) leaves it out and names that export in data.same-as, so the carried tree stays small.
#   bash bench/scaleout.sh run                                     there (python3 with torch,
#       transformers, accelerate, safetensors, numpy; no node): every export trains at once on the
#       one GPU (accelerate launch, one process each) into $OUT/NAME, then the logits of its last
#       checkpoint on ids.json; the export named by DDP also runs 2 processes on the CPU (torchrun, gloo:
#       the multi-process path of batch split, loss reduce and rank-0 checkpoints) into $OUT/NAME-ddp.
#   bash bench/scaleout.sh check [DIR]                             here: seqlab import-run of each
#       DIR/NAME (default bench/out/scaleout, as fetched: NAME.tar unpacked first) into its run, then seqlab logits of the run
#       against the logits transformers gave there (max abs error; the tolerance table's 1e-4).
set -u -o pipefail
cd "$(dirname "$0")/.."
CARRY=.carry/scaleout
OUT=${OUT:-bench/out/scaleout}
seqlab() { node bin/seqlab.js "$@"; }

prepare() {
  local run=$1
  shift
  local name
  name=$(basename "$run")
  mkdir -p "$CARRY"
  seqlab export-run --run "$run" --out "$CARRY/$name" --force || exit 1
  printf '%s\n' "$@" >"$CARRY/$name/launch-args"
  node -e 'let s = 7; // two rows of 300 random bases (DNA ids 1-4: A, C, G, T)
    const row = () => Array.from({ length: 300 }, () => ((s = (s * 48271) % 2147483647), 1 + (s % 4)));
    console.log(JSON.stringify([row(), row()]));' >"$CARRY/$name/ids.json"
  for other in "$CARRY"/*/; do
    other=${other%/}
    [ "$other" = "$CARRY/$name" ] && continue
    [ -d "$other/data" ] && [ ! -f "$other/data.same-as" ] || continue
    if cmp -s "$other/data/manifest.json" "$CARRY/$name/data/manifest.json"; then
      rm -r "$CARRY/$name/data"
      basename "$other" >"$CARRY/$name/data.same-as"
      break
    fi
  done
  du -sh "$CARRY"
}

run() {
  mkdir -p "$OUT"
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >"$OUT/gpu.txt" 2>&1
  python3 -c 'import torch, transformers, accelerate; print("torch", torch.__version__, "transformers", transformers.__version__, "accelerate", accelerate.__version__)' >>"$OUT/gpu.txt"
  local first=${DDP:-} pids=()
  for dir in "$CARRY"/*/; do
    dir=${dir%/}
    local name
    name=$(basename "$dir")
    [ -f "$dir/data.same-as" ] && ln -sfn "../$(cat "$dir/data.same-as")/data" "$dir/data"
    mapfile -t args < <(grep -v "^$" "$dir/launch-args")
    (
      accelerate launch --num_processes 1 --num_machines 1 --mixed_precision no --dynamo_backend no \
        "$dir/train.py" --out "$OUT/$name" "${args[@]}" >"$OUT/$name.log" 2>&1 &&
        python3 bench/scaleout_logits.py "$OUT/$name/checkpoints/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checkpoint"])' "$OUT/$name/checkpoints/latest.json")/model" \
          "$dir/ids.json" "$OUT/$name/logits.bin" >>"$OUT/$name.log" 2>&1
      echo "$name: exit $?" >>"$OUT/status.txt"
    ) &
    pids+=($!)
  done
  if [ -n "$first" ]; then
    CUDA_VISIBLE_DEVICES= torchrun --nproc_per_node 2 "$CARRY/$first/train.py" --steps 30 --batch 16 \
      --out "$OUT/$first-ddp" >"$OUT/$first-ddp.log" 2>&1
    echo "$first-ddp (2 CPU processes): exit $?" >>"$OUT/status.txt"
  fi
  wait "${pids[@]}"
  cat "$OUT/status.txt"
  # Back as one tar each (the machine returns flat, shallow folders), without the earlier checkpoints.
  for ck in "$OUT"/*/checkpoints; do
    local keep name
    keep=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checkpoint"])' "$ck/latest.json")
    find "$ck" -mindepth 1 -maxdepth 1 -type d ! -name "$keep" -exec rm -r {} +
    name=$(basename "$(dirname "$ck")")
    tar -C "$OUT" -cf "$OUT/$name.tar" "$name" && rm -r "${OUT:?}/$name"
  done
}

check() {
  local dir=${1:-bench/out/scaleout} status=0
  for t in "$dir"/*.tar; do [ -e "$t" ] && tar -C "$dir" -xf "$t"; done
  for from in "$dir"/*/; do
    from=${from%/}
    local name run
    name=$(basename "$from")
    [ -f "$from/logits.bin" ] || continue
    run=$(node -e 'console.log(require(process.argv[1]).runDir)' "$(realpath "$from/handoff.json")")
    seqlab import-run --from "$from" --run "$run" || {
      status=1
      continue
    }
    # seqlab logits takes a model folder: the checkpoint the import wrote.
    seqlab logits --model "$run/checkpoints/$(node -e 'console.log(require(process.argv[1]).checkpoint)' "$run/checkpoints/latest.json")" --ids "$CARRY/$name/ids.json" --out "$from/seqlab-logits.bin" >/dev/null || status=1
    node -e 'const fs = require("fs");
      const f = (p) => new Float32Array(fs.readFileSync(p).buffer.slice(0));
      const a = f(process.argv[1]), b = f(process.argv[2]);
      if (a.length !== b.length) { console.log(`${process.argv[3]}: ${a.length} vs ${b.length} logits`); process.exit(1); }
      let max = 0, sum = 0;
      for (let i = 0; i < a.length; i++) { const e = Math.abs(a[i] - b[i]); max = Math.max(max, e); sum += e; }
      console.log(`${process.argv[3]}: imported run vs transformers, ${a.length} logits: max abs error ${max.toExponential(2)}, mean ${(sum / a.length).toExponential(2)}`);
      process.exit(max <= 1e-4 ? 0 : 1);' "$from/logits.bin" "$from/seqlab-logits.bin" "$name" || status=1
  done
  return $status
}

case "${1:-}" in
prepare)
  shift
  prepare "$@"
  ;;
run) run ;;
check)
  shift
  check "$@"
  ;;
*)
  echo "usage: bash bench/scaleout.sh prepare RUN_DIR [train.py options…] | run | check [DIR]" >&2
  exit 2
  ;;
esac
