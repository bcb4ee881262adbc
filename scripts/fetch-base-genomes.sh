#!/usr/bin/env bash
# Fetches the genomes of the DNA base model (samples/models/dna-base/DATA.md) from Debian packages:
# every package at the version data.json pins (apt-get download, which needs no root), unpacked
# with dpkg-deb, and each genome written as plain FASTA into the target folder (a record subset
# where data.json names records; GenBank converted, bases uppercased). Each file's SHA-256 must be
# the one data.json lists, or the script stops naming the file.
# Usage: bash scripts/fetch-base-genomes.sh [TARGET]   (default .data/genomes)
set -euo pipefail
cd "$(dirname "$0")/.."
LIST=samples/models/dna-base/data.json
TARGET=${1:-.data/genomes}
mkdir -p "$TARGET/.debs" "$TARGET/.pkg"

# data.json as tab-separated lines: package, version, path, format, records (space-separated or -), file, sha256.
entries() {
  node -e '
    const d = require(process.argv[1]);
    for (const e of [...d.train, ...d.heldOut])
      console.log([e.package, d.packages[e.package], e.path, e.format, (e.records ?? ["-"]).join(" "), e.file, e.sha256].join("\t"));
  ' "$(pwd)/$LIST"
}

unpacked() { # package version: the unpacked package's folder, downloaded once
  local pkg=$1 version=$2 dir="$TARGET/.pkg/$1"
  if [ ! -d "$dir" ]; then
    # Its output is shown only when it fails (as root it warns that it downloads unsandboxed).
    (cd "$TARGET/.debs" && apt-get download -q "$pkg=$version" >apt.log 2>&1) || {
      cat "$TARGET/.debs/apt.log" >&2
      echo "apt-get download $pkg=$version failed (is that version still in the archive? apt-cache policy $pkg)" >&2
      exit 1
    }
    mkdir -p "$dir.tmp" && dpkg-deb -x "$TARGET/.debs/${pkg}_${version//:/%3a}_"*.deb "$dir.tmp" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

decompress() {
  case "$1" in
    *.gz) gzip -dc "$1" ;;
    *.xz) xz -dc "$1" ;;
    *) cat "$1" ;;
  esac
}

# FASTA records whose ID (the header's first word) is listed; "-" keeps every line as it is.
pick_records() {
  awk -v keep="$1" 'BEGIN { n = split(keep, k, " "); for (i = 1; i <= n; i++) want[k[i]] = 1 }
    keep == "-" { print; next }
    /^>/ { id = substr($1, 2); on = (id in want) }
    on { print }'
}

# GenBank to FASTA: ">LOCUS-name DEFINITION", the ORIGIN bases uppercased, 60 per line.
genbank_to_fasta() {
  awk '/^LOCUS/ { name = $2 } /^DEFINITION/ { def = substr($0, 13) }
    /^ORIGIN/ { print ">" name " " def; seq = ""; on = 1; next }
    /^\/\// { for (i = 1; i <= length(seq); i += 60) print substr(seq, i, 60); on = 0; next }
    on { line = toupper($0); gsub(/[^A-Z]/, "", line); seq = seq line }'
}

failed=0
while IFS=$'\t' read -r pkg version path format records file sha256; do
  src="$(unpacked "$pkg" "$version")$path"
  [ -f "$src" ] || { echo "$pkg $version has no $path" >&2; exit 1; }
  if [ "$format" = genbank ]; then decompress "$src" | genbank_to_fasta; else decompress "$src" | pick_records "$records"; fi >"$TARGET/$file.tmp"
  got=$(sha256sum "$TARGET/$file.tmp" | cut -d' ' -f1)
  if [ "$got" != "$sha256" ]; then
    echo "SHA-256 mismatch: $file (from $pkg $version $path) is $got; $LIST says $sha256" >&2
    rm "$TARGET/$file.tmp"
    failed=1
    continue
  fi
  mv "$TARGET/$file.tmp" "$TARGET/$file"
  echo "$file"
done <<<"$(entries)"
[ "$failed" = 0 ] || { echo "the files above did not match $LIST and were not written" >&2; exit 1; }
echo "genomes in $TARGET"
