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
import threading

_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on|"
    r"cpu_feature_guard|To enable the following instructions|rebuild TensorFlow with the appropriate|"
    r"NodeDef mentions attribute use_unbounded_threadpool"
)


@contextlib.contextmanager
def quiet_stderr():
    """Capture the process's stderr (fd 2) and re-emit all but TensorFlow's known info lines."""
    if threading.current_thread() is not _background:
        wait_for_import()  # two captures at once, in two threads, would not restore fd 2 right
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


_background = None  # the thread importing TensorFlow (import_in_background), until joined


def import_in_background():
    """Start importing TensorFlow (quietly) in a thread, so that its seconds overlap work that
    does not need it; :func:`import_keras` waits for it. Call :func:`wait_for_import` before
    leaving: until the import ends, the process's stderr is captured (see :func:`quiet_stderr`)."""
    global _background
    if "tensorflow" in sys.modules or _background is not None:
        return
    _background = threading.Thread(target=_import_tensorflow, args=("tensorflow_import (thread)",),
                                   name="import tensorflow")
    _background.start()


def wait_for_import():
    """Wait for the import :func:`import_in_background` started, if any."""
    global _background
    if _background is not None:
        _background.join()
        _background = None


def _import_tensorflow(phase_name="tensorflow_import"):
    from ..timing import phase

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with phase(phase_name), quiet_stderr():
        import tensorflow  # noqa: F401


def import_keras():
    """``keras``, importing TensorFlow first (quietly) if it is not loaded yet."""
    if _background is not None:
        from ..timing import phase

        with phase("tensorflow_import (waited for)"):
            wait_for_import()
    if "tensorflow" not in sys.modules:
        _import_tensorflow()
    import keras

    return keras


def tensorflow():
    """``tensorflow``, imported quietly through :func:`import_keras` if it is not loaded yet."""
    import_keras()
    import tensorflow as tf

    return tf
