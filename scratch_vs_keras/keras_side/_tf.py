"""Import TensorFlow and Keras once, and run Keras without TensorFlow's C++ chatter.

TensorFlow's C++ core prints informational lines straight to the process's stderr: while it
loads ("oneDNN custom operations are on", "This TensorFlow binary is optimized ...") and, with
Keras 3.15 on TensorFlow 2.21, once per ``fit`` on a generator ("NodeDef mentions attribute
use_unbounded_threadpool ... Unknown attributes will be ignored"). They are not errors and they
bury the command's own output, and no log level reaches them; so :func:`quiet_stderr` captures
file descriptor 2 around those calls and writes everything except these known lines back.
"""

import contextlib
import os
import re
import sys
import tempfile

_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on|"
    r"cpu_feature_guard|To enable the following instructions|rebuild TensorFlow with the appropriate|"
    r"NodeDef mentions attribute use_unbounded_threadpool"
)


@contextlib.contextmanager
def quiet_stderr():
    """Capture the process's stderr (fd 2) and re-emit all but TensorFlow's known info lines."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode("utf-8", "replace").splitlines():
                if line.strip() and not _NOISE.search(line):
                    print(line, file=sys.stderr)


def import_keras():
    """``keras``, importing TensorFlow first (quietly) if it is not loaded yet."""
    if "tensorflow" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from ..timing import phase

        with phase("tensorflow_import"), quiet_stderr():
            import tensorflow  # noqa: F401
        _keep_gradients_registered_now()
    import keras

    return keras


def tensorflow():
    """``tensorflow``, imported quietly through :func:`import_keras` if it is not loaded yet."""
    import_keras()
    import tensorflow as tf

    return tf


_KEPT_GRADIENTS = None  # the gradient registrations present when TensorFlow was imported


def _gradient_registry():
    """TensorFlow's global ``{name: gradient function}`` registry, or None if it is not where
    this expects it (a private attribute)."""
    from tensorflow.python.framework import ops

    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


def _keep_gradients_registered_now():
    global _KEPT_GRADIENTS
    registry = _gradient_registry()
    _KEPT_GRADIENTS = None if registry is None else set(registry)


def clear_keras():
    """Keras's ``clear_session()``, and the custom gradients its traced steps registered.

    Each traced training step registers a ``CustomGradient-<n>`` gradient function (the default
    strategy's ``all_reduce``) in TensorFlow's global gradient registry, which keeps the whole
    traced graph alive after ``clear_session`` (measured: about +40 MB per headline + optimizers
    round in one process). Such a function is looked up only while its own step is traced, so
    once the session is cleared those registered since TensorFlow's import are dropped.
    """
    import_keras().backend.clear_session()
    registry = _gradient_registry()
    if registry is None or _KEPT_GRADIENTS is None:
        _keep_gradients_registered_now()  # TensorFlow was imported elsewhere: from now on
        return
    for name in [n for n in registry if n not in _KEPT_GRADIENTS and n.startswith("CustomGradient-")]:
        del registry[name]
