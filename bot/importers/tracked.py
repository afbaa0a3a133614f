"""A binary file read in chunks that remembers where it is: for progress bars and error positions.

Streaming parsers (ijson's C backend, `html.parser`) read a chunk at a time and report errors
only relative to the chunk they were given, if at all. This reader keeps the last chunk, where
it starts and how many lines came before it, so a parser error becomes a line, a column and a
byte offset in the file.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from bot.importers import Position

UTF8_BOM = b"\xef\xbb\xbf"
_LINE_BREAKS_AS_SPACES = bytes.maketrans(b"\n\r", b"  ")


class TrackedReader:
    """Wraps a seekable binary file; `read` is what parsers call."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.total = _size_of(raw)
        self._reset()

    def _reset(self) -> None:
        self.offset = 0  # bytes handed to the parser (plus a skipped byte-order mark)
        self._chunk = b""
        self._chunk_start = 0
        self._lines_before_chunk = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if not data:
            return data
        if self.offset == 0 and data.startswith(UTF8_BOM):  # Windows editors add one
            data = data[len(UTF8_BOM) :]
            self.offset = len(UTF8_BOM)
        self._lines_before_chunk += self._chunk.count(b"\n")
        self._chunk_start = self.offset
        self._chunk = data
        self.offset += len(data)
        return data

    def rewind(self) -> None:
        """Back to the start, for a second pass."""
        self._raw.seek(0)
        self._reset()

    def position_in_chunk(self, index: int) -> Position:
        """Line and column of byte `index` of the last chunk read."""
        index = max(0, min(index, len(self._chunk)))
        before = self._chunk[:index]
        line = self._lines_before_chunk + before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = None
        if line_start > 0 or self._chunk_start <= len(UTF8_BOM):  # the line starts in view
            column = len(before[line_start:].decode("utf-8", "replace")) + 1
        return Position(self._chunk_start + index, line, column)

    def end_position(self) -> Position:
        return self.position_in_chunk(len(self._chunk))

    def locate_yajl_error(self, message: str | bytes) -> Position:
        """Where yajl (ijson's C parser) failed, from the excerpt its message quotes.

        yajl prints the 30 bytes before and after the failure, line breaks as spaces, with a
        caret under the failing point; finding that excerpt in the chunk gives the offset.
        Premature ends and unknown formats point at the end of what was read.
        """
        raw = message if isinstance(message, bytes) else message.encode("utf-8", "replace")
        lines = raw.split(b"\n")
        if len(lines) < 3 or b"^" not in lines[2]:
            return self.end_position()
        caret = lines[2].index(b"^")
        before = lines[1][10:caret].lstrip(b" ")  # yajl pads the excerpt with 10+ spaces
        after = lines[1][caret:].rstrip(b" ")
        haystack = self._chunk.translate(_LINE_BREAKS_AS_SPACES)
        found = haystack.find(before + after) if before or after else -1
        if found < 0:
            return self.end_position()
        return self.position_in_chunk(found + len(before))


def _size_of(raw: BinaryIO) -> int | None:
    try:
        return os.fstat(raw.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        try:
            here = raw.tell()
            end = raw.seek(0, os.SEEK_END)
            raw.seek(here)
            return end
        except (OSError, ValueError):
            return None
