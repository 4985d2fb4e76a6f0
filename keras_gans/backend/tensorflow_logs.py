"""TensorFlow's C++ log lines, kept off the terminal unless asked for.

TensorFlow 2.21 writes up to six lines to the C-level stderr (file
descriptor 2) while it is imported: "All log messages before
absl::InitializeLog() is called are written to STDERR", oneDNN notices and
`cpu_feature_guard`'s. `TF_CPP_MIN_LOG_LEVEL` hides INFO lines written
after absl's logging is set up, not those written before it (4 of the 6).
Keras imports TensorFlow when it is imported on the TensorFlow backend, and
lazily on JAX and PyTorch (its `serialize_keras_object` checks for
`tf.TensorShape`, e.g. in `clone_model` and `Model.save`): that is how the
lines came in the middle of a JAX run.

`install()` (called when `keras_gans` is imported, before Keras) makes the
first import of `tensorflow`, whenever and by whomever it happens, run with
file descriptor 2 captured; afterwards every captured line is written back
except TensorFlow's INFO and WARNING log lines. Python warnings,
tracebacks and TensorFlow's ERROR and FATAL lines still reach stderr. It
also sets `TF_CPP_MIN_LOG_LEVEL=1` (INFO off, warnings on) unless it is set.
Nothing is imported that would not be imported anyway.

Set the environment variable `KERAS_GANS_TF_LOGS=1` to see every line.
"""

import contextlib
import importlib.util
import os
import re
import sys
import tempfile

TF_LOGS_ENV = "KERAS_GANS_TF_LOGS"

# absl's log line prefix: severity, MMDD, time, thread id, file:line].
_ABSL_LINE = re.compile(r"^([IWEF])\d{4} [\d:.]+\s+\d+ [\w.\-]+:\d+\] ")
_PRE_INIT_LINE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
# The second line of cpu_feature_guard's message.
_CPU_FEATURES_LINE = re.compile(r"^To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags\.$")


def tensorflow_logs_wanted():
    """True when the user asked for TensorFlow's log lines (`KERAS_GANS_TF_LOGS=1`)."""
    return os.environ.get(TF_LOGS_ENV, "") not in ("", "0")


def is_tensorflow_log_line(line):
    """True for the INFO/WARNING lines TensorFlow's C++ code writes while it is imported.

    ERROR and FATAL lines (`E...`, `F...`) are not: they are kept.

    Example:

    >>> is_tensorflow_log_line("I0000 00:00:1796197935.096667    6244 port.cc:153] oneDNN custom operations are on.")
    True
    >>> is_tensorflow_log_line("UserWarning: something real")
    False
    """
    line = line.rstrip("\r\n")
    match = _ABSL_LINE.match(line)
    if match:
        return match.group(1) in "IW"
    return line == _PRE_INIT_LINE or bool(_CPU_FEATURES_LINE.match(line))


@contextlib.contextmanager
def filtered_stderr(drop=is_tensorflow_log_line):
    """Captures file descriptor 2 inside the block; writes back the lines `drop` rejects.

    C-level writes (a framework's native logging) and Python writes to
    `sys.stderr` inside the block are both captured and then written back
    to `sys.stderr`, in order, without the dropped lines. A no-op when
    `KERAS_GANS_TF_LOGS=1` or when the process has no file descriptor 2.

    Example:

    ```python
    with filtered_stderr():
        import tensorflow   # quiet; its errors still show
    ```
    """
    if tensorflow_logs_wanted():
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile() as capture:
        _flush(sys.stderr)
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            _flush(sys.stderr)
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", errors="replace")
            kept = "".join(line for line in text.splitlines(keepends=True) if not drop(line))
            if kept:
                sys.stderr.write(kept)
                _flush(sys.stderr)


def _flush(stream):
    with contextlib.suppress(Exception):
        stream.flush()


class _QuietFirstImport:
    """A `sys.meta_path` finder: the first import of `name` runs inside `filtered_stderr()`.

    It stays in place through `importlib.util.find_spec(name)` calls that
    only ask whether the module is installed, and removes itself when the
    module is executed.
    """

    def __init__(self, name):
        self.name = name
        self._searching = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name or self._searching:
            return None
        self._searching = True
        try:
            spec = importlib.util.find_spec(fullname)  # the finders after this one
        finally:
            self._searching = False
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def quiet_exec_module(module):
            uninstall()
            try:
                with filtered_stderr():
                    exec_module(module)
            finally:
                with contextlib.suppress(AttributeError):
                    del loader.exec_module  # back to the class's method

        try:
            loader.exec_module = quiet_exec_module  # this spec's loader instance only
        except AttributeError:  # a loader with __slots__: imported as usual
            pass
        return spec


def install():
    """Quiets TensorFlow's import and its C++ INFO lines for this process.

    Does nothing if `KERAS_GANS_TF_LOGS=1`, or if TensorFlow is already
    imported (its lines are out by then). Idempotent.

    Example:

    ```python
    from keras_gans.backend import tensorflow_logs
    tensorflow_logs.install()
    import keras   # on the TensorFlow backend: no log lines
    ```
    """
    if tensorflow_logs_wanted():
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietFirstImport) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietFirstImport("tensorflow"))


def uninstall():
    """Removes the finder `install()` added (TensorFlow then imports as usual)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _QuietFirstImport)]
