"""Readers of the files that bring a community's past links into Veille.

Each reader takes a binary file and yields plain records, one at a time, so that a file of any
size is read in constant memory: `telegram_export` (Telegram Desktop's result.json),
`bookmarks` (Netscape bookmark files from browsers, Shaarli, linkding, Karakeep, Pocket) and
`jsonl` (Veille's own `veille export --format jsonl`). They do no database work: `bot.importing`
turns their records into shares through the capture path and writes them.

A record that cannot be used is yielded as `Skipped` with a reason (counted in the summary);
a file that cannot be read past some point raises `MalformedFile` with where that point is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record left out, and why (a short key: "service", "relative_url", ...)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Position:
    """Where in a file: byte offset from the start, and line and column (1-based) if known."""

    offset: int
    line: int | None = None
    column: int | None = None


class MalformedFile(Exception):
    """The file cannot be read past `position`; `detail` is the parser's own words."""

    def __init__(self, detail: str, position: Position | None = None) -> None:
        self.detail = detail
        self.position = position
        where = ""
        if position is not None:
            where = f"byte {position.offset}"
            if position.line is not None:
                where = (
                    f"line {position.line}"
                    + (f", column {position.column}" if position.column is not None else "")
                    + f" (byte {position.offset})"
                )
            where = f" at {where}"
        super().__init__(f"malformed file{where}: {detail}")
