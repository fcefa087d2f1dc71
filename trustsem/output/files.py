"""Write an output folder whole or not at all, one run at a time.

Used by ``trustsem fit``, ``trustsem demo`` and ``trustsem report`` (through
:func:`trustsem.output.report.render_report`). For an output folder ``DIR``:

- every file is first written into a temporary folder ``.DIR.tmp-<pid>-*``
  beside ``DIR`` (same parent, so the same file system);
- the finished folder then replaces ``DIR`` in one step: on Linux one
  ``renameat2(RENAME_EXCHANGE)`` swaps the two folders atomically, elsewhere
  ``DIR`` is renamed aside and the new folder renamed in (two renames, no
  copying); the old folder is then removed, so no file of an earlier run is
  left mixed with the new ones;
- a lock file ``.DIR.lock`` holding the writer's process id keeps a second
  run from writing to the same folder at the same time: it fails with
  "another trustsem run is writing to DIR; ...";
- temporary folders and locks left by a killed run are removed by the next
  run once their process id is no longer alive.

An existing ``DIR`` is only replaced when it is empty or was written by
trustsem (it holds ``report.html`` or ``result.json``, which every trustsem
output folder has), so pointing ``--out`` at a folder of one's own files never
deletes them.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..exceptions import TrustsemError

__all__ = ["output_lock", "write_outputs"]

#: Files by which an existing folder is recognised as a trustsem output.
MARKERS = frozenset({"report.html", "result.json"})

_HELD: set[Path] = set()  # lock files held by this process (re-entrant locking)
_RENAME_EXCHANGE = 2


def _parent(out: Path) -> Path:
    return out.parent if str(out.parent) else Path(".")


def _lock_path(out: Path) -> Path:
    return _parent(out) / f".{out.name}.lock"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _remove_stale(out: Path) -> None:
    """Remove temporary/old folders of ``out`` whose writing process is gone."""
    parent = _parent(out)
    pat = re.compile(rf"^\.{re.escape(out.name)}\.(?:tmp|old)-(\d+)-")
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for p in entries:
        m = pat.match(p.name)
        if m and p.is_dir() and not _pid_alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def output_lock(out: str | Path) -> Iterator[Path]:
    """Hold the write lock of output folder ``out`` (re-entrant in one process).

    Raises
    ------
    TrustsemError
        Another live process holds the lock.
    """
    out = Path(out)
    parent = _parent(out)
    parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_path(out).resolve()
    if lock in _HELD:
        yield out
        return
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid = _read_pid(lock)
            if pid is not None and _pid_alive(pid):
                raise TrustsemError(
                    f"another trustsem run is writing to {out}; wait for it or choose another"
                    f" --out (lock file {lock.name}, process {pid}).") from None
            if pid is None and _recent(lock):
                # being created right now by another run that has not written its pid yet
                raise TrustsemError(
                    f"another trustsem run is writing to {out}; wait for it or choose another"
                    " --out.") from None
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()  # stale: its process is gone
            continue
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(str(os.getpid()))
        break
    else:  # pragma: no cover - lost two races in a row
        raise TrustsemError(
            f"another trustsem run is writing to {out}; wait for it or choose another --out.")
    _HELD.add(lock)
    try:
        _remove_stale(out)
        yield out
    finally:
        _HELD.discard(lock)
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


def _recent(path: Path, seconds: float = 5.0) -> bool:
    import time

    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False


def _replaceable(out: Path) -> bool:
    try:
        names = {p.name for p in out.iterdir()}
    except OSError:
        return False
    return not names or bool(names & MARKERS)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False when unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), _RENAME_EXCHANGE)
    return rc == 0


def write_outputs(out: str | Path, files: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write every file into a fresh folder, then swap it in as ``out``.

    Parameters
    ----------
    out : str or Path
        Output folder. An existing one is replaced as a whole (files of an
        earlier run do not survive), but only if it is empty or was written by
        trustsem.
    files : dict of str to callable
        File name (may contain ``/``) -> function writing that file to the
        path it is given.

    Returns
    -------
    list of Path
        The written files, inside ``out``.

    Raises
    ------
    TrustsemError
        ``out`` is a file, a folder not written by trustsem, or another run
        is writing to it. Nothing is changed then.
    OSError
        A writer failed; ``out`` is left as it was.
    """
    out = Path(out)
    with output_lock(out):
        if out.exists() and not out.is_dir():
            raise TrustsemError(f"Output path {str(out)!r} exists and is not a folder.")
        if out.is_dir() and not _replaceable(out):
            raise TrustsemError(
                f"Output folder {str(out)!r} already holds files not written by trustsem"
                " (no report.html or result.json); choose another --out or empty it first.")
        parent = _parent(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=parent))
        old: Path | None = None
        try:
            for name, writer in files.items():
                target = tmp / name
                target.parent.mkdir(parents=True, exist_ok=True)
                writer(target)
            os.chmod(tmp, 0o755 & ~_umask())
            if not out.exists():
                os.rename(tmp, out)
            elif _exchange(tmp, out):
                old = tmp  # tmp now holds the previous folder
            else:
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=parent))
                os.rmdir(old)
                os.rename(out, old)
                os.rename(tmp, out)
            return [out / n for n in files]
        finally:
            for p in (tmp, old):
                if p is not None and p.exists() and p.resolve() != out.resolve():
                    shutil.rmtree(p, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
