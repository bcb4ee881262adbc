# On a lent GPU machine (bench/RESULTS-variants.md says what to carry): seqlab vep on the variants
# bench/variant-effect.ts wrote (bench/out/gpu/variants.vcf) with --backend webgpu, then on the
# first 500 of them with webgpu and with the CPU backend, and the largest LLR difference of the two.
set -e
source bench/lent-gpu-setup.sh
N=/opt/n/node
nvidia-smi -L || true
G=bench/out/gpu
for run in "webgpu variants" "webgpu variants-500" "cpu variants-500"; do
  set -- $run
  s=$(date +%s%N)
  $N out/extension/core/cli/main.js vep --backend $1 --model samples/models/dna-saureus --ref $G/NCTC8325.fasta.gz \
    --vcf $G/$2.vcf --out $OUT/$1-$2.vcf 2> $OUT/$1-$2.err || { cat $OUT/$1-$2.err; exit 1; }
  echo "$1 $2: $(( ($(date +%s%N) - s) / 1000000 )) ms wall; $(grep 'ALT alleles' $OUT/$1-$2.err)"
done
$N -e '
const fs = require("fs");
const llr = (f) => fs.readFileSync(f, "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t")[7]);
const a = llr(process.env.OUT + "/webgpu-variants-500.vcf"), b = llr(process.env.OUT + "/cpu-variants-500.vcf");
let max = 0, sum = 0, n = 0;
a.forEach((x, i) => { for (const k of ["SEQLAB_LLR", "SEQLAB_LLR_FWD", "SEQLAB_LLR_RC"]) {
  const g = (s) => Number(new RegExp(k + "=([-0-9.]+)").exec(s)[1]); const d = Math.abs(g(x) - g(b[i])); max = Math.max(max, d); sum += d; n++; } });
console.log(`webgpu vs cpu, ${a.length} records: max abs LLR diff ${max.toFixed(4)} bits, mean ${(sum / n).toFixed(5)} (values printed to 4 decimals)`);
'
