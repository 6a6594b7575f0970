"""Keeping native libraries' log lines off the terminal.

MediaPipe's C++ side (glog/absl "W0000 ..." lines, LiteRT's "INFO: Created TensorFlow
Lite XNNPACK delegate"), OpenCV ("[ WARN:0@1.2] ...") and libpng ("libpng error: Read
Error") write straight to file descriptor 2, which no Python logging setting reaches. A
user should see facefilters' own one-line messages only, so:

- the libraries that read a log level from the environment get the quietest one, set
  here, before they are loaded (this module is imported first by the package);
- OpenCV's level is also set directly, when it was loaded before us;
- what still writes to fd 2 (MediaPipe while a graph starts, libpng on a damaged
  picture) runs under :class:`NativeStderrMute`;
- the command line goes further (:func:`native_stderr_off`): fd 2 is /dev/null for the
  whole run and Python's ``sys.stderr`` writes to a copy of the real one.

``FACEFILTERS_DEBUG=1`` in the environment leaves all of it alone, for bug reports.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DEBUG = bool(os.environ.get("FACEFILTERS_DEBUG"))

if not DEBUG:
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")


def opencv_log_level(level: int) -> int:
    """Set OpenCV's log level (0 is silent); returns the one it had.

    OpenCV 4 has the setting at ``cv2.setLogLevel``, OpenCV 5 at
    ``cv2.utils.logging.setLogLevel``.
    """
    import cv2

    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    where: Any = logging if hasattr(logging, "setLogLevel") else cv2
    previous = int(where.getLogLevel())
    where.setLogLevel(level)
    return previous


if not DEBUG and "cv2" in sys.modules:
    # Loaded before us, so it read the environment too early; its failures reach us as
    # return values or cv2.error anyway.
    opencv_log_level(0)


class NativeStderrMute:
    """One hold on a process-wide mute of file descriptor 2.

    Holds are counted: the first saves the real stderr, the last gives it back. Two
    detectors starting and warming up in any order cannot leave stderr muted for good.
    ``FACEFILTERS_DEBUG=1`` in the environment leaves stderr alone.
    """

    _lock = threading.Lock()
    _holds = 0
    _saved: int | None = None

    def __init__(self) -> None:
        self._held = False
        if os.environ.get("FACEFILTERS_DEBUG"):
            return
        cls = type(self)
        with cls._lock:
            if cls._holds == 0:
                sys.stderr.flush()
                cls._saved = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            cls._holds += 1
        self._held = True

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        cls = type(self)
        with cls._lock:
            cls._holds -= 1
            if cls._holds == 0 and cls._saved is not None:
                sys.stderr.flush()
                os.dup2(cls._saved, 2)
                os.close(cls._saved)
                cls._saved = None


def native_stderr_off() -> None:
    """For a command-line run: fd 2 goes to /dev/null for good, while Python's
    ``sys.stderr`` keeps writing to the terminal through a copy of it.

    Native libraries log from their own threads whenever they like (a model's graph
    still opening after its first frames, under load), so muting around the calls that
    start them can miss a line; this cannot. facefilters' own messages, Python warnings
    and tracebacks, and Typer's usage errors all go through ``sys.stderr`` and are kept.
    """
    if DEBUG:
        return
    sys.stderr.flush()
    real = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = open(
        real, "w", buffering=1, encoding=sys.stderr.encoding, errors=sys.stderr.errors
    )


@contextmanager
def native_stderr_muted() -> Iterator[None]:
    """Mute file descriptor 2 for the duration of a native call (a decoder's chatter)."""
    mute = NativeStderrMute()
    try:
        yield
    finally:
        mute.release()
