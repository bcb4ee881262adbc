// Does the model's zero-shot LLR tell a stop codon from a silent change? In the held-out part of
// a genome (the complement of the model's training range, from its training.json) it finds long
// ORFs on both strands (ATG to stop, >= --min-codons sense codons, inside the held-out part, bases
// covered by one ORF only), makes every single-base substitution that turns a codon into a stop
// (nonsense) or keeps its amino acid (synonymous), pairs them by substitution (the same REF>ALT on
// the genome's strand, equal numbers of each), writes them as a VCF and scores it as `seqlab vep`
// does (VcfReader -> scoreEntries -> VariantEffectScorer). The AUROC of -LLR for "nonsense" is set
// beside that of order-k Markov models counted on the training range (with the reverse complement)
// and scored with the same windows, strands and sums; chance is 0.5.
//
// node out/bench/variant-effect.js [--model samples/models/dna-saureus] [--window 256] [--pairs 1000]
//   [--min-codons 300] [--seed 1] [--orders 1-12] [--vcf-out FILE]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, parseOptions } from '../extension/core/cli/command';
import { DnaTokenizer } from '../extension/core/datasets/dna-tokenizer';
import { rangeBounds, rangeText } from '../extension/core/runs/data-range';
import { defaultMarkovOrders, MarkovModel, markovSequences, markovSweep } from '../extension/core/runs/markov-baseline';
import { resolveModelOrigin } from '../extension/core/runs/model-origin';
import { loadTokenData } from '../extension/core/runs/token-data';
import { Rng } from '../kernels/train/rng';
import { openDnaModel } from '../extension/core/variants/dna-model';
import { ReferenceGenome, type ReferenceContig } from '../extension/core/variants/reference';
import { scoreEntries } from '../extension/core/variants/score-vcf';
import { readFlanks, VariantEffectScorer } from '../extension/core/variants/variant-effect';
import { VcfReader } from '../extension/core/variants/vcf-reader';

const BASES = 'TCAG';
// The standard genetic code (bacterial table 11 has the same amino acids), codons in TCAG order.
const AMINO = 'FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG';
const aminoOf = (codon: string): string =>
  AMINO[BASES.indexOf(codon[0]) * 16 + BASES.indexOf(codon[1]) * 4 + BASES.indexOf(codon[2])] ?? '?';
const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };
const revComp = (s: string): string =>
  [...s]
    .reverse()
    .map((b) => COMPLEMENT[b] ?? 'N')
    .join('');

interface Orf {
  strand: '+' | '-';
  /** Genome positions (0-based) of the ORF's bases in reading order, stop codon included. */
  positions: Int32Array;
  codons: number;
}

/** ORFs (ATG .. stop, at least `minCodons` sense codons) on both strands of seq[from, to). */
function findOrfs(seq: string, from: number, to: number, minCodons: number): Orf[] {
  const orfs: Orf[] = [];
  const strands: ['+' | '-', string, (x: number) => number][] = [
    ['+', seq.slice(from, to), (x) => from + x],
    ['-', revComp(seq.slice(from, to)), (x) => to - 1 - x],
  ];
  for (const [strand, s, genomeAt] of strands) {
    for (let frame = 0; frame < 3; frame++) {
      let start = -1;
      for (let p = frame; p + 3 <= s.length; p += 3) {
        const codon = s.slice(p, p + 3);
        if (start < 0 && codon === 'ATG') start = p;
        else if (start >= 0 && aminoOf(codon) === '*') {
          const codons = (p - start) / 3;
          if (codons >= minCodons)
            orfs.push({
              strand,
              codons,
              positions: Int32Array.from({ length: p + 3 - start }, (_, i) => genomeAt(start + i)),
            });
          start = -1;
        }
      }
    }
  }
  return orfs;
}

interface Candidate {
  pos: number; // 0-based genome position
  ref: string; // genome strand
  alt: string;
  nonsense: boolean;
}

/** Nonsense and synonymous substitutions in the sense codons after the start, at bases of one ORF only. */
function candidates(seq: string, orfs: readonly Orf[]): Candidate[] {
  const cover = new Map<number, number>();
  for (const o of orfs) for (const p of o.positions) cover.set(p, (cover.get(p) ?? 0) + 1);
  const out: Candidate[] = [];
  for (const o of orfs) {
    const base = (i: number) => (o.strand === '+' ? seq[o.positions[i]] : COMPLEMENT[seq[o.positions[i]]]);
    for (let c = 1; c < o.codons; c++) {
      const codon = base(3 * c) + base(3 * c + 1) + base(3 * c + 2);
      const aa = aminoOf(codon);
      for (let j = 0; j < 3; j++) {
        const pos = o.positions[3 * c + j];
        if (cover.get(pos) !== 1) continue;
        for (const b of 'ACGT') {
          if (b === codon[j]) continue;
          const mutated = aminoOf(codon.slice(0, j) + b + codon.slice(j + 1));
          if (mutated !== '*' && mutated !== aa) continue;
          const ref = seq[pos],
            alt = o.strand === '+' ? b : COMPLEMENT[b];
          out.push({ pos, ref, alt, nonsense: mutated === '*' });
        }
      }
    }
  }
  return out;
}

function shuffle<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Equal numbers of nonsense and synonymous variants per REF>ALT, `pairs` pairs in all (fewer when there are not that many). */
function paired(
  all: readonly Candidate[],
  pairs: number,
  rng: Rng,
): { chosen: Candidate[]; byClass: Map<string, number> } {
  const groups = new Map<string, { nonsense: Candidate[]; synonymous: Candidate[] }>();
  for (const c of all) {
    const key = `${c.ref}>${c.alt}`;
    const g = groups.get(key) ?? { nonsense: [], synonymous: [] };
    (c.nonsense ? g.nonsense : g.synonymous).push(c);
    groups.set(key, g);
  }
  const allPairs: [Candidate, Candidate][] = [];
  for (const [, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const n = shuffle(g.nonsense, rng),
      s = shuffle(g.synonymous, rng);
    for (let i = 0; i < Math.min(n.length, s.length); i++) allPairs.push([n[i], s[i]]);
  }
  const kept = shuffle(allPairs, rng).slice(0, pairs);
  const byClass = new Map<string, number>();
  for (const [n] of kept) byClass.set(`${n.ref}>${n.alt}`, (byClass.get(`${n.ref}>${n.alt}`) ?? 0) + 1);
  return { chosen: kept.flat(), byClass };
}

/** P(score of a positive > score of a negative), ties counting half (Mann-Whitney). */
function auroc(positive: readonly number[], negative: readonly number[]): number {
  const all = [...positive.map((v) => [v, 1]), ...negative.map((v) => [v, 0])].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const rank = (i + j + 1) / 2; // 1-based mean rank of the tie block
    for (let k = i; k < j; k++) if (all[k][1] === 1) rankSum += rank;
    i = j;
  }
  const p = positive.length,
    n = negative.length;
  return (rankSum - (p * (p + 1)) / 2) / (p * n);
}

/** The Markov model's LLR with vep's windows: log2 P(alt + right | left) - log2 P(ref + right | left), both strands averaged. */
function markovLlr(
  model: MarkovModel,
  tok: DnaTokenizer,
  w: { left: string; ref: string; alt: string; right: string },
): Promise<number> {
  const logP = async (context: string, allele: string, flank: string) => {
    const bits = await model.score(Uint8Array.from(tok.encodeString(context + allele + flank)));
    let sum = 0;
    for (let i = context.length; i < bits.length; i++) if (!Number.isNaN(bits[i])) sum += bits[i];
    return -sum;
  };
  const strand = async (context: string, ref: string, alt: string, flank: string) =>
    (await logP(context, alt, flank)) - (await logP(context, ref, flank));
  return Promise.all([
    strand(w.left, w.ref, w.alt, w.right),
    strand(revComp(w.right), revComp(w.ref), revComp(w.alt), revComp(w.left)),
  ]).then(([f, r]) => (f + r) / 2);
}

async function main(args: string[]): Promise<void> {
  const o = parseOptions(args, {
    model: 'value',
    window: 'value',
    pairs: 'value',
    'min-codons': 'value',
    seed: 'value',
    orders: 'value',
    'vcf-out': 'value',
  });
  const modelDir = o.values.model ?? 'samples/models/dna-saureus';
  const window = Number(o.values.window ?? 256),
    pairs = Number(o.values.pairs ?? 1000),
    minCodons = Number(o.values['min-codons'] ?? 300);
  const origin = await resolveModelOrigin(modelDir);
  const training = origin.training;
  if (!training || training.data.length !== 1)
    throw new CliError(`${modelDir}: needs a training.json naming one genome and the training range`);
  const genome = training.data[0];
  const held = training.range.startPct === 0 ? { startPct: training.range.endPct, endPct: 100 } : undefined;
  if (!held) throw new CliError(`${modelDir}: the training range must start at 0%`);

  const reference = await ReferenceGenome.open(genome);
  if (reference.fasta.records.count !== 1) throw new CliError(`${genome}: one record expected`);
  const rec = reference.fasta.records.get(0);
  const contig: ReferenceContig = { index: 0, name: rec.name, length: rec.length, match: 'exact' };
  const seq = Buffer.from(await reference.bases(0, 0, rec.length))
    .toString('latin1')
    .toUpperCase();
  const [from, to] = rangeBounds(held, seq.length);
  const orfs = findOrfs(seq, from, to, minCodons);
  const all = candidates(seq, orfs);
  const rng = new Rng(Number(o.values.seed ?? 1));
  const { chosen, byClass } = paired(all, pairs, rng);
  chosen.sort((a, b) => a.pos - b.pos || a.alt.localeCompare(b.alt));
  console.log(
    `${genome}: held-out ${rangeText(held)} = [${from}, ${to}); ${orfs.length} ORFs >= ${minCodons} codons ` +
      `(${orfs.filter((x) => x.strand === '+').length} +, ${orfs.filter((x) => x.strand === '-').length} -); ` +
      `${all.filter((c) => c.nonsense).length} nonsense and ${all.filter((c) => !c.nonsense).length} synonymous candidates; ` +
      `${chosen.length / 2} pairs over ${byClass.size} substitutions`,
  );

  const vcfPath = o.values['vcf-out'] ?? join(mkdtempSync(join(tmpdir(), 'seqlab-variant-effect-')), 'variants.vcf');
  writeFileSync(
    vcfPath,
    ['##fileformat=VCFv4.2', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO']
      .concat(
        chosen.map(
          (c) => `${rec.name}\t${c.pos + 1}\t${c.nonsense ? 'nonsense' : 'synonymous'}\t${c.ref}\t${c.alt}\t.\t.\t.`,
        ),
      )
      .join('\n') + '\n',
  );

  // The model, through the vep path.
  const dna = await openDnaModel(origin.modelDir, 'cpu');
  const reader = await VcfReader.open(vcfPath);
  const load0 = loadavg();
  const t0 = performance.now();
  const llr = new Map<string, number>();
  for await (const batch of scoreEntries(
    reader.entries(),
    reference,
    new VariantEffectScorer(dna.backend, dna.model, dna.tokenizer),
    {
      vcfName: vcfPath,
      window,
    },
  )) {
    for (const { result } of batch) {
      const a = result.alleles[0];
      if (a.status !== 'scored') throw new Error(`line ${result.line}: ${a.status}`);
      llr.set(`${result.pos! - 1}${a.alt}`, a.llr!);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const load1 = loadavg();
  await reader.close();
  dna.dispose();
  // Scores of the nonsense and of the synonymous variants, from a score per chosen variant.
  const split = (score: (i: number) => number) => [
    chosen.flatMap((c, i) => (c.nonsense ? [score(i)] : [])),
    chosen.flatMap((c, i) => (c.nonsense ? [] : [score(i)])),
  ];
  const [mN, mS] = split((i) => -llr.get(`${chosen[i].pos}${chosen[i].alt}`)!);
  const modelAuroc = auroc(mN, mS);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  // Order-k Markov models counted on the training range, the same windows.
  const train = await loadTokenData([genome], training.range);
  const test = await loadTokenData([genome], held);
  const tok = DnaTokenizer.fromJSON(train.tokenizer);
  const seqs = markovSequences(train, true);
  const [k0, k1] = (o.values.orders ?? '').split('-').map(Number);
  const orders = o.values.orders
    ? Array.from({ length: (k1 ?? k0) - k0 + 1 }, (_, i) => k0 + i)
    : defaultMarkovOrders('dna');
  const heldBits = new Map((await markovSweep(train, test, orders, true)).map((r) => [r.k, r.score.bitsPerToken]));
  const windows = await Promise.all(
    chosen.map(async (c) => {
      const f = await readFlanks(reference, contig, c.pos, 1, window);
      const s = (b: Uint8Array) => Buffer.from(b).toString('latin1').toUpperCase();
      return { left: s(f.left), ref: c.ref, alt: c.alt, right: s(f.right) };
    }),
  );
  const markov: { k: number; bits: number; auroc: number }[] = [];
  for (const k of orders) {
    const m = new MarkovModel(k, train.scored, seqs);
    const scores = await Promise.all(windows.map((w) => markovLlr(m, tok, w)));
    const [n, s] = split((i) => -scores[i]);
    markov.push({ k, bits: heldBits.get(k)!, auroc: auroc(n, s) });
  }
  await reference.close();
  const bestBits = markov.reduce((a, b) => (b.bits < a.bits ? b : a));
  const bestAuroc = markov.reduce((a, b) => (b.auroc > a.auroc ? b : a));

  console.log(
    `\nvariants: ${chosen.length} (${chosen.length / 2} nonsense, ${chosen.length / 2} synonymous), window ${window}`,
  );
  console.log(`substitutions (pairs each): ${[...byClass].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `model ${modelDir}: AUROC ${modelAuroc.toFixed(4)}; mean LLR nonsense ${(-mean(mN)).toFixed(3)}, synonymous ${(-mean(mS)).toFixed(3)} bits`,
  );
  console.log(
    `  ${chosen.length} variants in ${seconds.toFixed(1)} s: ${(chosen.length / seconds).toFixed(2)} variants/s on the CPU backend (1 thread); load average ${load0[0].toFixed(1)} before, ${load1[0].toFixed(1)} after`,
  );
  console.log('\n| Markov order k | held-out bits/base | AUROC |\n|---|---|---|');
  for (const m of markov) console.log(`| ${m.k} | ${m.bits.toFixed(4)} | ${m.auroc.toFixed(4)} |`);
  console.log(
    `\nbest Markov by held-out bits: k=${bestBits.k}, AUROC ${bestBits.auroc.toFixed(4)}; best Markov AUROC: k=${bestAuroc.k}, ${bestAuroc.auroc.toFixed(4)}`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
