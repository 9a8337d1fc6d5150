#!/usr/bin/env bash
# One-time, idempotent setup: .venv with the project installed, and a Chromium that Playwright can drive.
# A second invocation reinstalls nothing when pyproject.toml has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
STAMP="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"

pick_python() {
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then echo "$py"; return; fi
  done
  echo "error: Python 3.11+ not found; install it (e.g. apt-get install python3) or set PYTHON=/path/to/python3.11" >&2
  exit 2
}

if [ ! -f "$STAMP" ]; then
  PY=$(pick_python)
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        "$PY" -m venv "$VENV"
      else
        echo "error: '$PY -m venv' failed; install the venv module (sudo apt-get install python3-venv)" >&2
        exit 2
      fi
    fi
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check uv
  "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" -e '.[dev]'
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi

# Chromium: SNEAKER_CHROMIUM, Playwright's own, /usr/bin/chromium, `playwright install`, then apt-get (as root).
if [ ! -s "$VENV/chromium-path" ] || [ ! -x "$(cat "$VENV/chromium-path")" ]; then
  "$VENV/bin/python" -m sneaker_core.browser > "$VENV/chromium-path.tmp"
  mv "$VENV/chromium-path.tmp" "$VENV/chromium-path"
fi
