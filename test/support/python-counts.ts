// Independent counts for tests, made by python3 reading the files itself (gzip module, line
// splitting): nothing here shares code with the readers under test.
import { execFileSync } from 'node:child_process';

// Per FASTA record: name,
// length, sha1 of the bases as in the file, GC % from uppercase counts, N and lowercase counts.
const PY_FASTA = `
import gzip, hashlib, json, sys
out = []
for path in sys.argv[1:]:
    data = (gzip.open if path.endswith('.gz') else open)(path, 'rb').read()
    recs = []
    for line in data.split(b'\\n'):
        line = line.rstrip(b'\\r')
        if line.startswith(b'>'):
            recs.append([line[1:].split()[0].decode(), []])
        elif recs:
            recs[-1][1].append(line.replace(b' ', b''))
    for name, parts in recs:
        seq = b''.join(parts); up = seq.upper()
        acgt = sum(up.count(c) for c in b'ACGT')
        out.append(dict(file=path, name=name, length=len(seq), sha1=hashlib.sha1(seq).hexdigest(),
                        gc=(up.count(b'G') + up.count(b'C')) * 100.0 / acgt if acgt else None,
                        n=up.count(b'N'), lower=sum(1 for b in seq if 97 <= b <= 122)))
print(json.dumps(out))
`;

export interface PyRecord {
  file: string;
  name: string;
  length: number;
  sha1: string;
  gc: number | null;
  n: number;
  lower: number;
}

export function pythonFastaSummary(paths: string[]): PyRecord[] {
  return JSON.parse(
    execFileSync('python3', ['-c', PY_FASTA, ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  ) as PyRecord[];
}

// Per FASTQ file: reads, bases, sha1 of the reads' bases joined by newlines, sum of Phred scores.
const PY_FASTQ = `
import gzip, hashlib, json, sys
path = sys.argv[1]
lines = (gzip.open if path.endswith('.gz') else open)(path, 'rb').read().split(b'\\n')
h = hashlib.sha1(); reads = bases = qsum = 0
for i in range(0, len(lines) - 3, 4):
    seq, qual = lines[i + 1].rstrip(b'\\r'), lines[i + 3].rstrip(b'\\r')
    h.update(seq + b'\\n'); reads += 1; bases += len(seq); qsum += sum(qual) - 33 * len(qual)
print(json.dumps(dict(reads=reads, bases=bases, sha1=h.hexdigest(), qsum=qsum)))
`;

export function pythonFastqSummary(path: string): { reads: number; bases: number; sha1: string; qsum: number } {
  return JSON.parse(execFileSync('python3', ['-c', PY_FASTQ, path], { encoding: 'utf8' })) as {
    reads: number;
    bases: number;
    sha1: string;
    qsum: number;
  };
}

// Per VCF file: the first five columns of each data line (CHROM, POS, ID, REF, ALT). Columns are
// split on tabs; a file whose #CHROM line is split by blanks instead has its short lines split on blanks.
const PY_VCF = `
import gzip, json, re, sys
out = {}
for path in sys.argv[1:]:
    text = (gzip.open if path.endswith('.gz') else open)(path, 'rb').read().decode('utf-8')
    lines = [l[:-1] if l.endswith('\\r') else l for l in text.split('\\n')]
    head = [l for l in lines if l.startswith('#') and not l.startswith('##')]
    blanks = bool(head) and len(head[0].split('\\t')) < 8 and len(head[0].split()) >= 8
    rows = []
    for l in lines:
        if l.startswith('#') or not l.strip():
            continue
        cols = l.split('\\t')
        if blanks and len(cols) < 8:
            cols = l.split()
        rows.append(cols[:5])
    out[path] = rows
print(json.dumps(out))
`;

export function pythonVcfColumns(paths: string[]): Record<string, string[][]> {
  return JSON.parse(
    execFileSync('python3', ['-c', PY_VCF, ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  ) as Record<string, string[][]>;
}
