"""The child process that runs one student's submission (``python sandbox.py FILE``: this file
is run as a script, importing NumPy only, so that a child starts fast), started by
:mod:`.submissions` in the submission's own temporary folder (its working directory, ``HOME`` and
``TMPDIR``).

It loads the file (a Python script, or a notebook's code cells), then answers the parent's calls
of the submission's ``gradients`` function, one message per call, over its original stdin and
stdout; the submission's own prints go to ``stdout.txt`` and ``stderr.txt`` in its folder.
Messages are ``.npz`` archives read with ``allow_pickle=False``: the parent never unpickles what
a submission sends, and it does the checking itself, so a submission can only answer with numbers.

What is enforced inside (:func:`confine`): a Python audit hook refuses, from the moment the
submission's code runs, opening a file for writing, and creating, removing, renaming or changing
files outside the folder, starting processes and loading C libraries through ``ctypes``; resource
limits cap memory, CPU time and the size of any file written. What is not: code that reaches the
operating system without Python's audit events (a compiled extension the submission brings) could
still write elsewhere; the parent's time limit ends it in any case.
"""

import io
import json
import os
import struct
import sys

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
PATH_EVENTS = {"os.remove", "os.rename", "os.mkdir", "os.rmdir", "os.chmod", "os.chown",
               "os.symlink", "os.link", "os.truncate", "os.utime", "shutil.rmtree", "shutil.copyfile",
               "shutil.move", "os.replace"}
REFUSED_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                  "os.fork", "os.forkpty", "pty.spawn", "ctypes.dlopen", "os.startfile", "os.kill",
                  "os.killpg", "socket.connect", "socket.bind"}


def pack(meta, arrays=()):
    """A length-prefixed message: ``meta`` (JSON) and numbered arrays, as an ``.npz`` archive."""
    import numpy as np

    buffer = io.BytesIO()
    named = {f"a{i}": np.asarray(a) for i, a in enumerate(arrays)}
    np.savez(buffer, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **named)
    data = buffer.getvalue()
    return struct.pack(">Q", len(data)) + data


def unpack(data):
    """``(meta, [arrays])`` of a message body; never unpickles."""
    import numpy as np

    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        meta = json.loads(bytes(z["meta"]).decode())
        arrays = [z[f"a{i}"] for i in range(sum(1 for k in z.files if k.startswith("a")))]
    return meta, arrays


def _read(stream):
    head = stream.read(8)
    if len(head) < 8:
        return None
    (n,) = struct.unpack(">Q", head)
    return stream.read(n)


def confine(folder, memory_bytes=2 << 30, file_bytes=64 << 20):
    """From now on, refuse writes outside ``folder``, new processes and ``ctypes`` libraries."""
    import resource

    folder = os.path.realpath(folder)
    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_FSIZE, file_bytes),
                         (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):  # a platform without that limit: the time limit still holds
            pass

    def inside(path):
        if isinstance(path, int):
            return True  # an open descriptor: its file was checked when it was opened
        real = os.path.realpath(os.fsdecode(path))
        return real == folder or real.startswith(folder + os.sep) or real == os.devnull

    def hook(event, args):
        if event in REFUSED_EVENTS:
            raise PermissionError(f"the checker's sandbox does not allow {event}")
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None))[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS)
            if writing and path is not None and not inside(path):
                raise PermissionError(f"the checker's sandbox does not allow writing {path} "
                                      f"(outside the submission's folder)")
        elif event in PATH_EVENTS:
            for a in args:
                if isinstance(a, (str, bytes, os.PathLike)) and not inside(a):
                    raise PermissionError(f"the checker's sandbox does not allow {event} on {a}")

    sys.addaudithook(hook)


def load_source(path):
    """The submission's Python source: the file itself, or a notebook's code cells (IPython
    magics and shell lines left out)."""
    if path.endswith(".ipynb"):
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
        cells = []
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                src = cell.get("source", "")
                src = "".join(src) if isinstance(src, list) else src
                cells.append("\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("%", "!"))))
        return "\n\n".join(cells)
    with open(path, encoding="utf-8") as f:
        return f.read()


def describe_exception(exc, own_file=None):
    """``"ValueError at line 12 (return W1 @ X): message"``: the exception and the line of the
    student's code it came from (their file's last frame, else the last frame outside NumPy)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if f.filename == own_file] if own_file else []
    own = own or [f for f in frames[1:] if "site-packages" not in f.filename
                  and "/numpy/" not in f.filename]
    at = own[-1] if own else None
    line = f" at line {at.lineno} ({at.line.strip()})" if at is not None and at.line else ""
    message = str(exc) if not isinstance(exc, SystemExit) else f"exit({exc.code!r})"
    return f"{type(exc).__name__}{line}: {message}"


def _answer(result):
    """The message for what ``gradients`` returned."""
    import numpy as np

    if result is None or result is Ellipsis:
        return {"kind": "none", "repr": repr(result)}, []
    if isinstance(result, dict):
        keys, values = [str(k) for k in result], list(result.values())
    elif isinstance(result, (tuple, list)):
        keys, values = None, list(result)
    else:
        return {"kind": "other", "type": type(result).__name__}, []
    arrays = []
    for v in values:
        a = np.asarray(v) if v is not None and v is not Ellipsis else np.asarray([])
        if a.dtype.kind not in "fiub":
            return {"kind": "other", "type": f"{type(v).__name__} of dtype {a.dtype}"}, []
        arrays.append(a)
    return {"kind": "dict" if keys is not None else "seq", "keys": keys,
            "none": [i for i, v in enumerate(values) if v is None or v is Ellipsis]}, arrays


def serve(path):
    """Load the submission, then answer calls until the parent closes the pipe."""
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(os.open("stdout.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.dup2(os.open("stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    import numpy  # noqa: F401  (imported before the hook: NumPy's own loading is not the submission's)

    def send(meta, arrays=()):
        channel_out.write(pack(meta, arrays))
        channel_out.flush()

    send({"status": "started"})  # the submission's time limit starts now, not at Python's start-up
    confine(os.getcwd())
    namespace = {"__name__": "__submission__", "__file__": path}
    try:
        exec(compile(load_source(path), path, "exec"), namespace)
    except BaseException as exc:  # the submission's top level, whatever it raises or exits with
        send({"status": "load error", "error": describe_exception(exc, path)})
        return
    fn = namespace.get("gradients")
    settings = {k: namespace[k] for k in ("ACTIVATION", "COST", "C", "BIAS") if k in namespace}
    if not callable(fn):
        send({"status": "no gradients", "settings": repr(settings)})
        return
    send({"status": "ready", "settings": {k: v if isinstance(v, (int, float, str)) else repr(v)
                                          for k, v in settings.items()}})
    while True:
        data = _read(channel_in)
        if data is None:
            return
        _, args = unpack(data)
        try:
            meta, arrays = _answer(fn(*args))
        except NotImplementedError:
            meta, arrays = {"kind": "not done"}, []
        except BaseException as exc:
            meta, arrays = {"kind": "error", "error": describe_exception(exc, path)}, []
        send(meta, arrays)


if __name__ == "__main__":
    serve(sys.argv[1])
