"""Reading a user's text file so that no file can hang, exhaust or crash the reader.

A scenario path can name anything: a FIFO (reading it blocks until a writer comes),
``/dev/zero`` (endless), a directory, a socket, a symlink loop, a huge or binary file.
This module looks before it reads: it refuses whatever is not a regular file, checks
the size before reading a byte, opens without blocking, reads at most the limit, and
accepts only UTF-8 text without NUL bytes. Each refusal is an :class:`UnreadableFile`
whose message says what the file is and why it is refused.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_SCENARIO_BYTES = 1_000_000
"""The size limit of a scenario file (1 MB): the bundled baseline is about 30 kB."""

MAX_SOURCE_BYTES = 20_000_000
"""The size limit of a source's text given to ``validate --sources`` (20 MB)."""

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(Exception):
    """The file cannot be read as text: missing, not a regular file, too big, not UTF-8."""

    def __init__(self, message: str, *, line: int | None = None, missing: bool = False):
        super().__init__(message)
        self.line = line
        self.missing = missing


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _os_reason(exc: OSError) -> UnreadableFile:
    if exc.errno == errno.ENOENT:
        return UnreadableFile("no such file", missing=True)
    if exc.errno == errno.ELOOP:
        return UnreadableFile("is a symlink loop (too many levels of symbolic links)")
    return UnreadableFile(f"cannot be read: {exc.strerror or exc}")


def check_regular(path: Path, limit: int) -> None:
    """Refuse ``path`` unless it is a regular file no bigger than ``limit`` bytes.

    Raises:
        UnreadableFile: with what the file is instead.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _os_reason(exc) from None
    except ValueError:  # a NUL byte in the path itself
        raise UnreadableFile("is not a valid file name") from None
    _check_stat(info, limit)


def _check_stat(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(f"is {_kind(info.st_mode)}, not a regular file")
    if info.st_size > limit:
        raise UnreadableFile(_too_big(limit, info.st_size))


def _too_big(limit: int, size: int | None = None) -> str:
    found = f"{size:,} bytes" if size is not None else "more than that"
    return f"is too large ({found}; the limit is {limit:,} bytes)"


def read_text(path: Path, limit: int = MAX_SCENARIO_BYTES) -> str:
    """The text of a regular UTF-8 file of at most ``limit`` bytes.

    The file is opened with ``O_NONBLOCK`` and checked again once open, so a file
    swapped for a FIFO between the check and the open cannot block the reader.

    Raises:
        UnreadableFile: if the file is missing, not a regular file, over the limit,
            not UTF-8, or contains a NUL byte.
    """
    check_regular(path, limit)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _os_reason(exc) from None
    try:
        _check_stat(os.fstat(fd), limit)
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise _os_reason(exc) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(_too_big(limit))
    return decode(data)


def decode(data: bytes) -> str:
    """UTF-8 text without NUL bytes (a leading byte-order mark is dropped).

    Raises:
        UnreadableFile: naming the line of the first bad byte.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("not UTF-8 text: starts with a UTF-16 byte-order mark")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise UnreadableFile("contains a NUL byte; not a text file", line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        raise UnreadableFile(f"not UTF-8 text (byte 0x{byte:02x})", line=line) from None
    return text.removeprefix("\ufeff")
