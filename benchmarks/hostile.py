"""The hostile tester's table (issue 12), re-measured: damaged files, tampered native folders,
concurrent savers and readers, and saves killed part-way.

Each case ends in one of: loaded (a valid variant), a clean EmbedlabError, another exception,
a hang (no answer in 20 s), silently wrong (loaded data that differs from what was saved, where
the case says what was saved) or data lost (neither the old nor the new save can be read).

    python benchmarks/hostile.py [--cases 500]
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import lzma
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from _common import save_results

import embedlab
from embedlab import EmbedlabError, Vectors

SEED = 20261206
HANG_SECONDS = 20


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def outcome(load: object) -> tuple[str, object]:
    """Run ``load()`` under an alarm and name what happened."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        return "loaded", load()  # type: ignore[operator]
    except EmbedlabError:
        return "clean error", None
    except Hang:
        return "hang", None
    except Exception as exc:  # noqa: BLE001 - counting them is the point
        return f"other: {type(exc).__name__}", None
    finally:
        signal.alarm(0)


def sample(rows: int = 8, dim: int = 5) -> Vectors:
    rng = np.random.default_rng(SEED)
    keys = ["the", "cat", "naïve", "日本", "new", "a.b", "x1", "z"][:rows]
    return Vectors(keys, rng.standard_normal((len(keys), dim)).astype(np.float32))


def mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return data[: rng.randrange(len(data))]
    damaged = bytearray(data)
    if kind == 1:
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
    elif kind == 2:
        at = rng.randrange(len(damaged))
        damaged[at:at] = rng.choice([b"\x00", b"\t", b"\r", b" ", b"\xff\xfe", b"\n", b"nan",
                                     b"1e999", b"-", b"1_0"])
    else:
        head, newline, rest = data.partition(b"\n")
        if newline and head[:1].isdigit():
            count, dim = rng.choice([(10**12, 5), (8, 10**9), (2**63, 5), (2**40, 2**20)])
            return f"{count} {dim}".encode() + newline + rest
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    return bytes(damaged)


def damaged_files(folder: Path, cases: int) -> Counter[str]:
    tally: Counter[str] = Counter()
    rng = random.Random(SEED)
    wrappers = {"": bytes, ".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
    originals = {}
    for fmt, name in (("word2vec", "w.txt"), ("word2vec-binary", "w.bin"), ("glove", "g.txt"),
                      ("fasttext-bin", "f.bin"), ("projector", "p")):
        embedlab.save(sample(), folder / name, format=fmt)
        if fmt != "projector":
            originals[name] = (folder / name).read_bytes()
    for i in range(cases):
        name, data = rng.choice(sorted(originals.items()))
        suffix = rng.choice(sorted(wrappers))
        packed = wrappers[suffix](data)  # type: ignore[operator]
        path = folder / f"case{i}-{name}{suffix}"
        path.write_bytes(mutate(packed, rng))
        tally[outcome(lambda p=path: embedlab.load(p, progress=False))[0]] += 1
        path.unlink()
    return tally


def tampered_folders(folder: Path, cases: int) -> Counter[str]:
    tally: Counter[str] = Counter()
    rng = random.Random(SEED + 1)
    saved = sample()
    for i in range(cases):
        target = folder / f"native{i}"
        embedlab.save(saved, target)
        member = target / rng.choice(["keys.txt", "vectors.npy", "meta.json"])
        data = member.read_bytes()
        if member.name == "keys.txt" and rng.random() < 0.5:
            keys = data.split(b"\n")
            keys[rng.randrange(len(keys) - 1)] = rng.choice([b"the", b"", b"x\r", b"\xed\xa0\x80"])
            member.write_bytes(b"\n".join(keys))
        else:
            member.write_bytes(mutate(data, rng))
        result, loaded = outcome(lambda t=target: embedlab.load(t, verify=True, progress=False))
        if result == "loaded":
            same = (loaded.keys == saved.keys  # type: ignore[union-attr]
                    and np.array_equal(loaded.matrix, saved.matrix))  # type: ignore[union-attr]
            result = "loaded" if same else "silently wrong"
        tally[result] += 1
    return tally


def _writer(path: str, writer: int, count: int) -> None:
    for i in range(count):
        value = float(writer * 1000 + i)
        keys = [f"w{writer}s{i}k{j}" for j in range(50)]
        embedlab.save(Vectors(keys, np.full((50, 8), value, np.float32)), path)


def _reader(path: str, count: int, queue: multiprocessing.Queue[str]) -> None:
    for _ in range(count):
        result, loaded = outcome(lambda: embedlab.load(path, progress=False))
        if result == "loaded":
            value = float(loaded.matrix[0, 0])  # type: ignore[union-attr]
            writer, save = divmod(int(value), 1000)
            consistent = (loaded.keys[0] == f"w{writer}s{save}k0"  # type: ignore[union-attr]
                          and bool((np.asarray(loaded.matrix) == value).all()))  # type: ignore[union-attr]
            result = "loaded" if consistent else "silently wrong"
        queue.put(result)


def concurrent(folder: Path) -> Counter[str]:
    path = str(folder / "shared")
    _writer(path, 9, 1)
    queue: multiprocessing.Queue[str] = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_writer, args=(path, w, 30)) for w in (1, 2)]
    procs += [multiprocessing.Process(target=_reader, args=(path, 60, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    tally: Counter[str] = Counter(queue.get() for _ in range(120))
    for p in procs:
        p.join()
        if p.exitcode:
            tally["writer failed"] += 1
    return tally


KILLED_SAVE = """
import sys, numpy as np, embedlab
from embedlab import Vectors
embedlab.save(Vectors([f"k{i}" for i in range(200000)], np.ones((200000, 64), np.float32)),
              sys.argv[1])
"""


def killed_saves(folder: Path, rounds: int) -> Counter[str]:
    tally: Counter[str] = Counter()
    rng = random.Random(SEED + 2)
    target = folder / "killed"
    embedlab.save(sample(), target)
    for _ in range(rounds):
        child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(target)])
        deadline = time.monotonic() + 60  # wait for the save to start, then kill it part-way
        while time.monotonic() < deadline and child.poll() is None and not any(
                p.name.startswith(".killed") for p in folder.iterdir()):
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait()
        result, loaded = outcome(lambda: embedlab.load(target, progress=False))
        if result != "loaded":
            result = "data lost"
        elif len(loaded) not in (len(sample()), 200000):  # type: ignore[arg-type]
            result = "silently wrong"
        tally[result] += 1
        leftovers = [p for p in folder.iterdir() if p.name.startswith(".killed")]
        embedlab.save(sample(), target)  # the next save cleans what the killed one left
        left_after = [p for p in folder.iterdir() if p.name.startswith(".killed")]
        tally["temporaries left after the next save"] += len(left_after)
        tally["temporaries found after the kill"] += len(leftovers)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = {
            "damaged files (5 formats x 4 wrappers)": damaged_files(folder, args.cases),
            "tampered native folders, verify=True": tampered_folders(folder, args.cases // 2),
            "2 savers x 30 + 2 readers x 60 on one folder": concurrent(folder),
            "saves killed part-way, then load": killed_saves(folder, args.kills),
        }
    columns = ["loaded", "clean error", "hang", "silently wrong", "data lost"]
    print(f"{'harness':50} {'cases':>6} " + " ".join(f"{c:>14}" for c in columns) + "  other")
    for name, tally in rows.items():
        cases = sum(v for k, v in tally.items() if not k.startswith("temporaries")
                    and k != "writer failed")
        other = {k: v for k, v in tally.items() if k not in columns}
        print(f"{name:50} {cases:>6} " + " ".join(f"{tally.get(c, 0):>14}" for c in columns)
              + f"  {other or ''}")
    save_results("hostile", {name: dict(tally) for name, tally in rows.items()})


if __name__ == "__main__":
    os.environ.setdefault("EMBEDLAB_PROGRESS", "0")
    main()
