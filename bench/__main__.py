"""`python -m bench` (`make bench`): every benchmark at the size of its issue, one table.

Each benchmark module prints one JSON line of figures; this runner runs them one after another
(never in parallel: they measure the machine), writes them all to bench/results.json with the
machine they ran on, and prints a Markdown table for the README.

    python -m bench [--only capture,search] [--quick]

`--quick` passes `--quick` to benchmarks that accept it (smaller sizes, for a smoke run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCHMARKS = ("capture", "search", "fanout", "feeds", "previews", "import")
HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return [name for name in BENCHMARKS if (HERE / f"{name}.py").exists()]


def run_one(name: str, quick: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", f"bench.{name}"]
    if quick:
        command.append("--quick")
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PTB_TIMEDELTA": "1"},
    )
    elapsed = round(time.monotonic() - started, 1)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        return {"benchmark": name, "error": " | ".join(tail), "run_seconds": elapsed}
    result: dict[str, Any] = json.loads(lines[-1])
    result.setdefault("benchmark", name)
    result["run_seconds"] = elapsed
    return result


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| benchmark | figure | value |", "|---|---|---|"]
    for result in results:
        name = result["benchmark"]
        for key, value in result.items():
            if key == "benchmark" or isinstance(value, (dict, list)):
                continue
            rows.append(f"| {name} | {key} | {value} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else available()
    results = []
    for name in names:
        print(f"running bench.{name} ...", file=sys.stderr, flush=True)
        results.append(run_one(name, args.quick))
    document = {"machine": machine(), "results": results}
    (HERE / "results.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(table(results))
    if any("error" in result for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
