#!/usr/bin/env bash
# install-deps.sh: installs the Debian packages and npm modules Otklik needs (idempotent).
# Called by `make run`, `make test` and .ci/run. Uses apt-get (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
      libstemmer-dev libutf8proc-dev libsodium-dev libcurl4-openssl-dev libxlsxwriter-dev
      libcriterion-dev postgresql postgresql-client chromium clang libclang-rt-14-dev
      jq zlib1g-dev sqlite3 valgrind)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Test tooling from npm (lock file committed); the browser is Debian's chromium.
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/ajv ]; then
  echo "install-deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
