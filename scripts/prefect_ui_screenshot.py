"""Refresh docs/prefect-ui.png: a weekly-refresh run in the Prefect UI, from the operations test's real stack.

    .venv/bin/python scripts/prefect_ui_screenshot.py [--out docs/prefect-ui.png]

Runs `tests/test_ops_server.py` (server, `sneaker deploy`, a worker, one tiny weekly run, the UI in headless
Chromium; several minutes) with its temporary folders under a folder of this script's, then copies the
screenshot that test took. The test itself never writes into the checkout.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from sneaker_core.atomic import write_bytes

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "prefect-ui.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prefect-ui-") as base:
        test = "tests/test_ops_server.py::test_ui_shows_the_run_its_task_runs_and_artifacts"
        done = subprocess.run([sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider",
                               f"--basetemp={base}"], cwd=ROOT, check=False)
        shots = sorted(Path(base).rglob("prefect-ui.png"))
        if done.returncode != 0 or len(shots) != 1:
            print(f"error: the UI test failed (exit {done.returncode}) or left {len(shots)} screenshots; "
                  "docs unchanged", file=sys.stderr)
            return 1
        write_bytes(args.out, shots[0].read_bytes())
    print(f"screenshot: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
