// Real data from Debian packages (ARCHITECTURE.md, "Real data"): paths, and a failure that names the
// package to install when a file is missing (tests never skip silently).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export const REAL = {
  lambdaGenome: { path: '/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz', pkg: 'bowtie2-examples' },
  lambdaReads1: { path: '/usr/share/doc/bowtie2/examples/reads/reads_1.fq.gz', pkg: 'bowtie2-examples' },
  lambdaLongReads: { path: '/usr/share/doc/bowtie2/examples/reads/longreads.fq.gz', pkg: 'bowtie2-examples' },
  pyfaidxGenes: { path: '/usr/share/doc/python-pyfaidx-examples/examples/genes.fasta', pkg: 'python-pyfaidx-examples' },
  pyfaidxGenesLower: {
    path: '/usr/share/doc/python-pyfaidx-examples/examples/genes.fasta.lower',
    pkg: 'python-pyfaidx-examples',
  },
  pyfaidxGenesBgzf: {
    path: '/usr/share/doc/python-pyfaidx-examples/examples/genes.fasta.gz',
    pkg: 'python-pyfaidx-examples',
  },
  pyfaidxCrlf: {
    path: '/usr/share/doc/python-pyfaidx-examples/examples/issue_141.fasta',
    pkg: 'python-pyfaidx-examples',
  },
  pyfaidxBlankLine: {
    path: '/usr/share/doc/python-pyfaidx-examples/examples/issue_83.fasta',
    pkg: 'python-pyfaidx-examples',
  },
  pyfaidxChr17: {
    path: '/usr/share/doc/python-pyfaidx-examples/examples/chr17.hg19.part.fa',
    pkg: 'python-pyfaidx-examples',
  },
  pyfaidxBed12: {
    path: '/usr/share/doc/python-pyfaidx-examples/examples/gene.bed12.fasta',
    pkg: 'python-pyfaidx-examples',
  },
  staphylococcus: {
    path: '/usr/share/doc/sibelia/examples/Sibelia/Staphylococcus_aureus/Staphylococcus.fasta.gz',
    pkg: 'sibelia-examples',
  },
  pyvcfTests: { path: '/usr/share/doc/python3-vcf/test', pkg: 'python-pyvcf-examples' },
  vcfannoExamples: { path: '/usr/share/doc/vcfanno-examples', pkg: 'vcfanno-examples' },
  saureusNctc8325: {
    path: '/usr/share/doc/sibelia/examples/C-Sibelia/Staphylococcus_aureus/NCTC8325.fasta.gz',
    pkg: 'sibelia-examples',
  },
  staphContigs: {
    path: '/usr/share/doc/sibelia/examples/C-Sibelia/Staphylococcus_aureus/RN4220.fasta.gz',
    pkg: 'sibelia-examples',
  },
  helicobacter: {
    path: '/usr/share/doc/sibelia/examples/Sibelia/Helicobacter_pylori/Helicobacter_pylori.fasta.gz',
    pkg: 'sibelia-examples',
  },
} as const;

/** The path of a real data file; fails the test, naming the Debian package, when it is missing. */
export function realFile(f: { path: string; pkg: string }): string {
  assert.ok(existsSync(f.path), `${f.path} is missing: install the Debian package ${f.pkg} (scripts/setup.sh does)`);
  return f.path;
}

/** Fails naming the Debian package when a tool is not on PATH. */
export function requireTool(tool: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
  } catch {
    assert.fail(`${tool} is not installed: install the Debian package ${pkg} (scripts/setup.sh does)`);
  }
}
