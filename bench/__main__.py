"""`python -m bench` (`make bench`): every benchmark at the size of its issue, one table.

Each benchmark module prints one JSON line of figures; this runner runs them one after another
(never in parallel: they measure the machine), writes them all to bench/results.json with the
machine they ran on, and prints a Markdown table for the README.

    python -m bench [--only capture,search] [--quick]

`--quick` runs every benchmark at a small size (a smoke run) and writes bench/results-quick.json.
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


# The figures each issue set a target for, with that target; the rest stays in results.json.
HEADLINES: dict[str, list[tuple[str, str]]] = {
    "capture": [
        ("capture_updates_per_s", ""),
        ("baseline_updates_per_s", "react-only bot, same run"),
        ("ratio", ">= 0.5"),
        ("capture_peak_rss_mib", ""),
    ],
    "search": [
        ("links", ""),
        ("veille_rare_p50_ms", ""),
        ("veille_common_p95_ms", ""),
        ("veille_phrase_p95_ms", ""),
        ("max_p95_over_rare_p95", "<= 5 (common word, phrase)"),
        ("max_veille_over_fts", "<= 1.5"),
        ("min_like_over_veille_selective_p50", ">= 30"),
        ("db_bytes_per_link", ""),
        ("peak_rss_mib", ""),
    ],
    "fanout": [
        ("fanout_ratio", ">= 0.9 of the allowed rate (2,000 channels)"),
        ("one_chat_ratio", ">= 0.9 (200 announcements, one channel)"),
        ("http_429_at_matching_limits", "0"),
        ("duplicates", "0"),
        ("losses", "0"),
        ("wall_seconds", ""),
    ],
    "feeds": [
        ("feeds", ""),
        ("cycle_seconds", "<= 60"),
        ("requests_per_s", ""),
        ("peak_rss_mib", "<= 150"),
        ("new_entries", ""),
    ],
    "previews": [
        ("pages", ""),
        ("pages_per_s", ""),
        ("p95_ms_per_page", ""),
        ("peak_rss_mib", ""),
    ],
    "import": [
        ("messages", ""),
        ("messages_per_s", ""),
        ("links_per_s", ""),
        ("peak_rss_mib", "< 200"),
        ("ratio_to_capture", ">= 1 (as fast as live capture)"),
    ],
}


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| benchmark | figure | value | target |", "|---|---|---|---|"]
    for result in results:
        name = result["benchmark"]
        if "error" in result:
            rows.append(f"| {name} | error | {result['error']} | |")
            continue
        for key, target in HEADLINES.get(name, [(k, "") for k in result if k != "benchmark"]):
            if key in result:
                rows.append(f"| {name} | {key} | {result[key]} | {target} |")
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
    # A smoke run must not overwrite the figures the README's table comes from.
    name = "results-quick.json" if args.quick else "results.json"
    (HERE / name).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(table(results))
    if any("error" in result for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
