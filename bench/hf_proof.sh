#!/bin/bash
# The Hugging Face proofs, in two steps on two machines.
#
#   bash bench/hf_proof.sh prepare [DIR]   here (node, the tsc build in out/): writes DIR
#       (default .carry/hf-export), one folder per model, each with model/ (seqlab export-hf),
#       ids.json and logits.bin (seqlab logits of the SeqLab model on those ids): the HF fixture,
#       the two sample models (DNA; audio), the odd config of test/support/odd-model.ts, and the
#       transformers-trained fixture taken through import-hf and back out with export-hf.
#   bash bench/hf_proof.sh run [DIR]       there (python3 with torch, transformers 5, tokenizers,
#       safetensors, numpy; no network): (a) bench/hf_export_check.py on each folder of DIR, then
#       (b) bench/hf_train_then_export.py into $OUT/hf-trained-mamba (the fixture
#       test/unit/hf-trained-fixture.test.ts reads, once copied to test/fixtures/hf-trained-mamba).
#
# Logs go to $OUT (default bench/out/hf-proof). Exits 1 when any check fails.
set -u -o pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out/hf-proof}
DIR=${2:-.carry/hf-export}
PY=${PYTHON:-python3}
seqlab() { node out/extension/core/cli/main.js "$@"; }

# Random token ids [2][LENGTH] below VOCAB, the same on every run.
ids() {
  node -e 'let s = 1; const [v, n] = process.argv.slice(1).map(Number);
    const row = () => Array.from({ length: n }, () => ((s = (s * 48271) % 2147483647), s % v));
    console.log(JSON.stringify([row(), row()]));' "$1" "$2"
}

# One case: export MODEL to DIR/NAME/model and write SeqLab's logits of MODEL for IDS there.
case_of() {
  local name=$1 model=$2 ids_file=$3
  mkdir -p "$DIR/$name"
  seqlab export-hf --model "$model" --out "$DIR/$name/model" --force || return 1
  cp "$ids_file" "$DIR/$name/ids.json"
  seqlab logits --model "$model" --ids "$DIR/$name/ids.json" --out "$DIR/$name/logits.bin" || return 1
}

prepare() {
  [ -f out/extension/core/cli/main.js ] || { echo "build first: npx tsc -p tsconfig.json" >&2; exit 2; }
  local tmp
  tmp=$(mktemp -d)
  rm -rf "$DIR" && mkdir -p "$DIR" || exit 2
  case_of hf-mamba-dna test/fixtures/hf-mamba-dna test/fixtures/hf-mamba-dna/input_ids.json || exit 1
  ids 16 300 > "$tmp/dna.json" && case_of dna-saureus samples/models/dna-saureus "$tmp/dna.json" || exit 1
  ids 256 400 > "$tmp/audio.json" && case_of audio-speech-music samples/models/audio-speech-music "$tmp/audio.json" || exit 1
  node -e 'require("./out/test/support/odd-model.js").writeOddModel(process.argv[1])' "$tmp/odd" || exit 1
  ids 11 200 > "$tmp/odd.json" && case_of odd-config "$tmp/odd" "$tmp/odd.json" || exit 1
  seqlab import-hf test/fixtures/hf-trained-mamba/f32 --out "$tmp/trained" || exit 1
  case_of hf-trained-roundtrip "$tmp/trained" test/fixtures/hf-trained-mamba/input_ids.json || exit 1
  rm -rf "$tmp"
  echo "prepared $(ls "$DIR" | wc -l) cases in $DIR: carry it and run: bash bench/hf_proof.sh run $DIR"
}

run() {
  mkdir -p "$OUT"
  local status=0
  "$PY" -c 'import platform, torch, transformers, tokenizers, safetensors, numpy
print(f"python {platform.python_version()} torch {torch.__version__} transformers {transformers.__version__} tokenizers {tokenizers.__version__} safetensors {safetensors.__version__} numpy {numpy.__version__}")' |
    tee "$OUT/versions.log" || exit 2
  for c in "$DIR"/*/; do
    local name
    name=$(basename "$c")
    if "$PY" bench/hf_export_check.py "$c/model" "$c/ids.json" "$c/logits.bin" > "$OUT/check-$name.log" 2>&1; then
      echo "(a) $name: PASS"
    else
      echo "(a) $name: FAIL"
      status=1
    fi
    grep -E "^(logits|tokenizer|FAIL)" "$OUT/check-$name.log" | sed 's/^/    /'
  done
  if "$PY" bench/hf_train_then_export.py "$OUT/hf-trained-mamba" > "$OUT/train-then-export.log" 2>&1; then
    echo "(b) train then export: PASS ($OUT/hf-trained-mamba)"
  else
    echo "(b) train then export: FAIL"
    status=1
  fi
  grep -E "^(step|wrote|FAIL)" "$OUT/train-then-export.log" | sed 's/^/    /'
  exit $status
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *)
    echo "usage: bash bench/hf_proof.sh prepare|run [DIR]" >&2
    exit 2
    ;;
esac
