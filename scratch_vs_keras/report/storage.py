"""Putting a report folder in place so that no interruption and no second writer can lose it.

A report is built in a hidden temporary folder ``.tmp-<name>-XXXXXXXX`` beside its target and then
swapped in by two renames: the old report aside to ``.old-<name>-XXXXXXXX``, the new one in, the
old one deleted. Three things could go wrong with that, and each is handled here:

- **A second writer.** Two processes writing reports into the same folder would interleave their
  renames (one finds the target gone and renames onto the other's fresh folder: "Directory not
  empty", a stale ``.old-*`` left). Every write holds an exclusive ``fcntl.flock`` on the reports
  folder itself from the build to the refreshed ``index.html``, so writers take turns. A lock,
  rather than versioned folders behind a symlink, keeps a reports folder made of plain folders,
  which copies, zips and serves everywhere; locking the folder rather than a lock file adds no file
  to it; and the kernel drops the lock when its holder dies, even by ``SIGKILL``, so a crash never
  leaves the folder locked.
- **A signal.** While the folder is built, SIGTERM, SIGHUP and SIGINT raise
  :class:`ReportInterrupted` (where they would otherwise kill the process at once): the temporary
  folder is removed, the old report stays, and the signal is then delivered again as it would have
  been. During the swap and the index update (milliseconds) the same signals are held back and
  delivered right after, so the swap is never cut in half. (Signals can only be handled in the
  main thread; elsewhere the next point covers it.)
- **A crash** (``SIGKILL``, power loss) between the two renames leaves the old report as
  ``.old-*`` and no report. The next write into the folder, under the lock, first repairs what a
  crashed writer left: an ``.old-<name>-*`` whose report is missing is moved back, one whose report
  exists is deleted, and ``.tmp-*`` leftovers are deleted (no live writer can own them, since
  writers hold the lock while they exist).

An ordinary exception at any point rolls back: the old report is moved back in if it was moved
aside and the new one is not in place yet.
"""

import contextlib
import os
import re
import shutil
import signal
import threading

from ..report_io import make_temp_folder

try:  # POSIX; elsewhere writers are not serialized (the lock becomes a no-op)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

_GUARDED = tuple(getattr(signal, s) for s in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, s))
# mkdtemp's names: the prefix, then eight of [a-z0-9_]; a report's folders and, from
# write_text_atomic, the temporary copies of index.html and of the lesson pages. Nothing else is
# touched: the reports folder may be a user's folder with other files in it.
_LEFTOVER = re.compile(r"^\.(tmp|old)-(?P<name>.+)-[a-z0-9_]{8}$")
_TEMP_PAGE = re.compile(r"^\.tmp-[a-z0-9_]{8}\.(html|ipynb)$")


class ReportInterrupted(BaseException):
    """A signal arrived while a report was being written; nothing was left behind."""

    def __init__(self, signum):
        super().__init__(f"interrupted by signal {signum} while writing a report")
        self.signum = signum


@contextlib.contextmanager
def locked(out_root):
    """Hold the exclusive lock of the reports folder ``out_root`` (created if missing)."""
    os.makedirs(out_root, exist_ok=True)
    if fcntl is None:  # pragma: no cover - not POSIX: no lock to take
        yield
        return
    fd = os.open(out_root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def repair(out_root, subfolders=("lessons",)):
    """Undo what a crashed writer left in ``out_root`` (call with the lock held); returns the
    names of the reports moved back."""
    restored = []
    entries = sorted(os.listdir(out_root), key=lambda e: os.lstat(os.path.join(out_root, e)).st_mtime,
                     reverse=True)  # newest first: if one report was set aside twice, keep the last
    for entry in entries:
        m = _LEFTOVER.match(entry)
        path = os.path.join(out_root, entry)
        if m and os.path.isdir(path) and not os.path.islink(path):
            target = os.path.join(out_root, m.group("name"))
            if m.group(1) == "old" and not os.path.exists(target):
                os.rename(path, target)
                restored.append(m.group("name"))
            else:
                shutil.rmtree(path, ignore_errors=True)
        elif _TEMP_PAGE.match(entry):
            _remove(path)
    for sub in subfolders:  # lesson pages are written under the lock too
        folder = os.path.join(out_root, sub)
        if os.path.isdir(folder):
            for entry in os.listdir(folder):
                if _TEMP_PAGE.match(entry):
                    _remove(os.path.join(folder, entry))
    return restored


class _SignalGuard:
    """While active (main thread only): SIGTERM/SIGHUP/SIGINT raise :class:`ReportInterrupted`,
    or, once :meth:`defer` is called, are recorded and delivered again on exit."""

    def __init__(self):
        self.previous, self.pending, self.deferring = {}, [], False

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in _GUARDED:
                handler = signal.getsignal(signum)
                if handler not in (signal.SIG_IGN, None):  # an ignored signal stays ignored
                    self.previous[signum] = handler
                    signal.signal(signum, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.deferring:
            self.pending.append(signum)
        else:
            raise ReportInterrupted(signum)

    def defer(self):
        self.deferring = True

    def __exit__(self, kind, exc, tb):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        if isinstance(exc, ReportInterrupted):
            self.pending.append(exc.signum)
        for signum in dict.fromkeys(self.pending):
            os.kill(os.getpid(), signum)  # as it would have been handled without us
        return False


def _swap(tmp, target, out_root, name):
    """Move ``tmp`` to ``target``, the old report aside first; roll back on an exception."""
    old = None
    try:
        if os.path.exists(target):
            old = make_temp_folder(out_root, f".old-{name}-")
            os.rmdir(old)
            os.rename(target, old)
        os.rename(tmp, target)
    except BaseException:
        if old is not None and os.path.isdir(old) and not os.path.exists(target):
            os.rename(old, target)
        raise
    if old is not None:  # the new report is in place; a crash before this line leaves only
        shutil.rmtree(old, ignore_errors=True)  # an .old-* beside it, which repair() deletes


def publish(out_root, name, build, after=None):
    """Build the folder ``out_root/name`` with ``build(tmp_folder)`` and put it in place safely;
    then call ``after()`` (e.g. refresh the index), all under the folder's lock."""
    target = os.path.join(out_root, name)
    with locked(out_root):
        repair(out_root)
        with _SignalGuard() as guard:
            tmp = None
            try:
                tmp = make_temp_folder(out_root, f".tmp-{name}-")
                build(tmp)
                guard.defer()
                _swap(tmp, target, out_root, name)
            finally:
                if tmp is not None and os.path.exists(tmp):
                    shutil.rmtree(tmp, ignore_errors=True)
            if after is not None:
                after()
    return target
