"""Folders saved in one step: concurrent savers and readers, saves killed half-way, leftovers.

The kill tests run a real save in a child process, stop it at the step under test (by
replacing one seam of ``embedlab._io`` in the child), kill it with SIGKILL and look at what
the next load and the next save make of the remains.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab import Vectors, _io
from embedlab.formats.native import read_native

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")

OLD = Vectors(["old1", "old2", "old3"], np.arange(9, dtype=np.float32).reshape(3, 3))
NEW = Vectors(["new1", "new2"], np.ones((2, 3), dtype=np.float32))


def _unsupported(*args: object) -> None:
    raise _io._Unsupported


@pytest.fixture(params=["exchange", "two-renames"])
def mode(request, monkeypatch) -> str:
    """Each test runs with the one-step exchange and with the fallback of two renames."""
    if request.param == "two-renames":
        monkeypatch.setattr(_io, "_renameat2", _unsupported)
    elif _io._libc_renameat2() is None:
        pytest.skip("renameat2 is not available here")
    return str(request.param)


# ---------------------------------------------------------------------- in one process
def test_atomic_folder_replaces_whole_and_leaves_nothing_beside(tmp_path, mode) -> None:
    target = tmp_path / "f"
    for round_ in range(3):
        with _io.atomic_folder(target) as staging:
            (staging / "a").write_text(f"a{round_}")
            if round_ == 0:
                (staging / "only-first").write_text("x")
        assert sorted(p.name for p in target.iterdir()) == (["a", "only-first"] if round_ == 0 else ["a"])
        assert (target / "a").read_text() == f"a{round_}"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]
    assert target.stat().st_mode & 0o777 == 0o777 & ~_io._umask()  # not mkdtemp's 0700


def test_an_exception_in_the_block_keeps_the_old_folder(tmp_path, mode) -> None:
    embedlab.save(OLD, tmp_path / "v")
    with pytest.raises(RuntimeError), _io.atomic_folder(tmp_path / "v") as staging:
        (staging / "meta.json").write_text("{}")
        raise RuntimeError
    assert embedlab.load(tmp_path / "v").keys == OLD.keys
    assert [p.name for p in tmp_path.iterdir()] == ["v"]


def test_leftovers_of_dead_writers_go_and_of_live_writers_stay(tmp_path, mode) -> None:
    embedlab.save(OLD, tmp_path / "v")
    dead = subprocess.Popen(["true"])
    dead.wait()  # its pid names no process now
    (tmp_path / f".v.{dead.pid}-0123abcd.tmp").mkdir()
    (tmp_path / f".v.{dead.pid}-0123abcd.tmp" / "vectors.npy").write_bytes(b"x" * 1000)
    (tmp_path / f".v.{dead.pid}-4567abcd.old").mkdir()
    (tmp_path / f".v.{os.getpid()}-89abcdef.tmp").mkdir()  # a save of this live process
    (tmp_path / f".other.{dead.pid}-0123abcd.tmp").mkdir()  # another target's: not ours
    embedlab.save(NEW, tmp_path / "v")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["v", f".v.{os.getpid()}-89abcdef.tmp", f".other.{dead.pid}-0123abcd.tmp"])


def test_file_writers_clean_their_leftovers_too(tmp_path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / f".v.txt.{dead.pid}-0123abcd.tmp").write_bytes(b"half a save")
    embedlab.save(OLD, tmp_path / "v.txt", format="word2vec")
    assert [p.name for p in tmp_path.iterdir()] == ["v.txt"]


# ---------------------------------------------------------------------- killed saves
_CHILD = """
import sys, time
from pathlib import Path
import numpy as np
import embedlab
from embedlab import _io

target, ready, stop_at = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

def pause():
    ready.write_text("ready")
    time.sleep(60)

def unsupported(*args):
    raise _io._Unsupported

if stop_at == "between-renames":
    _io._renameat2 = unsupported
    move = _io._move
    def move_then_pause(source, destination):
        move(source, destination)
        if destination.name.endswith(".old"):
            pause()
    _io._move = move_then_pause
elif stop_at == "before-commit":
    _io._sync_tree = lambda staging: pause()
elif stop_at == "writing-file":
    _io.os.fsync = lambda fd: pause()
fmt = "word2vec" if stop_at == "writing-file" else "native"
embedlab.save(embedlab.Vectors(["new1", "new2"], np.ones((2, 3))), target, format=fmt)
"""


def _kill_mid_save(target: Path, stop_at: str) -> None:
    ready = target.parent / "ready.flag"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(embedlab.__file__).parents[1]),
                                                       os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(target), str(ready), stop_at], env=env)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None, "the saving process ended before reaching its pause"
            assert time.monotonic() < deadline, "the saving process never reached its pause"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    ready.unlink()


def test_kill_between_the_two_renames_is_undone_by_the_next_load(tmp_path) -> None:
    target = tmp_path / "v"
    embedlab.save(OLD, target)
    _kill_mid_save(target, "between-renames")
    assert not target.exists()  # the moment the issue describes: only hidden copies are left
    back = embedlab.load(target)
    assert back.keys == OLD.keys and np.array_equal(back.matrix, OLD.matrix)
    embedlab.save(NEW, target)  # and the next save removes the rest
    assert [p.name for p in tmp_path.iterdir()] == ["v"]
    assert embedlab.load(target).keys == NEW.keys


def test_kill_between_the_two_renames_is_undone_by_the_next_save(tmp_path) -> None:
    target = tmp_path / "v"
    embedlab.save(OLD, target)
    _kill_mid_save(target, "between-renames")
    embedlab.save(NEW.top(1), target)
    assert [p.name for p in tmp_path.iterdir()] == ["v"]
    assert read_native(target).keys == ["new1"]


def test_kill_before_the_commit_keeps_the_old_folder_and_next_save_cleans(tmp_path) -> None:
    target = tmp_path / "v"
    embedlab.save(OLD, target)
    _kill_mid_save(target, "before-commit")
    assert len(list(tmp_path.iterdir())) == 2  # the target and the killed save's staging folder
    assert embedlab.load(target).keys == OLD.keys
    embedlab.save(NEW, target)
    assert [p.name for p in tmp_path.iterdir()] == ["v"]


def test_kill_while_writing_a_file_keeps_the_old_file_and_next_save_cleans(tmp_path) -> None:
    target = tmp_path / "v.txt"
    embedlab.save(OLD, target, format="word2vec")
    _kill_mid_save(target, "writing-file")
    assert len(list(tmp_path.iterdir())) == 2
    assert embedlab.load(target).keys == OLD.keys
    embedlab.save(NEW, target, format="word2vec")
    assert [p.name for p in tmp_path.iterdir()] == ["v.txt"]


# ---------------------------------------------------------------------- concurrent processes
def _saves(path: str, writer: int, count: int) -> str | None:
    """Save ``count`` different vector sets; each set's keys and values say which save it is."""
    try:
        for save in range(count):
            rows = 2 + (writer * 7 + save) % 9  # sizes differ, so a mix cannot hide
            tag = writer * 1000 + save
            keys = [f"{tag}:{row}" for row in range(rows)]
            matrix = np.full((rows, 5), tag, dtype=np.float32) + np.arange(rows, dtype=np.float32)[:, None]
            embedlab.save(Vectors(keys, matrix, counts=np.full(rows, tag)), path)
    except Exception as exc:  # reported to the test, which expects none
        return f"{type(exc).__name__}: {exc}"
    return None


def _loads(path: str, count: int, seed: int) -> list[str]:
    """Load ``count`` times; every load must be exactly one save."""
    problems = []
    rng = np.random.default_rng(seed)
    for _ in range(count):
        try:
            vectors = embedlab.load(path, mmap=bool(rng.integers(2)))
        except Exception as exc:
            problems.append(f"{type(exc).__name__}: {exc}")
            continue
        tags = {key.split(":")[0] for key in vectors.keys}
        tag = int(next(iter(tags)))
        rows = len(vectors)
        expected = np.full((rows, 5), tag, dtype=np.float32) + np.arange(rows, dtype=np.float32)[:, None]
        if (len(tags) != 1 or vectors.keys != [f"{tag}:{row}" for row in range(rows)]
                or not np.array_equal(vectors.matrix, expected)
                or vectors.counts is None or set(vectors.counts.tolist()) != {tag}):
            problems.append(f"mixed load: keys {vectors.keys[:3]}... values {vectors.matrix[:, 0]}")
    return problems


def test_a_save_does_not_take_another_saves_renames_for_something_else(tmp_path, monkeypatch) -> None:
    """The check before a save looks at the folder in several steps; another save's two renames
    can fall between them (the folder gone for is_native, back for the next look: this failed
    the concurrent test below once in a clean-clone run). A "no" is asked again."""
    from embedlab.formats import native

    embedlab.save(OLD, tmp_path / "v")
    answers = iter([False])  # the first look lands in the other save's moment
    real = native.is_native
    monkeypatch.setattr(native, "is_native", lambda path: next(answers, None) or real(path))
    embedlab.save(NEW, tmp_path / "v")
    assert embedlab.load(tmp_path / "v").keys == NEW.keys

    looks = []

    def gone_then_ours(path: Path) -> bool:
        looks.append(path)
        if len(looks) == 1:
            raise FileNotFoundError(path)  # its listing found the folder moved aside
        return True

    assert _io.may_replace(tmp_path / "v", gone_then_ours) and len(looks) == 2
    assert _io.may_replace(tmp_path / "nothing", lambda path: False)  # nothing there: a save may
    (tmp_path / "notes.txt").write_text("keep")
    assert not _io.may_replace(tmp_path / "notes.txt", lambda path: False)  # foreign, every look
    with pytest.raises(embedlab.FormatError, match="found something else; refusing to overwrite it"):
        embedlab.save(NEW, tmp_path / "notes.txt", format="native")
    assert (tmp_path / "notes.txt").read_text() == "keep"


def test_concurrent_saves_and_loads_never_mix_or_fail(tmp_path, mode) -> None:
    path = str(tmp_path / "v")
    assert _saves(path, writer=9, count=1) is None  # something to read from the start
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        writers = [pool.apply_async(_saves, (path, w, 30)) for w in range(2)]
        readers = [pool.apply_async(_loads, (path, 60, seed)) for seed in range(2)]
        errors = [w.get(timeout=120) for w in writers]
        problems = [p for r in readers for p in r.get(timeout=120)]
    assert errors == [None, None]
    assert problems == []
    assert [p.name for p in tmp_path.iterdir()] == ["v"]
    assert embedlab.load(path, verify=True).keys[0].split(":")[0] in {"29", "1029"}


def test_leftovers_of_earlier_versions_are_put_back_and_cleaned(tmp_path) -> None:
    # What a save killed between its renames left before this version: the previous folder one
    # level down in a mkdtemp folder, and a staging folder with no pid in its name.
    embedlab.save(OLD, tmp_path / "v")
    (tmp_path / ".v.old.k3j_x9aa").mkdir()
    os.rename(tmp_path / "v", tmp_path / ".v.old.k3j_x9aa" / "previous")
    (tmp_path / ".v.q1w2e3r4.tmp").mkdir()
    (tmp_path / ".v.abcd1234.tmp").mkdir()
    day_ago = time.time() - 25 * 3600
    os.utime(tmp_path / ".v.q1w2e3r4.tmp", (day_ago, day_ago))
    assert embedlab.load(tmp_path / "v").keys == OLD.keys  # before: "no such file"
    embedlab.save(NEW, tmp_path / "v")
    # The old staging folder goes; the recent one might be a save still running an old version.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".v.abcd1234.tmp", "v"]


def test_recommender_folders_are_replaced_whole(tmp_path) -> None:
    from embedlab.recsys import ImplicitALS, Interactions, load_model

    data = Interactions.from_arrays(["u1", "u1", "u2", "u3"], ["i1", "i2", "i2", "i3"])
    model = ImplicitALS(vector_size=2, iterations=2, progress=False).fit(data)
    model.save(tmp_path / "m")
    (tmp_path / "m" / "model.json").write_text("{}")  # as a half-done save used to leave it
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json", "model.safetensors"]
    assert load_model(tmp_path / "m").item_vectors.keys == model.item_vectors.keys
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep")
    with pytest.raises(embedlab.DataError, match="holds files other than a saved recommender"):
        model.save(tmp_path / "notes")
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep"


def test_load_looks_at_the_path_once_and_again_after_a_swap(tmp_path, monkeypatch) -> None:
    # The path is missing at load's first look (a save between its two renames); the save's
    # second rename lands while load waits, and load reads the folder: it never opens a folder
    # as a file (it did when it looked twice, "expected a file, found a folder").
    import embedlab.formats as formats

    embedlab.save(Vectors(["a", "b"], np.eye(2, dtype=np.float32)), tmp_path / "staged")
    target = tmp_path / "v"
    waits = []

    def second_rename(path: object, timeout: float = 2.0) -> None:
        waits.append(path)
        if not target.exists():
            (tmp_path / "staged").rename(target)

    monkeypatch.setattr(formats, "settle", second_rename)
    assert embedlab.load(target).keys == ["a", "b"]
    assert waits  # it waited for the save instead of failing
    with pytest.raises(embedlab.FormatError, match="no such file"):
        embedlab.load(tmp_path / "never-saved")
