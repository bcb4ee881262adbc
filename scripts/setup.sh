#!/usr/bin/env bash
# Sets up a fresh Debian machine for Mamba SeqLab: system packages (chromium for its SwiftShader
# Vulkan driver and the UI tests; real genomes and sounds for the data tests), npm packages, the
# build, and the VS Code server that the integration and e2e tiers run in. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
# libvulkan1: Dawn for Node (the gpu tier) loads libvulkan.so.1 from the system path; chromium's copy is private.
APT_PACKAGES=(chromium libvulkan1 libkrb5-dev pkg-config sox espeak-ng fluidsynth fluid-soundfont-gm
  bowtie2-examples python-pyfaidx-examples sibelia-examples python-pyvcf-examples vcfanno-examples)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm ci --no-audit --no-fund
if [ -f test/vscode/install-code-server.sh ]; then bash test/vscode/install-code-server.sh; fi
