"""Atomic file writing that honours the umask.

A report, table or CSV is either the old file or the complete new one, never a half-written file:
write to a temporary file in the same folder, then rename it over the target.

``tempfile.mkstemp`` and ``mkdtemp`` create their file 0600 and their folder 0700 whatever the
umask, because a temporary file must not be readable by others while it is private. Ours are not
private: once renamed into place they are the user's reports, which an instructor serves or shares.
So every temporary file or folder that becomes a result gets the mode an ordinary ``open()`` or
``mkdir()`` would have given it (0644 / 0755 under the usual umask 022).
"""

import os
import tempfile


def current_umask():
    """The process's umask, read without changing it where Linux allows (``/proc``), else by the
    classic set-and-restore."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode():
    """The mode ``open(path, "w")`` gives a new file: 0666 less the umask."""
    return 0o666 & ~current_umask()


def folder_mode():
    """The mode ``os.mkdir`` gives a new folder: 0777 less the umask."""
    return 0o777 & ~current_umask()


def make_temp_folder(parent, prefix):
    """A new uniquely named folder in ``parent``, with an ordinary folder's mode."""
    path = tempfile.mkdtemp(dir=parent, prefix=prefix)
    os.chmod(path, folder_mode())
    return path


def write_bytes_atomic(path, data):
    """Write ``data`` to ``path`` atomically, with an ordinary file's mode; returns ``path``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.splitext(path)[1])
    try:
        if hasattr(os, "fchmod"):  # POSIX (Windows has no modes to honour)
            os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_text_atomic(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically, with an ordinary file's mode."""
    return write_bytes_atomic(path, text.encode("utf-8"))
