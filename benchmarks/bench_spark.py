"""embedlab Word2Vec against Spark MLlib's Word2Vec on the same corpus and the same two cores.

Spark runs from PyPI's ``pyspark`` in a virtualenv of its own (``benchmarks/.venv-spark``,
created on first use, or by ``make bench-spark-env``) on the machine's OpenJDK 17, in
``local[2]`` mode. embedlab runs under ``torchrun`` as 1 process with 2 threads and as 2 ranks
with 1 thread each (gloo over 127.0.0.1): the same two cores.

Spark's Word2Vec is skip-gram with hierarchical softmax and no subsampling of frequent words,
with dim 100, window 5, min_count 5, learning rate 0.025 (falling linearly) and 5 epochs here.
embedlab runs named configurations (``CONFIGURATIONS``): ``hs`` is Spark's algorithm with
Spark's settings; ``neg`` embedlab's defaults (negative sampling 5, subsampling 1e-3);
``neg-nosample`` negative sampling keeping every word, as Spark does; ``cbow-w5-s2e-4-e12``
the setting chosen for speed at equal quality (CBOW, negative sampling 5, Spark's window 5,
subsampling 2e-4, learning rate 0.05, 12 epochs; chosen by bench_word2vec_settings.py's sweep
on both corpora, see docs/distributed.md), and ``cbow-w5-s2e-4-e12-replicas`` the same with a
copy of the model per thread (``thread_updates="replicas"``); ``cbow-w8-e10`` the one chosen on Brown alone before
it (subsampling 1e-3, window 8, 10 epochs), which kept Spark's quality on Brown but not news.
Every configuration keeps dim 100 and min_count 5 (the same vocabulary), and the seed of the round.
Spark trains on ``numPartitions`` partitions and averages their models: its default of 1 uses
one core; 2 uses both (faster, and less accurate).

Speed: the seconds ``fit`` takes end to end (the vocabulary and the training: for Spark
``Word2Vec.fit`` on a cached DataFrame of token lists, for embedlab ``Word2Vec.fit`` on the
token file; with 2 ranks the slower rank's time). The ratio to Spark is Spark's seconds over
embedlab's: how much sooner vectors of the quality shown are ready. Words/s counts the corpus'
words times each configuration's own epochs. CPU seconds (Spark's JVM, every embedlab rank)
are beside them: on a busy machine they say what wall time cannot (Linux's autogroup scheduler
gives 2 torchrun ranks two sessions' shares of the CPU and one process one share; see
bench_word2vec_distributed.py). JVM and interpreter start-up are outside the timings. Quality:
Google analogies (3CosAdd) and WordSim-353 Spearman, both by ``embedlab.evaluate`` on each
library's vectors written to a word2vec text file. The configurations alternate within a
round; medians over rounds; the load average is recorded beside each run.

    python benchmarks/bench_spark.py [--rounds 3] [--corpus brown,news]
                                     [--configs spark:1,spark:2,embedlab:1x2:hs,...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import DATA, save_results  # noqa: E402

HERE = Path(__file__).parent
SPARK_VENV = HERE / ".venv-spark"
PYSPARK = "pyspark==4.3.0"
SPARK_PACKAGES = (PYSPARK, "numpy")  # pyspark.ml imports numpy, which pyspark does not require
CORES = 2
SPARK_EPOCHS = 5
SETTINGS = {"vector_size": 100, "window": 5, "min_count": 5, "learning_rate": 0.025}
CONFIGURATIONS: dict[str, dict[str, Any]] = {  # embedlab's settings on top of SETTINGS
    "hs": {"mode": "skipgram", "hs": True, "negative": 0, "sample": 0.0, "epochs": SPARK_EPOCHS},
    "neg": {"mode": "skipgram", "hs": False, "negative": 5, "sample": 1e-3, "epochs": SPARK_EPOCHS},
    "neg-nosample": {"mode": "skipgram", "hs": False, "negative": 5, "sample": 0.0, "epochs": SPARK_EPOCHS},
    # Chosen by bench_word2vec_settings.py (docs/distributed.md): the fastest setting of the sweep
    # whose median analogy and WordSim-353 scores were both at least Spark's on both corpora.
    "cbow-w5-s2e-4-e12": {"mode": "cbow", "hs": False, "negative": 5, "sample": 2e-4, "window": 5,
                          "learning_rate": 0.05, "epochs": 12},
    # The same with a copy of the model per thread, merged every few jobs (thread_updates).
    "cbow-w5-s2e-4-e12-replicas": {"mode": "cbow", "hs": False, "negative": 5, "sample": 2e-4,
                                   "window": 5, "learning_rate": 0.05, "epochs": 12,
                                   "thread_updates": "replicas"},
    # The earlier choice, on Brown alone: Spark's quality on Brown, not its WordSim on news.
    "cbow-w8-e10": {"mode": "cbow", "hs": False, "negative": 5, "sample": 1e-3, "window": 8,
                    "learning_rate": 0.05, "epochs": 10},
}
DEFAULT_CONFIGS = ("spark:1,spark:2,embedlab:2x1:hs,embedlab:1x2:cbow-w5-s2e-4-e12,"
                   "embedlab:1x2:cbow-w5-s2e-4-e12-replicas,embedlab:2x1:cbow-w5-s2e-4-e12")

_SPARK_RUN = r"""
import json, os, sys, time
from pyspark.sql import SparkSession
from pyspark.ml.feature import Word2Vec
path, out, epochs, partitions, cores, seed, settings = (
    sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]),
    json.loads(sys.argv[7]))
spark = (SparkSession.builder.master(f"local[{cores}]").appName("bench_spark")
         .config("spark.driver.memory", "3g").config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
lines = spark.sparkContext.textFile(path, minPartitions=cores).map(lambda line: (line.split(),))
frame = spark.createDataFrame(lines, ["words"]).cache()
frame.count()  # read and split the file before the clock starts
word2vec = Word2Vec(vectorSize=settings["vector_size"], windowSize=settings["window"],
                    minCount=settings["min_count"], stepSize=settings["learning_rate"],
                    maxIter=epochs, numPartitions=partitions, seed=seed, inputCol="words")
jvm = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
def jvm_cpu():  # the JVM's user + system seconds, from /proc (its own MXBean is out of py4j's reach)
    fields = open(f"/proc/{jvm}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
cpu = jvm_cpu()
start = time.perf_counter()
model = word2vec.fit(frame)
fit_s = time.perf_counter() - start
cpu_s = jvm_cpu() - cpu
rows = model.getVectors().collect()
with open(out, "w", encoding="utf-8") as handle:
    handle.write(f"{len(rows)} {settings['vector_size']}\n")
    for row in rows:
        handle.write(row.word + " " + " ".join(f"{x:.7g}" for x in row.vector.toArray()) + "\n")
print(json.dumps({"fit_s": fit_s, "cpu_s": cpu_s}))
spark.stop()
"""

_EMBEDLAB_RUN = r"""
import json, sys, time
from pathlib import Path
import embedlab
from embedlab import distributed
from embedlab.text import Corpus, whitespace_tokenize
from embedlab.train import Word2Vec
path, out, threads, seed, settings = (
    sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5]))
model = Word2Vec(workers=threads, seed=seed, progress=False, **settings)
# Join the process group and wait for every rank before the clock starts: an interpreter that
# starts late on a busy machine is start-up time, as the JVM's is for Spark.
ctx = distributed.init()
distributed.barrier()
start = time.perf_counter()
cpu = time.process_time()
vectors = model.fit(Corpus(path, tokenizer=whitespace_tokenize))
fit_s = time.perf_counter() - start
cpu_s = time.process_time() - cpu
if ctx.is_main:
    embedlab.save(vectors, out / "vectors.vec", format="word2vec")
(out / f"rank{ctx.rank}.json").write_text(json.dumps({"fit_s": fit_s, "train_s": model.timings["train"], "cpu_s": cpu_s}))
distributed.barrier()
distributed.shutdown()
"""


def java_home() -> str:
    """JAVA_HOME, or Debian's OpenJDK 17 where JAVA_HOME is not set."""
    for candidate in (os.environ.get("JAVA_HOME", ""), "/usr/lib/jvm/java-17-openjdk-amd64"):
        if candidate and (Path(candidate) / "bin" / "java").exists():
            return candidate
    raise SystemExit("no Java found: set JAVA_HOME to a JDK 17 or 21 (Debian: apt install openjdk-17-jdk-headless)")


def spark_python() -> Path:
    """The Spark virtualenv's interpreter, creating the virtualenv and installing pyspark once."""
    python = SPARK_VENV / "bin" / "python"
    probe = [str(python), "-c", "import pyspark.ml"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    base = shutil.which("python3") or sys.executable
    print(f"creating {SPARK_VENV} and installing {PYSPARK} (about 400 MB from PyPI) ...", flush=True)
    subprocess.run([base, "-m", "venv", str(SPARK_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *SPARK_PACKAGES], check=True)
    return python


def brown_file() -> Path:
    """The Brown corpus, one sentence per line, through embedlab's default tokenizer."""
    from embedlab import datasets
    from embedlab.text import tokenize

    target = DATA / "brown.tokens.txt"
    if not target.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".tmp")
        with partial.open("w", encoding="utf-8") as out:
            for sentence in datasets.load("brown").sentences:
                tokens = tokenize(" ".join(sentence))
                if tokens:
                    out.write(" ".join(tokens) + "\n")
        partial.replace(target)
    return target


def corpus(name: str) -> Path:
    if name == "brown":
        return brown_file()
    from bench_word2vec import corpus_file

    return corpus_file()


def count_words(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(len(line.split()) for line in handle)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def quality(vectors_file: Path) -> dict[str, float]:
    import embedlab
    from embedlab import datasets, evaluate

    vectors = embedlab.load(vectors_file, format="word2vec")
    return {"analogy": evaluate.analogies(vectors, datasets.load("google-analogy"), progress=False).accuracy,
            "wordsim": evaluate.word_pairs(vectors, datasets.load("wordsim353")).spearman,
            "vocab": len(vectors)}


def run_spark(path: Path, partitions: int, seed: int, tmp: Path) -> dict[str, float]:
    out = tmp / "vectors.vec"
    env = dict(os.environ, JAVA_HOME=java_home(), PYSPARK_PYTHON=str(spark_python()))
    done = subprocess.run([str(spark_python()), "-c", _SPARK_RUN, str(path), str(out), str(SPARK_EPOCHS),
                           str(partitions), str(CORES), str(seed), json.dumps(SETTINGS)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    return {"fit_s": timing["fit_s"], "cpu_s": timing["cpu_s"], "epochs": SPARK_EPOCHS, **quality(out)}


def run_embedlab(path: Path, processes: int, threads: int, configuration: str, seed: int,
                 tmp: Path, epochs: int | None = None) -> dict[str, float]:
    script = tmp / "run.py"
    script.write_text(_EMBEDLAB_RUN)
    settings = SETTINGS | CONFIGURATIONS[configuration] | ({"epochs": epochs} if epochs else {})
    command = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={processes}",
               "--master_addr=127.0.0.1", f"--master_port={free_port()}", str(script), str(path),
               str(tmp), str(threads), str(seed), json.dumps(settings)]
    done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    ranks = [json.loads((tmp / f"rank{r}.json").read_text()) for r in range(processes)]
    return {"fit_s": max(r["fit_s"] for r in ranks), "train_s": max(r["train_s"] for r in ranks),
            "cpu_s": sum(r["cpu_s"] for r in ranks), "epochs": settings["epochs"],
            **quality(tmp / "vectors.vec")}


def run_config(config: str, path: Path, seed: int) -> dict[str, float]:
    """One run of ``spark:PARTITIONS`` or ``embedlab:PROCESSESxTHREADS:CONFIGURATION``."""
    parts = config.split(":")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        if parts[0] == "spark":
            result = run_spark(path, int(parts[1]), seed, Path(tmp))
        else:
            processes, threads = (int(v) for v in parts[1].split("x"))
            result = run_embedlab(path, processes, threads, parts[2], seed, Path(tmp))
    return result | {"load_before": load_before, "load_after": os.getloadavg()[0]}


def summarise(runs: dict[str, list[dict[str, float]]], words: int) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name, rs in runs.items():
        for r in rs:
            r["words_per_s"] = words * r["epochs"] / r["fit_s"]
            if "train_s" in r:
                r["train_words_per_s"] = words * r["epochs"] / r["train_s"]
        summary[name] = {"median": {k: statistics.median(r[k] for r in rs) for k in rs[0]}, "runs": rs}
    spark = {n: s for n, s in summary.items() if n.startswith("spark")}
    for name, entry in summary.items():
        if name.startswith("spark"):
            continue
        med = entry["median"]
        entry["vs_spark"] = {
            peer: {"speed_ratio": s["median"]["fit_s"] / med["fit_s"],
                   "cpu_ratio": s["median"]["cpu_s"] / med["cpu_s"],
                   "analogy_diff": med["analogy"] - s["median"]["analogy"],
                   "wordsim_diff": med["wordsim"] - s["median"]["wordsim"],
                   "quality_at_least_equal": med["analogy"] >= s["median"]["analogy"]
                   and med["wordsim"] >= s["median"]["wordsim"]}
            for peer, s in spark.items()}
    return summary


def bench(corpus_name: str, configs: list[str], rounds: int) -> None:
    path = corpus(corpus_name)
    words = count_words(path)
    runs: dict[str, list[dict[str, float]]] = {}
    for round_ in range(rounds):
        for config in configs if round_ % 2 == 0 else configs[::-1]:
            r = run_config(config, path, round_ + 1)
            runs.setdefault(config, []).append(r)
            print(f"{corpus_name} round {round_ + 1} {config:26} fit {r['fit_s']:6.1f}s  cpu {r['cpu_s']:6.1f}s  "
                  f"{words * r['epochs'] / r['fit_s']:>10,.0f} words/s  analogy {r['analogy']:.4f}  "
                  f"wordsim {r['wordsim']:.4f}  load {r['load_before']:.1f}", flush=True)
    summary = summarise(runs, words)
    print(f"\n{corpus_name}: medians of {rounds} round(s); x = Spark's seconds / embedlab's (wall; cpu)")
    print(f"{'configuration':26} {'fit s':>6} {'cpu s':>6} {'words/s':>10} {'analogy':>8} {'wordsim':>8} "
          f"{'load':>5}  vs Spark (* = quality at least Spark's)")
    for name, entry in summary.items():
        med = entry["median"]
        ratios = ", ".join(f"{v['speed_ratio']:.1f}x; {v['cpu_ratio']:.1f}x {peer}"
                           f"{'*' if v['quality_at_least_equal'] else ''}"
                           for peer, v in entry.get("vs_spark", {}).items())
        print(f"{name:26} {med['fit_s']:>6.1f} {med['cpu_s']:>6.1f} {med['words_per_s']:>10,.0f} "
              f"{med['analogy']:>8.4f} {med['wordsim']:>8.4f} {med['load_before']:>5.1f}  {ratios}")
    payload = {"corpus": path.name, "corpus_words": words, "spark_epochs": SPARK_EPOCHS, "cores": CORES,
               "settings": SETTINGS, "configurations": CONFIGURATIONS, "pyspark": PYSPARK,
               "java_home": java_home(), "cpus": os.cpu_count(), "rounds": rounds, "results": summary}
    print("saved", save_results("spark" if corpus_name == "brown" else f"spark_{corpus_name}", payload), "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", default="brown,news", help="brown, news, or both comma-separated")
    parser.add_argument("--configs", default=DEFAULT_CONFIGS,
                        help="spark:PARTITIONS or embedlab:PROCESSESxTHREADS:" + "|".join(CONFIGURATIONS)
                        + ", comma-separated")
    parser.add_argument("--setup-only", action="store_true", help="create the Spark virtualenv and stop")
    args = parser.parse_args()
    spark_python()
    if args.setup_only:
        return
    configs = args.configs.split(",")
    for config in configs:
        parts = config.split(":")
        if parts[0] == "embedlab" and (len(parts) != 3 or parts[2] not in CONFIGURATIONS):
            parser.error(f"{config}: embedlab configurations are embedlab:PxT:NAME, NAME one of {list(CONFIGURATIONS)}")
    with tempfile.TemporaryDirectory() as tmp:  # numba compiles (and caches) outside the timings
        for name in {c.split(":")[2] for c in configs if c.startswith("embedlab")}:
            run_embedlab(corpus("brown"), 1, 1, name, 1, Path(tmp), epochs=1)
    for corpus_name in args.corpus.split(","):
        bench(corpus_name, configs, args.rounds)


if __name__ == "__main__":
    main()
