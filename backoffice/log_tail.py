"""Read the application log for staff: its tail, filtered, and the whole file.

The log is read backwards from its end in blocks, so a page costs the lines it
shows (or, when filtering, at most SCAN_LIMIT bytes), never the whole file in
memory. A record is a line in the LOGGING format ("%(asctime)s %(levelname)s
%(name)s %(message)s") with the lines after it that do not start a record,
such as a traceback's.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from uac.masking import mask_text

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LINE_CHOICES = (50, 200, 1000, 5000)
DEFAULT_LINES = 200
BLOCK_SIZE = 64 * 1024
# How far back a filter looks: a page stays quick even on a large log file.
SCAN_LIMIT = 10 * 1024 * 1024
RECORD_START = re.compile(
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:,\d{3})? (" + "|".join(LEVELS) + r") "
)


@dataclass
class LogEntry:
    """One log record: its level (None for lines before any record) and lines."""

    level: str | None
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def css_level(self) -> str:
        return (self.level or "none").lower()


@dataclass
class LogTail:
    path: str
    missing: bool = False
    error: str = ""
    size: int = 0
    scanned: int = 0  # bytes read back from the end
    entries: list[LogEntry] = field(default_factory=list)

    @property
    def line_count(self) -> int:
        return sum(len(entry.lines) for entry in self.entries)

    @property
    def whole_file_read(self) -> bool:
        return self.scanned >= self.size


def tail_log(
    path: str | Path, *, lines: int = DEFAULT_LINES, text: str = "", min_level: str = ""
) -> LogTail:
    """The last records that match, up to about `lines` lines, oldest first."""
    tail = LogTail(str(path))
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, errors handled)
    except FileNotFoundError:
        tail.missing = True
        return tail
    except OSError as err:
        tail.error = f"The log file cannot be read: {err.strerror or err}"
        return tail

    with handle:
        tail.size = os.fstat(handle.fileno()).st_size
        collect_entries(tail, lines_backwards(handle, tail), lines, text, min_level)
    tail.entries.reverse()
    return tail


def collect_entries(
    tail: LogTail, backwards: Iterator[str], lines: int, text: str, min_level: str
) -> None:
    """Group lines read backwards into records; keep the matching ones."""
    pending: list[str] = []  # lines after a record's first, newest first
    for line in backwards:
        pending.append(line)
        match = RECORD_START.match(line)
        if match is None:
            continue
        entry = LogEntry(match.group(1), pending[::-1])
        pending = []
        if entry_matches(entry, text, min_level):
            tail.entries.append(entry)
            if tail.line_count >= lines:
                return
    if pending and tail.whole_file_read:
        # The file begins inside a record (it was rotated mid-traceback).
        entry = LogEntry(None, pending[::-1])
        if entry_matches(entry, text, min_level):
            tail.entries.append(entry)


def entry_matches(entry: LogEntry, text: str, min_level: str) -> bool:
    if min_level:
        if entry.level is None:
            return False
        if logging.getLevelName(entry.level) < logging.getLevelName(min_level):
            return False
    return not text or text.casefold() in entry.text.casefold()


def lines_backwards(handle: BinaryIO, tail: LogTail) -> Iterator[str]:
    """Yield the file's lines from the last to the first, masked, in blocks."""
    position = tail.size
    rest = b""  # the start of a line whose beginning is in an earlier block
    at_end = True
    while position > 0 and tail.scanned < SCAN_LIMIT:
        step = min(BLOCK_SIZE, position)
        position -= step
        handle.seek(position)
        pieces = (handle.read(step) + rest).split(b"\n")
        tail.scanned += step
        rest = pieces.pop(0)
        if at_end and pieces and pieces[-1] == b"":
            pieces.pop()  # the newline that ends the file ends no line
        at_end = at_end and not pieces
        for piece in reversed(pieces):
            yield decode_line(piece)
    if position == 0 and (rest or not at_end):
        yield decode_line(rest)


def decode_line(raw: bytes) -> str:
    # Masked before filtering, so a search cannot find out a secret either.
    return mask_text(raw.decode("utf-8", "replace").rstrip("\r"))


def masked_file_chunks(path: str | Path) -> Iterator[str]:
    """Yield the whole file line by line, masked, for a download."""
    with open(path, "rb") as handle:
        for raw in handle:
            yield mask_text(raw.decode("utf-8", "replace"))
