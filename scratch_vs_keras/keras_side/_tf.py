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
    import keras

    return keras


def tensorflow():
    """``tensorflow``, imported quietly through :func:`import_keras` if it is not loaded yet."""
    import_keras()
    import tensorflow as tf

    return tf
