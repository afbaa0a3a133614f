"""What the benchmarks share: variants measured in child processes, and a web served by another.

A benchmark runs each variant (Veille, then its baseline) as `python -m bench.NAME --child …`,
so that the peak RSS a variant reports is its own: the child prints one JSON line of figures
(`print_figures`), the parent reads it (`run_child`). Benchmarks that fetch pages or feeds start
a server process (`served_web`) that listens on loopback "sites" (127.0.0.1, 127.0.0.2, …),
prints their addresses as one JSON line and serves, with keep-alive, until its stdin closes
(`serve_sites`, `keep_alive`).
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from storage.db import Database

Sites = list[list[Any]]  # [host, port] of each site, as JSON gives them back
Respond = Callable[[bytes], bytes]  # request head -> the whole response


def peak_rss_mib() -> float:
    """This process's peak resident set size, in MiB (Linux counts it in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_figures(figures: dict[str, Any]) -> None:
    """A child's last word: its figures and its peak RSS, as one JSON line."""
    figures["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(figures))


def run_child(module: str, *args: str, stdin: str | None = None) -> dict[str, Any]:
    """Run `python -m module args…` and return the figures of its last JSON line."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join((module, *args))} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def served_web(module: str, *args: str) -> Iterator[Sites]:
    """Start `python -m module --serve args…`; the sites it serves, until the block ends."""
    server = subprocess.Popen(
        [sys.executable, "-m", module, "--serve", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield json.loads(server.stdout.readline())
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


async def serve_sites(respond: Respond, sites: int, backlog: int = 100) -> None:
    """Listen on `sites` loopback addresses, print them, serve until stdin closes."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await keep_alive(reader, writer, respond)

    listeners = [
        await asyncio.start_server(connection, f"127.0.0.{site + 1}", 0, backlog=backlog)
        for site in range(sites)
    ]
    addresses = [listener.sockets[0].getsockname()[:2] for listener in listeners]
    print(json.dumps(addresses), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def keep_alive(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, respond: Respond
) -> None:
    """Answer every request of one connection until the client hangs up."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            writer.write(respond(head))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def request_path(head: bytes) -> str:
    """The path of a request, from its head."""
    return head.split(b" ", 2)[1].decode()


async def count_rows(db: Database, sql: str) -> int:
    """The single number a `SELECT count(*)` returns."""
    async with db.reader.execute(sql) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0
