#!/usr/bin/env bash
# Installs Okta's official SDKs for the SDK conformance tests (crates/sightline/tests/sdk_conformance.rs):
#   - Python `okta` (tests/sdk/python/requirements.txt, pinned) into a venv at target/sdk-venv
#   - Node `@okta/okta-sdk-nodejs` (tests/sdk/node/package.json + package-lock.json) into
#     tests/sdk/node/node_modules via `npm ci`
# Idempotent: each half is skipped when already installed from the same pinned files.
# Needs python3 (with the venv module) and node + npm; only PyPI and the npm registry are contacted.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

py_req="tests/sdk/python/requirements.txt"
venv="target/sdk-venv"
node_dir="tests/sdk/node"

sha() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

# ---- Python -------------------------------------------------------------------------------------
py_stamp="$venv/.sightline-requirements.sha256"
py_want="$(sha "$py_req")"
okta_pin="$(sed -n 's/^okta==\([^ ]*\).*/\1/p' "$py_req")"
py_have_version() {
  "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("okta"))' 2>/dev/null || true
}
if [[ -x "$venv/bin/python" && -f "$py_stamp" && "$(cat "$py_stamp")" == "$py_want" \
      && "$(py_have_version)" == "$okta_pin" ]]; then
  echo "python: okta $okta_pin already installed in $venv"
else
  python="${PYTHON:-python3}"
  command -v "$python" >/dev/null || { echo "error: $python not found (needed for the Python SDK venv)" >&2; exit 1; }
  if [[ ! -x "$venv/bin/python" ]]; then
    rm -rf "$venv"
    "$python" -m venv "$venv" || {
      echo "error: '$python -m venv' failed; on Debian install python3-venv" >&2; exit 1; }
  fi
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$py_req"
  have="$(py_have_version)"
  [[ "$have" == "$okta_pin" ]] || { echo "error: okta $have installed, wanted $okta_pin" >&2; exit 1; }
  echo "$py_want" > "$py_stamp"
  echo "python: installed okta $have into $venv"
fi

# ---- Node ---------------------------------------------------------------------------------------
node_stamp="$node_dir/node_modules/.sightline-lock.sha256"
node_want="$(sha "$node_dir/package.json" "$node_dir/package-lock.json")"
node_pin="$(sed -n 's/.*"@okta\/okta-sdk-nodejs": *"\([^"]*\)".*/\1/p' "$node_dir/package.json")"
node_have_version() {
  sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' \
    "$node_dir/node_modules/@okta/okta-sdk-nodejs/package.json" 2>/dev/null || true
}
if [[ -f "$node_stamp" && "$(cat "$node_stamp")" == "$node_want" && "$(node_have_version)" == "$node_pin" ]]; then
  echo "node: @okta/okta-sdk-nodejs $node_pin already installed in $node_dir/node_modules"
else
  command -v npm >/dev/null || { echo "error: npm not found (needed for the Node SDK)" >&2; exit 1; }
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  have="$(node_have_version)"
  [[ "$have" == "$node_pin" ]] || { echo "error: @okta/okta-sdk-nodejs $have installed, wanted $node_pin" >&2; exit 1; }
  echo "$node_want" > "$node_stamp"
  echo "node: installed @okta/okta-sdk-nodejs $have into $node_dir/node_modules"
fi
