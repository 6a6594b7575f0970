"""What every MediaPipe model of the backends shares: a quiet start, RGB input, closing.

No MediaPipe import here: the backends pass in what builds their models.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Callable

import cv2
import numpy as np

# MediaPipe's C++ side logs start-up chatter ("W0000 ... Feedback manager requires ...",
# LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate") straight to file descriptor
# 2, which no Python logging setting reaches. It comes from worker threads while the
# graph starts, sometimes just after the first frame returns, so native stderr stays
# muted from construction until the second frame or close().
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


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


def rgb_of(frame: np.ndarray) -> np.ndarray:
    """The RGB copy MediaPipe wants of a BGR uint8 frame of shape (H, W, 3), read-only."""
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    rgb.flags.writeable = False
    return rgb


class QuietModel:
    """A MediaPipe model started with native stderr muted until its second frame.

    Subclasses build their model with ``_start`` and call ``_ran`` after each frame.
    """

    _model: Any

    def _start(self, make: Callable[[], Any]) -> None:
        """Build the model with native stderr muted (until the second frame)."""
        self._mute: NativeStderrMute | None = NativeStderrMute()
        self._frames = 0
        try:
            self._model = make()
        except BaseException:
            self._unmute()
            raise

    def _ran(self) -> None:
        """Count a frame; the chatter is over after the second."""
        self._frames += 1
        if self._frames >= 2:
            self._unmute()

    def _unmute(self) -> None:
        mute = getattr(self, "_mute", None)
        if mute is not None:
            mute.release()
            self._mute = None

    def close(self) -> None:
        model = getattr(self, "_model", None)
        self._model = None
        # LiteRT says goodbye on fd 2 too ("DestroyAccelerator").
        mute = NativeStderrMute()
        try:
            if model is not None:
                model.close()
        finally:
            mute.release()
            self._unmute()

    def __enter__(self):  # noqa: ANN204 - returns the subclass
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self._unmute()
