"""Run every benchmark in bench/ and print one table of their figures; also write bench/out/latest.md.

Each bench runs as its own process (its figures are the lines it prints), in the `--quick` profile
(CI-sized) or at full size (default). Benches listed here but missing from bench/ are reported as such;
scripts in bench/ not listed here run without arguments. The markdown file (written by complete runs,
not `--only`) names the machine and the profile, ready for the README's Performance section.

    .venv/bin/python bench/run_all.py [--quick] [--only scrape flow_cache]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
NOT_BENCHES = {"run_all", "report_screenshot", "forecast_chart"}  # these two redraw docs/ pictures, measure nothing
# name -> (full-size arguments, quick arguments), in the order the table shows them
PROFILES: dict[str, tuple[list[str], list[str]]] = {
    "scrape": ([], ["--items", "60", "--products", "800"]),
    "images": ([], ["--n", "48", "--baseline-n", "24"]),
    "market_images": ([], ["20"]),
    "input_pipeline": ([], ["--examples", "128", "--batches", "5", "--steps", "2"]),
    "train": ([], ["--sizes", "96", "--steps", "2", "--warmup", "1"]),
    "title_model": ([], []),
    "demo_accuracy": ([], ["--products", "300", "--size", "32", "--epochs", "1", "--targets", "brand", "price_band",
                            "--archs", "default"]),
    "flow_cache": ([], ["--models", "2", "--items", "30", "--products", "400"]),
}
_BOX = re.compile(r"[\u2500-\u257f]")
_NOISE = re.compile(r"^(I0000|W0000|E0000|WARNING: All log|To enable the following|\d\d:\d\d:\d\d\.\d+ \| )")


@dataclass
class Result:
    name: str
    status: str
    seconds: float = 0.0
    figures: list[str] = field(default_factory=list)


def figures(output: str) -> list[str]:
    """The lines a bench printed, without table borders and library log noise."""
    lines = []
    for raw in output.splitlines():
        line = " ".join(_BOX.sub(" ", raw).split())
        if line and not _NOISE.match(raw.strip()):
            lines.append(line)
    return lines


def run_bench(name: str, args: list[str], timeout_s: float) -> Result:
    script = BENCH / f"{name}.py"
    if not script.is_file():
        return Result(name, "missing")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "COLUMNS": "160"}
    t0 = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(script), *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return Result(name, f"timeout after {timeout_s:.0f} s", time.perf_counter() - t0, figures(out))
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        tail = [line for line in done.stderr.splitlines() if line.strip()][-1:] or ["(no output)"]
        return Result(name, f"failed (exit {done.returncode})", seconds, figures(done.stdout) + tail)
    return Result(name, "ok", seconds, figures(done.stdout))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = cpu
    return (f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def markdown(results: list[Result], profile: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"Benchmarks ({profile} profile, {when}) on {machine()}", "",
           "| bench | status | time (s) | figures |", "|---|---|---:|---|"]
    for r in results:
        figs = "<br>".join(f.replace("|", "\\|") for f in r.figures) or "-"
        out.append(f"| {r.name} | {r.status} | {r.seconds:.0f} | {figs} |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI-sized inputs (minutes, not tens of minutes)")
    ap.add_argument("--only", nargs="+", default=None, help="run only these benches")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds per bench (default 600 quick, 3600 full)")
    a = ap.parse_args()
    found = sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in NOT_BENCHES)
    names = [n for n in PROFILES] + [n for n in found if n not in PROFILES]
    if a.only:
        names = [n for n in names if n in a.only]
    timeout = a.timeout or (600 if a.quick else 3600)
    console = Console(width=200)
    results = []
    for name in names:
        full, quick = PROFILES.get(name, ([], []))
        console.print(f"[dim]running {name} {' '.join(quick if a.quick else full)}[/dim]")
        results.append(run_bench(name, quick if a.quick else full, timeout))

    profile = "quick" if a.quick else "full"
    table = Table(title=f"Benchmarks ({profile}) on {machine()}", show_lines=True)
    for col in ("bench", "status", "time (s)", "figures"):
        table.add_column(col, justify="right" if col == "time (s)" else "left")
    for r in results:
        table.add_row(r.name, r.status, f"{r.seconds:.0f}", "\n".join(r.figures) or "-")
    console.print(table)
    if a.only:
        console.print("bench/out/latest.md left as it was: it holds complete runs only")
    else:
        out = BENCH / "out" / "latest.md"
        out.parent.mkdir(exist_ok=True)
        out.write_text(markdown(results, profile), encoding="utf-8")
        console.print(f"wrote {out.relative_to(ROOT)}")
    if any(r.status not in ("ok", "missing") for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
