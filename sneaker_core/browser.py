"""Find (or install) a Chromium that Python Playwright can drive via an explicit executable path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Flags that keep headless Chromium quiet on a closed network and when run as root.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class BrowserNotFoundError(RuntimeError):
    """No usable Chromium; the message says how to provide one."""


def _playwright_bundled() -> Path | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            exe = Path(p.chromium.executable_path)
    except Exception:  # noqa: BLE001 - any failure means "not installed"
        return None
    return exe if exe.exists() else None


def find_chromium(explicit: Path | str | None = None) -> Path | None:
    """Explicit path (or SNEAKER_CHROMIUM), then Playwright's own browser, then the system package."""
    explicit = explicit or os.environ.get("SNEAKER_CHROMIUM")
    if explicit:
        p = Path(explicit)
        if not (p.is_file() and os.access(p, os.X_OK)):
            raise BrowserNotFoundError(f"SNEAKER_CHROMIUM={p} is not an executable file; fix the path or unset it")
        return p
    bundled = _playwright_bundled()
    if bundled:
        return bundled
    for cand in SYSTEM_CANDIDATES:
        if Path(cand).is_file():
            return Path(cand)
    found = shutil.which("chromium")
    return Path(found) if found else None


def ensure_chromium(explicit: Path | str | None = None, install: bool = True) -> Path:
    """Find a Chromium; else try `playwright install chromium`, then (as root) `apt-get install chromium`."""
    exe = find_chromium(explicit)
    if exe or not install:
        if exe:
            return exe
        raise BrowserNotFoundError(_HOWTO)
    attempts = [[sys.executable, "-m", "playwright", "install", "chromium"]]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        attempts.append(["sh", "-c", "apt-get update -qq && apt-get install -y -qq chromium"])
    for cmd in attempts:
        try:
            subprocess.run(cmd, check=True, timeout=900, capture_output=True)
        except (subprocess.SubprocessError, OSError):
            continue
        exe = find_chromium()
        if exe:
            return exe
    raise BrowserNotFoundError(_HOWTO)


_HOWTO = (
    "no Chromium found: set SNEAKER_CHROMIUM=/path/to/chromium, or run `python -m playwright install chromium`, "
    "or `sudo apt-get install chromium`"
)


def main() -> None:
    """`python -m sneaker_core.browser`: print the browser path (installing one if needed)."""
    try:
        print(ensure_chromium())
    except BrowserNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
