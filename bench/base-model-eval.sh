#!/bin/bash
# Held-out bits/base of a DNA model on each genome the base model never saw (samples/models/dna-base/
# data.json heldOut), scored on the genome's last 20% (80%-100%) next to the best order-k Markov
# model fitted on its first 80%, the same range a fine-tuning run would train on.
#   bash bench/base-model-eval.sh MODEL [GENOMES_DIR] [--no-baseline]
# GENOMES_DIR: where scripts/fetch-base-genomes.sh wrote the genomes (default .data/genomes).
# Prints one `seqlab eval` block per genome and a closing Markdown table.
set -u -o pipefail
cd "$(dirname "$0")/.."
MODEL=$1
DIR=${2:-.data/genomes}
shift $(($# < 2 ? $# : 2))
rows=()
for file in $(node -e 'for (const e of require("./samples/models/dna-base/data.json").heldOut) console.log(e.file)'); do
  start=$(date +%s.%N)
  text=$(node bin/seqlab.js eval --model "$MODEL" --data "$DIR/$file" --range 80%-100% --train-range 0%-80% "$@" 2>&1) || {
    echo "$text"
    exit 1
  }
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  echo "$text"
  bits=$(echo "$text" | sed -n 's/.* on 80%-100%: \([0-9.]*\) bits\/base over \([0-9]*\) bases.*/\1 \2/p')
  markov=$(echo "$text" | sed -n 's/^best order-k Markov.*: k=\([0-9]*\), \([0-9.]*\) bits\/base/k=\1 \2/p')
  rows+=("| $file | ${bits#* } | ${bits% *} | ${markov:-–} | $(printf '%.1f' "$secs") |")
done
echo
echo "| held-out genome (80%-100%) | bases | model bits/base | best Markov (fitted on 0%-80%) | seconds |"
echo "|---|---:|---:|---|---:|"
printf '%s\n' "${rows[@]}"
