#!/usr/bin/env bash
# Installs what the web UI's browser tests need (crates/sightline/tests/web_ui.rs):
#   - Debian's Chromium at /usr/bin/chromium (apt-get; needs root), when missing
#   - playwright-core, pinned in tests/web/package-lock.json, into tests/web/node_modules (npm ci)
# Idempotent: each half is skipped when already in place. No browser is downloaded by npm.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ -x /usr/bin/chromium ]]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
else
  command -v apt-get >/dev/null || { echo "error: /usr/bin/chromium is missing and apt-get is not available" >&2; exit 1; }
  sudo_cmd=""
  [[ "$(id -u)" == 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  echo "chromium: installed $(/usr/bin/chromium --version 2>/dev/null | head -1)"
fi

web="tests/web"
stamp="$web/node_modules/.sightline-lock.sha256"
want="$(sha256sum "$web/package.json" "$web/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -d "$web/node_modules/playwright-core" ]]; then
  echo "node: playwright-core already installed in $web/node_modules"
else
  command -v npm >/dev/null || { echo "error: npm not found (needed for the browser tests)" >&2; exit 1; }
  (cd "$web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
  echo "node: installed playwright-core into $web/node_modules"
fi
