"""Small file helpers shared by every writer and reader: atomic file and folder writes, folder
reads that see one save, compressed inputs."""

from __future__ import annotations

import bz2
import contextlib
import ctypes
import errno
import functools
import gzip
import io
import lzma
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from .errors import EmbedlabError

PathLike = str | os.PathLike[str]

_MAGICS = (
    (b"\x1f\x8b", gzip.open),
    (b"BZh", bz2.open),
    (b"\xfd7zXZ\x00", lzma.open),
)


def open_binary(path: PathLike) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing gzip, bz2 or xz found by content."""
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller
    head = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
    for magic, opener in _MAGICS:
        if head.startswith(magic):
            raw.close()
            return opener(path, "rb")  # type: ignore[return-value]
    return raw


def decompressing(raw: io.BufferedReader) -> IO[bytes]:
    """``raw`` itself, or a decompressing reader over it when it holds gzip, bz2 or xz."""
    head = raw.peek(6)[:6]
    for magic, opener in _MAGICS:
        if head.startswith(magic):
            return opener(raw, "rb")  # type: ignore[return-value]
    return raw


def open_text(path: PathLike, encoding: str = "utf-8", errors: str = "strict") -> IO[str]:
    """Open ``path`` for reading text, decompressing by content like :func:`open_binary`."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors=errors)




# ---------------------------------------------------------------------- temporaries
# Every temporary a writer makes beside its target is named ``.<target>.<pid>-<token>.<kind>``
# (kind ``tmp``: a save in progress; ``old``: the previous copy moved aside for a moment). The
# pid lets the next save to the same target tell a killed writer's leftovers (pid gone: remove,
# or restore an orphaned previous copy) from a live writer's (pid running: leave alone).
# Processes on other machines sharing the folder over a network cannot be told apart this way;
# their leftovers are kept, never deleted by mistake.

_TEMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.(?P<kind>tmp|old)")
# What versions before these names left (mkstemp/mkdtemp names carry no pid): the previous
# folder of a killed save is still put back, and their temporaries go once a day old.
_LEGACY_OLD = re.compile(r"\.(?P<name>.+)\.old(?:\.[a-z0-9_]{8}|-(?P<pid>\d+))")
_LEGACY_TMP = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
_LEGACY_AGE = 24 * 3600


def _temp_path(target: Path, kind: str) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.{kind}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (or a pid we cannot ask about): leave it alone
    return True


def _leftovers(target: Path) -> list[tuple[Path, str, bool]]:
    """Temporaries of saves to ``target``: (path, kind, whether their writer may still run)."""
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    found = []
    for name in names:
        path = target.parent / name
        match = _TEMP.fullmatch(name)
        if match and match["name"] == target.name:
            found.append((path, match["kind"], _alive(int(match["pid"]))))
            continue
        match = _LEGACY_OLD.fullmatch(name)
        if match and match["name"] == target.name:
            if match["pid"] is None:  # native folders then kept the copy one level down
                path = path / "previous"
            found.append((path, "old", match["pid"] is not None and _alive(int(match["pid"]))))
            continue
        match = _LEGACY_TMP.fullmatch(name)
        if match and match["name"] == target.name:
            with contextlib.suppress(OSError):
                found.append((path, "tmp", time.time() - path.lstat().st_mtime < _LEGACY_AGE))
    return found


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def recover(path: PathLike) -> bool:
    """Put back the previous copy of ``path`` when a save was killed between moving it aside
    and moving its replacement in (only possible where the atomic exchange is not: see
    :func:`atomic_folder`). Returns whether ``path`` was missing and a save of a live process
    is in that very step, so the caller should look again in a moment."""
    target = Path(path)
    if os.path.lexists(target):
        return False
    leftovers = _leftovers(target)
    orphans = [p for p, kind, alive in leftovers if kind == "old" and not alive]
    if orphans:
        # The newest orphan is the last folder that was in place (rename updates its ctime).
        newest = max(orphans, key=lambda p: p.lstat().st_ctime if os.path.lexists(p) else 0.0)
        with contextlib.suppress(FileNotFoundError, FileExistsError, OSError):
            os.rename(newest, target)
        return os.path.lexists(target)
    return any(kind == "old" and alive for _, kind, alive in leftovers)


def settle(path: PathLike, timeout: float = 2.0) -> None:
    """Wait (up to ``timeout`` seconds) while a live save of ``path`` is between its two renames,
    and put back the previous copy where a killed save left none: afterwards ``path`` is there
    unless there really is nothing."""
    deadline = time.monotonic() + timeout
    while recover(path) and time.monotonic() < deadline:
        time.sleep(0.002)


def may_replace(path: PathLike, ours: Callable[[Path], bool], looks: int = 5) -> bool:
    """Whether a save may replace what is at ``path``: nothing is there, or ``ours(path)`` says
    it is what this kind of save writes.

    A save of ``path`` running at the same time moves the folder aside for a moment between its
    two renames; a look at ``path`` that lands in that moment finds a folder gone half-way
    through, and ``ours`` says no (or its listing finds nothing to list). So a "no" is asked
    again, after :func:`settle`, up to ``looks`` times: only what stays foreign is refused.
    """
    target = Path(path)
    for _ in range(looks):
        with contextlib.suppress(FileNotFoundError):  # gone while ``ours`` looked: look again
            if not os.path.lexists(target) or ours(target):
                return True
        settle(target)
    return False


def save_in_progress(path: PathLike) -> bool:
    """Whether a running process is saving to ``path`` (it has a temporary beside it)."""
    return any(alive for _, _, alive in _leftovers(Path(path)))


def clean_leftovers(path: PathLike) -> None:
    """Remove what killed saves to ``path`` left beside it, restoring an orphaned copy first."""
    target = Path(path)
    recover(target)
    for leftover, _, alive in _leftovers(target):
        if not alive:
            _remove(leftover.parent if leftover.name == "previous" else leftover)


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it
    os.umask(mask)
    return mask


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(
    path: PathLike, mode: str = "wb", encoding: str | None = None
) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write to a temporary file beside ``path`` and rename it into place on success.

    An exception (or Ctrl-C) while writing leaves any existing file at ``path`` untouched;
    what a killed save left behind is removed by the next save to ``path``.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    tmp = _temp_path(target, "tmp")
    # O_EXCL as mkstemp does; unlike mkstemp, the permissions are the ones open() would give.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    try:
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------- folders
# A folder of several files is written whole into a sibling staging folder and then takes the
# target's place. Where the system can (Linux: renameat2 with RENAME_EXCHANGE, on ext4, xfs,
# btrfs, tmpfs, overlayfs), staging and target trade places in one step: the target path always
# names a complete folder, and two concurrent saves both succeed, the later one winning. Elsewhere
# the previous folder is moved aside and the new one moved in, two renames: a reader arriving
# between them waits for the second, and a save killed between them is undone by the next save
# or load (:func:`recover`). No lock file is needed, so reading needs no write permission.
#
# Readers go through :func:`read_folder`, which opens the folder once and every member relative to
# that handle: a committed folder is never changed in place, so the members come from one save
# even if another save replaces the folder meanwhile (a member deleted under the reader makes it
# start again from the folder now in place).

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_TRIES = 200


class _Unsupported(Exception):
    """renameat2 (or the flag asked for) does not exist here."""


@functools.lru_cache(maxsize=1)
def _libc_renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _renameat2(source: Path, destination: Path, flags: int) -> None:
    function = _libc_renameat2()
    if function is None:
        raise _Unsupported
    if function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(destination), flags) == 0:
        return
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        raise _Unsupported
    raise OSError(code, os.strerror(code), str(source), None, str(destination))


def _move(source: Path, destination: Path) -> None:
    """One plain rename (a seam the tests use to stop a save between its two renames)."""
    os.rename(source, destination)


def _commit(staging: Path, target: Path) -> None:
    for _ in range(_TRIES):
        try:
            _renameat2(staging, target, _RENAME_EXCHANGE)
        except FileNotFoundError:  # nothing to replace: move in, unless another save just did
            try:
                _renameat2(staging, target, _RENAME_NOREPLACE)
                return
            except FileExistsError:
                continue
            except _Unsupported:
                pass
        except _Unsupported:
            pass
        else:
            _remove(staging)  # it holds the previous folder now
            return
        if _commit_by_two_renames(staging, target):
            return
    raise EmbedlabError(f"{target}: other processes kept replacing this folder; save again")


def _commit_by_two_renames(staging: Path, target: Path) -> bool:
    old: Path | None = _temp_path(target, "old")
    assert old is not None
    try:
        _move(target, old)
    except FileNotFoundError:
        old = None
    try:
        _move(staging, target)
    except OSError as exc:
        # Another save moved its folder in between our two renames; put ours in place of it on
        # the next round (the later save wins, as with the exchange).
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            if old is not None:
                with contextlib.suppress(OSError):
                    _move(old, target)
            raise
        if old is not None:
            _remove(old)
        return False
    if old is not None:
        _remove(old)
    return True


def _sync_tree(folder: Path) -> None:
    for root, _, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


@contextlib.contextmanager
def atomic_folder(path: PathLike) -> Iterator[Path]:
    """Yield an empty staging folder beside ``path``; when the block ends without an exception,
    its files are flushed to disk and the folder replaces ``path`` in one step.

    Readers using :func:`read_folder` see the old folder or the new one, never a mix; an
    exception (or Ctrl-C) in the block leaves ``path`` as it was, and what a killed save left
    behind is removed (or, for the previous folder, put back) by the next save to ``path``.
    The caller decides beforehand whether what is at ``path`` may be replaced.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    staging = _temp_path(target, "tmp")
    os.mkdir(staging, 0o777)  # the umask applies, as for any folder the user makes
    try:
        yield staging
        _sync_tree(staging)
        _commit(staging, target)
        _fsync_dir(target.parent)
    except BaseException:
        _remove(staging)
        raise


class FolderReplaced(Exception):
    """The folder being read was replaced by a save; :func:`read_folder` starts again."""


class Folder:
    """One saved version of a folder, held open: members opened through it all come from that
    version, whatever saves happen meanwhile."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    def open(self, name: str) -> io.BufferedReader:
        """The member ``name`` for reading bytes (``FileNotFoundError`` if the folder lacks it)."""
        try:
            fd = os.open(self._where(name), os.O_RDONLY, dir_fd=self._fd if _DIR_FD else None)
        except FileNotFoundError:
            self._check_still_current()
            raise
        try:
            return io.BufferedReader(io.FileIO(fd, "rb", closefd=True))
        except BaseException:  # a member that is a folder: FileIO refuses it, and the fd is ours
            os.close(fd)
            raise

    def _where(self, name: str) -> str:
        return name if _DIR_FD else str(self.path / name)

    def exists(self, name: str) -> bool:
        try:
            os.stat(self._where(name), dir_fd=self._fd if _DIR_FD else None)
        except FileNotFoundError:
            self._check_still_current()
            return False
        return True

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def _check_still_current(self) -> None:
        if not _DIR_FD:
            return
        mine = os.fstat(self._fd)
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            raise FolderReplaced from None
        if (now.st_dev, now.st_ino) != (mine.st_dev, mine.st_ino) or mine.st_nlink == 0:
            raise FolderReplaced


_T = TypeVar("_T")
# Where members cannot be opened relative to a folder handle (Windows), they are opened by path:
# a save that replaces the folder mid-read can then still mix, as on every system before.
_DIR_FD = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


def _check_folder(target: Path) -> int:
    if not target.exists():
        raise FileNotFoundError(errno.ENOENT, "no such folder", str(target))
    if not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(target))
    return -1


def read_folder(path: PathLike, read: Callable[[Folder], _T]) -> _T:
    """``read(folder)`` on the folder at ``path``, started again if a save replaces the folder
    while it reads. ``read`` should open the members it needs before parsing them: open files
    stay readable when a save removes them.

    Raises ``FileNotFoundError`` when there is no folder (after waiting out a save that is
    between its two renames, or putting back the copy that a killed save moved aside) and
    ``NotADirectoryError`` when ``path`` is a file.
    """
    target = Path(path)
    for _ in range(_TRIES):
        try:
            fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY) if _DIR_FD else _check_folder(target)
        except FileNotFoundError:
            settle(target)
            if os.path.lexists(target):
                continue
            raise
        try:
            return read(Folder(target, fd))
        except FolderReplaced:
            continue
        finally:
            if fd >= 0:
                os.close(fd)
    raise EmbedlabError(f"{target}: other processes kept replacing this folder; read it again")
