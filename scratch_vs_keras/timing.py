"""Where a run's time goes: named phases, wall and CPU seconds, off by default.

``with phase("keras_fit"): ...`` adds the block's time to ``keras_fit``. Phases nest and count
exclusively: a block's time is its own minus that of the phases opened inside it, so the phases
of one thread add up to the time spent inside any of them. CPU time is the process's
(``time.process_time``: every thread, TensorFlow's own included), so the CPU seconds of a phase
include whatever other threads of the process did meanwhile.

Enabled by the environment variable ``SCRATCH_VS_KERAS_TIMING=1`` or :func:`enable`; disabled,
``phase`` costs one attribute lookup. ``benchmarks/where_time_goes.py`` reads :func:`totals`.
"""

import contextlib
import os
import threading
import time

_enabled = os.environ.get("SCRATCH_VS_KERAS_TIMING", "") not in ("", "0")
_lock = threading.Lock()
_totals = {}  # phase -> [wall seconds, CPU seconds, times entered]
_local = threading.local()  # each thread's stack of open phases


def enable(on=True):
    """Start (or, ``on=False``, stop) recording phases."""
    global _enabled
    _enabled = bool(on)


def enabled():
    return _enabled


def reset():
    """Forget the phases recorded so far."""
    with _lock:
        _totals.clear()


def totals():
    """``{phase: (wall seconds, CPU seconds, times entered)}`` recorded so far."""
    with _lock:
        return {name: tuple(v) for name, v in _totals.items()}


@contextlib.contextmanager
def _timed(name):
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    # [wall, cpu] spent in phases opened inside this one: subtracted to count exclusively
    inner = [0.0, 0.0]
    stack.append(inner)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        stack.pop()
        if stack:
            stack[-1][0] += wall
            stack[-1][1] += cpu
        with _lock:
            entry = _totals.setdefault(name, [0.0, 0.0, 0])
            entry[0] += wall - inner[0]
            entry[1] += cpu - inner[1]
            entry[2] += 1


def phase(name):
    """A context manager adding its block's time to phase ``name`` (a no-op when disabled)."""
    return _timed(name) if _enabled else contextlib.nullcontext()


def move(source, target, wall, cpu):
    """Count ``wall`` and ``cpu`` seconds already added to phase ``source`` under ``target``
    instead (e.g. the first call of a compiled function, timed from inside a phase)."""
    if not _enabled:
        return
    with _lock:
        for name, sign in ((source, -1), (target, 1)):
            entry = _totals.setdefault(name, [0.0, 0.0, 0])
            entry[0] += sign * wall
            entry[1] += sign * cpu
        _totals[target][2] += 1


def clock():
    """``(wall, cpu)`` now, for :func:`move`."""
    return time.perf_counter(), time.process_time()
