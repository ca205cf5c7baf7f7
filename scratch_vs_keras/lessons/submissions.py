"""Checking a student's own NumPy network (``scratch-vs-keras check FILE``) and a class's folder
of them (``check --class DIR``), each in its own process, folder and time limit.

**The convention.** A submission is a Python file (``.py``, a jupytext percent-format lesson
included) or a notebook (``.ipynb``, its code cells) that defines the course's gradient function
in the lecture's layout::

    def gradients(W1, W2, X, Y):
        '''W1 (hidden, d + 1), W2 (k, hidden + 1), bias in column 0; X (N, d), one sample per
        row; Y (N, k) one-hot. Returns (grad_W1, grad_W2), shaped as W1, W2 (or a dict with
        "W1", "W2", and optionally the forward pass "A1", "A2", "A3").'''

and may set the network's settings at its top level (defaults in brackets): ``ACTIVATION``
("sigmoid"; "tanh", "relu"), ``COST`` ("quadratic"; "cross_entropy"), ``C`` (0.0, the L2
strength, gradient ``C * W`` without the bias), ``BIAS`` ("row"; "vector" for
``gradients(W1, b1, W2, b2, X, Y)``). The checker calls it at random points in float64 and
float32 (:func:`~.lecture.check_lecture_gradients`) and checks its answers itself.

**Isolation.** Each submission runs in a new process (:mod:`.sandbox`) whose working directory,
``HOME``, ``TMPDIR`` (and matplotlib's and the XDG folders) are a new temporary folder, removed
afterwards; its process group is killed at the time limit, so a crash or an endless loop stops
only that submission. Inside, a Python audit hook refuses writes outside the folder, new
processes and ``ctypes``; memory, CPU time and file sizes are capped. Not enforced: code that
reaches the operating system around Python's audit events (a compiled extension) could write
where the user may; the parent never unpickles a submission's messages.
"""

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

from . import sandbox
from .lecture import check_lecture_gradients, check_settings

SUFFIXES = (".py", ".ipynb")
SETTINGS = {"ACTIVATION": "activation", "COST": "cost", "C": "C", "BIAS": "bias"}
STARTUP_SECONDS = 60.0


class _Stopped(BaseException):
    """The submission's process timed out or died (BaseException: the checker's own handling of
    a student's exceptions must not take it for one)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class _RemoteError(Exception):
    """The submission's function raised; ``described`` is the child's account of it."""

    def __init__(self, described):
        super().__init__(described)
        self.described = described


@dataclass
class Submission:
    """One submission's outcome: ``status`` ("right", "wrong", "not done", "error", "bad answer",
    "crashed", "timed out", "unusable"), the :class:`~.evidence.Feedback` when it was checked,
    a ``message`` otherwise, its ``settings`` and the ``seconds`` it took."""

    name: str
    status: str
    feedback: object = None
    message: str = ""
    settings: dict = field(default_factory=dict)
    seconds: float = 0.0
    output: str = ""

    @property
    def ok(self):
        return self.status == "right"

    def __str__(self):
        body = str(self.feedback) if self.feedback is not None else self.message
        return f"{self.name}: {self.status}\n{body}"


class _Child:
    """The submission's process and its message channel, against one deadline."""

    def __init__(self, path, folder, time_limit):
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")}
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        for name in ("HOME", "TMPDIR", "TEMP", "TMP", "MPLCONFIGDIR", "XDG_CACHE_HOME",
                     "XDG_CONFIG_HOME", "XDG_DATA_HOME", "IPYTHONDIR"):
            env[name] = folder
        env.update(PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   MKL_NUM_THREADS="1")
        cpu = int(np.ceil(time_limit)) + 5  # CPU seconds, start-up included
        self.left = self.time_limit = time_limit  # counted while the submission runs, not the checker
        self.proc = subprocess.Popen(
            [sys.executable, "-u", sandbox.__file__, path], cwd=folder, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=lambda: _cpu_limit(cpu))

    def _read(self, n):
        data = b""
        while len(data) < n:
            started = time.monotonic()
            ready = self.left > 0 and select.select([self.proc.stdout], [], [], self.left)[0]
            self.left -= time.monotonic() - started
            if not ready:
                raise _Stopped("timed out", f"stopped after its time limit of {self.time_limit:g} s "
                               "(an endless loop, or far too slow)")
            chunk = os.read(self.proc.stdout.fileno(), n - len(data))
            if not chunk:
                code = self.proc.wait()
                how = (f"killed by signal {signal.Signals(-code).name}" if code < 0 else
                       f"exit status {code}")
                raise _Stopped("crashed", f"its process ended ({how}) before answering")
            data += chunk
        return data

    def receive(self):
        (n,) = np.frombuffer(self._read(8), dtype=">u8")
        return sandbox.unpack(self._read(int(n)))

    def started(self, start_up=STARTUP_SECONDS):
        """Wait for the child's Python and NumPy to start (not counted in the time limit: on a
        busy machine start-up alone can take seconds)."""
        budget, self.left = self.left, start_up
        try:
            self.receive()
        finally:
            self.left = budget

    def call(self, *args):
        try:
            self.proc.stdin.write(sandbox.pack({}, [np.asarray(a) for a in args]))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _Stopped("crashed", "its process ended while being called") from None
        meta, arrays = self.receive()
        kind = meta.get("kind")
        if kind == "not done":
            raise NotImplementedError
        if kind == "error":
            raise _RemoteError(meta["error"])
        if kind == "none":
            return None if meta["repr"] == "None" else Ellipsis
        if kind == "other":
            return f"<{meta['type']}>"
        values = [None if i in meta["none"] else a for i, a in enumerate(arrays)]
        return dict(zip(meta["keys"], values)) if kind == "dict" else values

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _cpu_limit(seconds):
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def _settings(raw):
    """The submission's settings as ``check_lecture_gradients`` keywords; ValueError naming the
    variable and its choices."""
    out = {}
    for name, value in raw.items():
        if isinstance(value, str) and value.startswith(("<", "[", "(", "{")):
            raise ValueError(f"{name} must be a plain string or number; received {value}.")
        out[SETTINGS[name]] = value
    try:
        check_settings(**out)
    except ValueError as exc:
        raise ValueError(str(exc).replace("`activation`", "ACTIVATION").replace("`cost`", "COST")
                         .replace("`bias`", "BIAS").replace("`C`", "C")) from None
    return out


def check_file(path, time_limit=10.0, seed=0):
    """Check one submission in its own process and temporary folder; a :class:`Submission`."""
    name = os.path.basename(path)
    folder = tempfile.mkdtemp(prefix="scratch-vs-keras-check-")
    try:
        own = os.path.join(folder, name)
        shutil.copyfile(path, own)
        child = _Child(own, folder, time_limit)
        try:
            child.started()
            meta, _ = child.receive()
            if meta["status"] == "load error":
                return Submission(name, "error", message=f"Running the file raised {meta['error']}.")
            if meta["status"] == "no gradients":
                return Submission(name, "unusable", message="It defines no function `gradients(W1, "
                                  "W2, X, Y)`; the checker looks for that name (see `scratch-vs-keras "
                                  "check --help`).")
            try:
                settings = _settings(meta["settings"])
            except ValueError as exc:
                return Submission(name, "unusable", message=str(exc))

            def gradients(*args):
                return child.call(*args)

            fb = check_lecture_gradients(gradients, seed=seed, **settings)
            return Submission(name, fb.status, fb, fb.message, settings)
        except _Stopped as stop:
            child.close()
            return Submission(name, stop.status, message=f"Not checked: {stop.message}."
                              + _tail(os.path.join(folder, "stderr.txt")))
        finally:
            child.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _tail(path, lines=3):
    """The last lines the submission wrote to stderr, if any (why it crashed)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            last = [l.rstrip() for l in f.read()[-2000:].splitlines() if l.strip()][-lines:]
    except OSError:
        return ""
    return (" Its last words on stderr: " + " / ".join(last)) if last else ""


def submission_files(folder):
    """The submissions in ``folder`` (``.py`` and ``.ipynb`` files, hidden ones left out), sorted."""
    names = sorted(n for n in os.listdir(folder) if n.endswith(SUFFIXES) and not n.startswith("."))
    return [os.path.join(folder, n) for n in names]


def check_class(folder, time_limit=10.0, seed=0, progress=None, workers=4):
    """Check every submission in ``folder``, one process each, ``workers`` at a time (the
    checker mostly waits on them); a list of :class:`Submission` in file order."""
    from concurrent.futures import ThreadPoolExecutor

    def one(path):
        started = time.monotonic()
        result = check_file(path, time_limit, seed)
        result.seconds = time.monotonic() - started
        if progress:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, submission_files(folder)))
