"""Reading and writing files: the one way creditbank opens a file it was given.

Reading (:func:`read_bytes`, :func:`open_regular`, :func:`read_lines`): the path is looked
at (``stat``) before it is opened, and anything but a regular file — a directory, a device
such as ``/dev/zero``, a FIFO, a socket — is refused with ``NOT_A_FILE``; the file is then
opened without blocking (so a FIFO put in its place meanwhile cannot hang the command) and
checked again, and at most the size limit is read: a file's stated size is not trusted.

Writing (:func:`write_atomic`): the bytes go to a temporary file created exclusively, with a
random name, in the target's own directory (``tempfile.mkstemp``: a link planted there is
never followed), are flushed to disk and then renamed over the target in one step. Either
the whole new file is there or the old one is untouched; on any failure the temporary file
is removed. A target that exists and is not a regular file (a directory, ``/dev/null``,
``/dev/full``, a FIFO) is refused with ``NOT_A_FILE``, and so is a path naming an open
descriptor (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``: :func:`open_descriptor`),
which callers write through the descriptor instead — never renamed over the file it points
to. Any other link at the target is followed: the file it names is replaced, the link stays.

Every error the operating system gives becomes a :class:`~creditbank.errors.FileError`
with a stable code (:data:`~creditbank.errors.FILE_ERROR_CODES`) and the path:

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(folder / "out.json", "{}\\n")
>>> read_bytes(folder / "out.json", max_bytes=100)
b'{}\\n'
>>> try:
...     read_bytes(folder, max_bytes=100, display="out")
... except FileError as error:
...     print(error)
out: NOT_A_FILE this is a directory, not a file
>>> try:
...     write_atomic(folder / "missing" / "out.json", "{}", display="missing/out.json")
... except FileError as error:
...     print(error.code)
DIRECTORY_NOT_FOUND
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from creditbank.errors import FileError, FileErrorCode

__all__ = [
    "TooLong",
    "file_error",
    "make_directory",
    "open_descriptor",
    "open_regular",
    "read_bytes",
    "read_lines",
    "regular_file",
    "write_atomic",
]

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_BLOCK = 1 << 20

_CODES: dict[int, FileErrorCode] = {
    errno.EACCES: "PERMISSION_DENIED",
    errno.EPERM: "PERMISSION_DENIED",
    errno.ENOSPC: "DISK_FULL",
    errno.EROFS: "READ_ONLY",
    errno.EISDIR: "NOT_A_FILE",
    errno.ENXIO: "NOT_A_FILE",
    errno.ENODEV: "NOT_A_FILE",
}
if hasattr(errno, "EDQUOT"):
    _CODES[errno.EDQUOT] = "DISK_FULL"

_MESSAGES: dict[FileErrorCode, str] = {
    "PERMISSION_DENIED": "permission denied; check the file's and its directory's permissions",
    "DISK_FULL": "no space left on the device (or the quota is used up)",
    "READ_ONLY": "the file system is read-only; write somewhere else",
    "NOT_A_FILE": "not a regular file",
}


def file_error(error: OSError, path: str, *, writing: bool = False) -> FileError:
    """The :class:`FileError` for an error the operating system gave about ``path``."""
    number = error.errno or 0
    code: FileErrorCode | None = _CODES.get(number)
    if number in (errno.ENOENT, errno.ENOTDIR):
        if writing:
            return FileError(
                "DIRECTORY_NOT_FOUND",
                "the directory to write into does not exist; create it first",
                path,
            )
        return FileError("FILE_NOT_FOUND", "no such file; check the path", path)
    if code is None:
        reason = error.strerror or str(error)
        action = "write" if writing else "read"
        return FileError("IO_ERROR", f"cannot {action} the file: {reason}", path)
    if code == "NOT_A_FILE" and number == errno.EISDIR:
        return FileError(code, "this is a directory, not a file", path)
    return FileError(code, _MESSAGES[code], path)


def _not_regular(info: os.stat_result, path: str, writing: bool) -> FileError:
    if stat.S_ISDIR(info.st_mode):
        return FileError("NOT_A_FILE", "this is a directory, not a file", path)
    what = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(info.st_mode)
        else "a device"
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        else "a socket"
        if stat.S_ISSOCK(info.st_mode)
        else "not a regular file"
    )
    if writing:
        advice = "write to a regular file (leave out -o to print to standard output)"
    else:
        advice = "give a regular file"
    return FileError("NOT_A_FILE", f"this is {what}, not a regular file; {advice}", path)


def regular_file(path: Path | str, *, display: str | None = None) -> os.stat_result:
    """The status of ``path`` if it is a regular file (or a link to one); anything else, or
    a path that cannot be looked at, raises :class:`FileError`."""
    where = display or str(path)
    try:
        info = os.stat(path)
    except OSError as error:
        raise file_error(error, where) from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(info, where, writing=False)
    return info


def open_regular(path: Path | str, *, display: str | None = None) -> BinaryIO:
    """Open a regular file for reading (binary); anything else raises :class:`FileError`."""
    where = display or str(path)
    regular_file(path, display=where)
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | _CLOEXEC | _BINARY)
    except OSError as error:
        raise file_error(error, where) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # replaced between the look and the open
            raise _not_regular(opened, where, writing=False)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(
    path: Path | str, max_bytes: int, *, display: str | None = None, advice: str = ""
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; otherwise :class:`FileError`
    (``FILE_TOO_LARGE`` says the size and the limit, then ``advice``)."""
    where = display or str(path)
    with open_regular(path, display=where) as handle:
        size = os.fstat(handle.fileno()).st_size
        try:
            data = b"" if size > max_bytes else handle.read(max_bytes + 1)
        except OSError as error:
            raise file_error(error, where) from None
    if size > max_bytes or len(data) > max_bytes:
        shown = f"{max(size, len(data)):,} bytes" if size > max_bytes else "larger"
        raise FileError(
            "FILE_TOO_LARGE",
            f"the file is {shown}, above the limit of {max_bytes:,}" + advice,
            where,
        )
    return data


@dataclass(frozen=True)
class TooLong:
    """A line longer than the limit; its bytes were skipped, not kept."""

    size: int
    """The line's length in bytes, without its newline."""


def read_lines(handle: BinaryIO, max_bytes: int) -> Iterator[bytes | TooLong]:
    """The lines of ``handle`` (each with its newline, but perhaps the last), reading no line
    of more than ``max_bytes`` bytes (without the newline) into memory: such a line is read
    through in blocks and given as :class:`TooLong`."""
    while line := handle.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        del line
        while block := handle.readline(_BLOCK):
            size += len(block)
            if block.endswith(b"\n"):
                size -= 1
                break
        yield TooLong(size)


_DESCRIPTOR = re.compile(
    r"/dev/(stdin|stdout|stderr|fd/(\d+))|/proc/(self|thread-self|\d+)/fd/(\d+)"
)
_STREAMS = {"stdin": 0, "stdout": 1, "stderr": 2}


def open_descriptor(path: Path | str) -> int | None:
    """The descriptor of this process a path names (``/dev/stdout``, ``/dev/fd/N``,
    ``/proc/self/fd/N``, or a link to one of them), else None. Links are followed one at a
    time, so ``/proc/self/fd/1`` is seen before it resolves to the file standard output
    points to: writing there goes through the open descriptor, never renames over that file.
    """
    current = os.path.abspath(path)
    for _ in range(40):  # as many links as the system follows
        found = _DESCRIPTOR.fullmatch(current)
        if found is not None:
            stream, dev_fd, proc, proc_fd = found.groups()
            if proc is not None and proc.isdigit() and int(proc) != os.getpid():
                return None
            return int(dev_fd or proc_fd) if (dev_fd or proc_fd) else _STREAMS[stream]
        parts = current.split("/")
        for end in range(2, len(parts) + 1):
            prefix = "/".join(parts[:end])
            if os.path.islink(prefix):
                try:
                    link = os.readlink(prefix)
                except OSError:
                    return None
                rest = "/".join(parts[end:])
                resolved = os.path.join(os.path.dirname(prefix), link)
                current = os.path.normpath(os.path.join(resolved, rest) if rest else resolved)
                break
        else:
            return None
    return None


def _target_mode(target: Path, where: str) -> int:
    """The permission bits the written file gets: those of the file it replaces, or those
    a new file gets under the umask. A target that is not a regular file is refused."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask
    except OSError as error:
        raise file_error(error, where, writing=True) from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(info, where, writing=True)
    return stat.S_IMODE(info.st_mode)


def write_atomic(path: Path | str, data: bytes | str, *, display: str | None = None) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all; see the module."""
    where = display or str(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if open_descriptor(path) is not None:
        raise FileError(
            "NOT_A_FILE",
            "this names a descriptor already open (standard output or another): it is "
            "written through that descriptor, never replaced; nothing was written",
            where,
        )
    mode = _target_mode(Path(path), where)  # through links: a link to a FIFO is refused
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    directory = target.parent
    try:
        fd, temporary = tempfile.mkstemp(prefix=".creditbank-", suffix=".tmp", dir=directory)
    except OSError as error:
        raise file_error(error, where, writing=True) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            out.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        _target_mode(target, where)  # still no directory, device or FIFO in its place
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            failed = file_error(error, where, writing=True)
            raise FileError(failed.code, f"{failed.message}; nothing was written", where) from None
        raise
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (where the system allows it)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def make_directory(path: Path | str, *, display: str | None = None) -> None:
    """Create a directory (and its parents) unless it exists; :class:`FileError` if not
    possible (a file in the way, a read-only or full disk …)."""
    where = display or str(path)
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FileError(
            "NOT_A_DIRECTORY", "this is not a directory; give a new or empty directory", where
        ) from None
    except OSError as error:
        raise file_error(error, where, writing=True) from None
