"""Run many independent tasks in parallel and hand back each outcome as it arrives.

One path for every fan-out of the package (the cells of a sweep, the experiments of ``run all``):
``backend="joblib"`` runs ``jobs`` worker processes on this machine (``jobs=1``: in this process,
one after the other); ``backend="dask"`` submits the same tasks, unchanged, to an existing
``dask.distributed`` scheduler at ``scheduler`` (an address such as ``tcp://host:8786``).

A task never brings the run down: inside the worker, :func:`guarded` turns an exception into an
``"error"`` outcome with its message, and a task still running after ``timeout`` seconds into a
``"timeout"`` outcome. The timeout is an exception raised in the task's own thread, so it stops
Python code (every training step returns to Python); a single native call that never returns
cannot be interrupted that way, and the sweep's resume is the remedy for that.
"""

import contextlib
import ctypes
import threading
import time
from dataclasses import dataclass

#: Keras keeps its float type and dtype policy per process: tasks that share a process (thread
#: workers of a dask cluster, joblib's threading backend) run one at a time.
_PROCESS_LOCK = threading.Lock()

BACKENDS = ("joblib", "dask")


class TaskTimeout(BaseException):
    """Raised inside a task that ran past its timeout (a BaseException, like KeyboardInterrupt,
    so that a library's ``except Exception`` cannot swallow it)."""


@dataclass
class Outcome:
    """What became of one task: ``status`` is ``"done"`` (``value`` holds its result),
    ``"error"`` or ``"timeout"`` (``message`` says what happened); ``seconds`` it took."""

    key: str
    status: str
    value: object
    message: str
    seconds: float


def guarded(function, key, item, timeout=None):
    """``function(item)`` as an :class:`Outcome`; never raises (runs in the worker)."""
    with _PROCESS_LOCK:
        started = time.perf_counter()
        try:
            with _deadline(timeout):
                value = function(item)
            return Outcome(key, "done", value, "", time.perf_counter() - started)
        except TaskTimeout:
            return Outcome(key, "timeout", None, f"no result after the {timeout:g} s timeout",
                           time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - a task's failure is reported, not fatal
            message = " ".join(f"{type(exc).__name__}: {exc}".split())
            return Outcome(key, "error", None, message, time.perf_counter() - started)


@contextlib.contextmanager
def _deadline(seconds):
    """Raise :class:`TaskTimeout` in this thread if the block runs longer than ``seconds``.

    A watchdog thread sets the exception asynchronously on this thread (CPython's
    ``PyThreadState_SetAsyncExc``), which works in any thread, unlike ``signal.alarm``; a
    pending one is cleared if the block finishes first."""
    if seconds is None:
        yield
        return
    target = ctypes.c_ulong(threading.get_ident())
    state = {"done": False, "fired": False}
    guard = threading.Lock()

    def fire():
        with guard:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(TaskTimeout))

    watchdog = threading.Timer(seconds, fire)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield
    finally:
        with guard:
            state["done"] = True
            if state["fired"]:  # fired after the block's last instruction: clear it
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
        watchdog.cancel()


def run_parallel(function, items, jobs=1, backend="joblib", scheduler=None, timeout=None):
    """Run ``function(item)`` for every ``key: item`` of ``items``; yield an :class:`Outcome`
    per task as each finishes (in the order they finish).

    Args:
        function: a module-level function (it is pickled by reference to the workers).
        items: ``{key: item}``, keys unique strings.
        jobs: worker processes of the joblib backend (1: this process).
        backend: ``"joblib"`` or ``"dask"``.
        scheduler: the dask scheduler's address (``backend="dask"`` only).
        timeout: seconds a task may run (None: no limit).
    """
    check_backend(backend, scheduler, jobs)
    if backend == "dask":
        yield from _on_dask(function, items, scheduler, timeout)
    elif jobs == 1:
        for key, item in items.items():
            yield guarded(function, key, item, timeout)
    else:
        from joblib import Parallel, delayed

        tasks = (delayed(guarded)(function, key, item, timeout) for key, item in items.items())
        yield from Parallel(n_jobs=jobs, return_as="generator_unordered", batch_size=1)(tasks)


def _on_dask(function, items, scheduler, timeout):
    from distributed import Client, as_completed

    with Client(scheduler, set_as_default=False) as client:
        futures = [client.submit(guarded, function, key, item, timeout, pure=False)
                   for key, item in items.items()]
        for future in as_completed(futures, loop=client.loop):
            yield future.result()
            future.release()


def check_backend(backend, scheduler, jobs):
    """ValueError, naming the argument and the fix, for a backend that cannot be used."""
    if backend not in BACKENDS:
        raise ValueError(f"`backend` must be one of {', '.join(BACKENDS)}; received {backend!r}.")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"`jobs` must be a positive integer; received jobs={jobs!r}.")
    if backend == "dask":
        if not scheduler:
            raise ValueError("the dask backend needs the scheduler's address: --scheduler "
                             "ADDRESS (e.g. tcp://127.0.0.1:8786).")
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ValueError("the dask backend needs dask.distributed: pip install "
                             "'scratch_vs_keras[dask]'.") from None
    elif scheduler:
        raise ValueError("--scheduler is the address of a dask scheduler; give --backend dask "
                         "too, or drop --scheduler.")
