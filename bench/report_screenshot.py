"""Rebuild docs/report.png: a full-page screenshot of a run's report (a real run, or a seeded synthetic one).

    .venv/bin/python bench/report_screenshot.py [--run data/runs/<run_id>] [--out docs/report.png] [--seed 7]

Prints the build time, the page size and the screenshot path. Without `--run` the run is synthetic
(`tests/fake_run.py`, test support), so the screenshot is reproducible without any training.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from sneaker_core.atomic import atomic_path, sha256_file
from sneaker_core.browser import LAUNCH_ARGS, find_chromium
from sneaker_core.report import build_report
from sneaker_core.rundir import RunDir

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fake_run import write_fake_run  # test support, found on the path just set

FIXED_NOW = datetime(2024, 1, 8, 6, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "report.png")
    parser.add_argument("--run", type=Path, default=None, help="a run directory (default: a synthetic run)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--width", type=int, default=1240)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.run is None:
            run = RunDir(write_fake_run(Path(tmp) / "runs" / "2024-W02-demo", seed=args.seed))
            os.utime(run.metrics, (FIXED_NOW.timestamp(), FIXED_NOW.timestamp()))  # shown in the header
        else:
            run = RunDir.open(args.run)
        t0 = time.perf_counter()
        report = build_report(run, now=None if args.run else FIXED_NOW)
        seconds = time.perf_counter() - t0
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(find_chromium()), args=LAUNCH_ARGS)
            try:
                page = browser.new_page(viewport={"width": args.width, "height": 900})
                page.goto(Path(report["path"]).resolve().as_uri())
                with atomic_path(args.out) as shot:
                    page.screenshot(path=str(shot), full_page=True, type="png")
            finally:
                browser.close()
    print(f"report built in {seconds:.2f} s: {report['bytes']:,} bytes, {report['images']} images, "
          f"sha256 {report['sha256'][:12]}")
    print(f"screenshot: {args.out} ({sha256_file(args.out)[:12]})")


if __name__ == "__main__":
    main()
